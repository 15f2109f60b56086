"""Units of work of one process on one portfolio at once: the next unit waits for the state
the committed one keeps instead of restoring from the rows (PostgreSQL releases the row lock
at COMMIT, before the state is back in the cache; SQLite's write queue covers it already), and
a unit that rolls back releases the state it took. SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest

from paperdesk.config import RunConfig
from paperdesk.domain import OrderType, PaperdeskError, Side
from paperdesk.live.state_cache import state_cache
from paperdesk.service.portfolios import OrderRequest, PortfolioService
from paperdesk.store import Database

LIMIT = OrderRequest("SPY", Side.BUY, Decimal(1), OrderType.LIMIT, limit_price=Decimal(50))


def test_concurrent_units_on_one_portfolio_start_from_the_kept_state(database: Database) -> None:
    service = PortfolioService(database)
    pid = service.create_portfolio("busy", Decimal(100000), settings=RunConfig(symbols=("SPY",)))
    service.place_order(pid, LIMIT)  # the state is cached
    cache = state_cache(database)
    misses = cache.misses
    failures: list[BaseException] = []

    def trader() -> None:
        try:
            for _ in range(15):
                (order,) = service.place_order(pid, LIMIT)
                service.cancel_order(pid, order.order_id)
        except BaseException as error:  # reported by the test below
            failures.append(error)

    threads = [threading.Thread(target=trader) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not failures
    assert cache.misses == misses  # every unit started from the state the last one kept
    assert len(service.orders(pid)) == 1 + 3 * 15


def test_a_rolled_back_unit_releases_the_state_it_took(database: Database) -> None:
    service = PortfolioService(database)
    pid = service.create_portfolio("busy", Decimal(100000), settings=RunConfig(symbols=("SPY",)))
    service.place_order(pid, LIMIT)
    with pytest.raises(PaperdeskError):
        service.cancel_order(pid, "O99")  # refused: the unit rolls back
    cache = state_cache(database)
    misses = cache.misses
    service.place_order(pid, LIMIT)  # no wait for a state in flight: restored from the rows
    assert cache.misses == misses + 1
    service.place_order(pid, LIMIT)
    assert cache.misses == misses + 1  # and kept again
