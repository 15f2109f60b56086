"""A held unit of work (``Database.held``): every transaction of a block joins one session and
commits once, or not at all; the portfolio state cache sees the unit as one unit."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from ledger_support import check_ledger
from paperdesk.config import RunConfig, SourceConfig, StrategySpec
from paperdesk.domain import InvalidInputError, Side
from paperdesk.domain.records import OutboxEntry
from paperdesk.live.state_cache import state_cache
from paperdesk.service.portfolios import OrderRequest, PortfolioService
from paperdesk.store import Database, LedgerRepository

BUY = OrderRequest("SPY", Side.BUY, Decimal("1"))
TOO_MUCH = OrderRequest("SPY", Side.BUY, Decimal("100000"))  # refused: insufficient cash


def traded(database: Database, name: str) -> tuple[PortfolioService, int]:
    service = PortfolioService(database)
    settings = RunConfig(
        strategies=(StrategySpec("sma-cross", {"fast": 5}),),
        symbols=("SPY",),
        source=SourceConfig("replay", replay_from=date(2020, 1, 2)),
    )
    portfolio = service.create_portfolio(name, Decimal("10000"), settings=settings)
    for _ in range(3):
        service.tick(portfolio, "SPY")
    return service, portfolio


def work(service: PortfolioService, portfolio: int) -> None:
    """Two restores and more of one portfolio: an order, a refused one, a bar that fills the
    first (the tick's restore must see the order the unit placed), another order."""
    service.place_order(portfolio, BUY)
    with pytest.raises(InvalidInputError):
        service.place_order(portfolio, TOO_MUCH)
    service.tick(portfolio, "SPY")
    service.place_order(portfolio, BUY)


def books(service: PortfolioService, portfolio: int) -> tuple[Any, ...]:
    summary = service.show(portfolio).summary
    orders = [
        (o.order_id, o.status, o.quantity, o.filled_quantity) for o in service.orders(portfolio)
    ]
    fills = [(f.order_id, f.price, f.quantity, f.fee) for f in service.fills(portfolio)]
    return summary.cash, summary.equity, orders, fills


class NoWait:
    """A state cache's condition that refuses to wait for a state in flight."""

    def __init__(self, lock: Any) -> None:
        self._condition = threading.Condition(lock)

    def __enter__(self) -> Any:
        return self._condition.__enter__()

    def __exit__(self, *exc: object) -> None:
        self._condition.__exit__(*exc)

    def wait_for(self, *args: object) -> bool:
        raise AssertionError("a unit waited for a state another unit holds in flight")

    def notify_all(self) -> None:
        self._condition.notify_all()


def test_restores_in_one_held_unit_see_its_own_writes(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same work as one held unit and as separate transactions gives the same books; the
    unit's second restore does not wait for its first's state, the cache holds the unit's last
    state after the commit (the next order takes the next number) and the ledger checks out."""
    separate, apart = traded(database, "apart")
    work(separate, apart)
    service, held = traded(database, "held")
    cache = state_cache(database)
    monkeypatch.setattr(cache, "_returned", NoWait(cache._lock))
    told: list[Sequence[OutboxEntry]] = []
    database.on_commit(told.append)
    with database.held():
        work(service, held)
        assert [o.order_id for o in service.orders(held)][-2:] == ["O1", "O2"]  # reads join
        assert told == []  # nothing committed yet
    assert len(told) == 1  # the unit's entries, told once, in their order
    sequences = [entry.sequence for entry in told[0]]
    assert sequences == sorted(sequences)
    assert len(set(sequences)) == len(sequences)
    assert books(service, held) == books(separate, apart)
    cached = cache.peek(held)
    assert cached is not None
    service.place_order(held, BUY)
    separate.place_order(apart, BUY)
    assert books(service, held) == books(separate, apart)
    check_ledger(database, held)


def fail_after_writes(database: Database, service: PortfolioService, portfolio: int) -> None:
    with database.held():
        service.place_order(portfolio, BUY)
        service.tick(portfolio, "SPY")
        raise RuntimeError("the action failed after its writes")


def test_a_held_unit_that_raises_changes_nothing(database: Database) -> None:
    """A unit rolled back whole (after a write and a restore) leaves no row and no state in the
    cache: the next unit places the same order number and the ledger checks out."""
    service, portfolio = traded(database, "undone")
    before = books(service, portfolio)
    told: list[Sequence[OutboxEntry]] = []
    database.on_commit(told.append)
    with pytest.raises(RuntimeError, match="after its writes"):
        fail_after_writes(database, service, portfolio)
    assert told == []
    assert books(service, portfolio) == before
    placed = service.place_order(portfolio, BUY)
    assert [o.order_id for o in placed] == ["O1"]
    assert [o.order_id for o in service.orders(portfolio)] == ["O1"]
    check_ledger(database, portfolio)


def test_a_unit_opens_with_its_first_write_and_on_open_runs_first(database: Database) -> None:
    opened: list[int] = []

    def on_open(repository: LedgerRepository) -> None:
        opened.append(len(repository.portfolios()))

    service, portfolio = traded(database, "lazy")
    with database.held(on_open) as unit:
        service.orders(portfolio)  # a read before any write: no unit yet
        assert not unit.opened
        assert opened == []
        service.place_order(portfolio, BUY)
        assert unit.opened
        assert opened == [1]
        service.place_order(portfolio, BUY)
    assert opened == [1]  # once
    with database.held(on_open) as unit:  # a block that writes nothing opens nothing
        service.orders(portfolio)
    assert not unit.opened
    assert opened == [1]


def test_a_dry_transaction_inside_a_held_unit_is_rolled_back(database: Database) -> None:
    """A dry transaction joins the unit (it sees the unit's writes) and leaves nothing, even
    what transactions nested in it kept; the state cache keeps only what committed."""
    service, portfolio = traded(database, "dry")
    with database.reading() as repository:
        start = repository.outbox_last_sequence()
    told: list[Sequence[OutboxEntry]] = []
    database.on_commit(told.append)
    with database.held():
        service.place_order(portfolio, BUY)
        with database.dry_transaction():
            service.place_order(portfolio, BUY)  # joined inside the dry one
            assert len(service.orders(portfolio)) == 2
    assert [o.order_id for o in service.orders(portfolio)] == ["O1"]
    with database.reading() as repository:
        stored = repository.outbox(after=start, limit=100)
    assert len(told) == 1
    assert told[0] == stored  # the listeners are told what committed, and only that
    assert [o.order_id for o in service.place_order(portfolio, BUY)] == ["O2"]
    check_ledger(database, portfolio)
