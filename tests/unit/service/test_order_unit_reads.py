"""An order's unit of work reads the versions of its symbol's bars (what its reference price
is kept against, ``BarSource.last_close``) in its own transaction, not in a read transaction
of their own: one pooled connection a placement, and the same versions a read of its own
would see (SQLite and PostgreSQL)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event

from market_fakes import bundled, utc
from paperdesk.config import RunConfig
from paperdesk.domain import OrderType, Side
from paperdesk.live import FixedClock
from paperdesk.service.portfolios import OrderRequest, PortfolioService
from paperdesk.store import Database, SqlBarStore

NOW = datetime(2020, 3, 3, 12, tzinfo=UTC)
FETCHED = utc(2024, 1, 1)


@pytest.fixture
def service(database: Database) -> PortfolioService:
    return PortfolioService(database, clock=FixedClock(NOW))


def _limit() -> OrderRequest:
    return OrderRequest("SPY", Side.BUY, Decimal(1), OrderType.LIMIT, limit_price=Decimal(50))


@contextmanager
def _checkouts(database: Database) -> Iterator[list[str]]:
    taken: list[str] = []

    def note(*_arguments: Any) -> None:
        taken.append("checkout")

    event.listen(database.engine, "checkout", note)
    try:
        yield taken
    finally:
        event.remove(database.engine, "checkout", note)


def test_a_placement_takes_one_connection(service: PortfolioService, database: Database) -> None:
    portfolio = service.create_portfolio(
        "unit", Decimal(100_000), settings=RunConfig(symbols=("SPY",))
    )
    first = service.place_order(portfolio, _limit())  # loads the bars, keeps the close
    with _checkouts(database) as taken:
        second = service.place_order(portfolio, _limit())
    # its transaction's, or none on a SQLite file (its units' kept connection); two before
    # (the versions' own read)
    assert taken == ([] if database.file is not None else ["checkout"])
    assert second[0].limit_price == first[0].limit_price == Decimal(50)
    assert [o.order_id for o in service.orders(portfolio)] == [
        first[0].order_id,
        second[0].order_id,
    ]


def test_the_versions_read_in_a_unit_are_those_a_read_of_its_own_sees(
    database: Database, tmp_path: Path
) -> None:
    store = SqlBarStore(database)
    history = bundled("SPY", "1d").loc["2020-03-02":"2020-03-06"]
    with database.transaction() as repository:
        assert store.series_versions("SPY", repository) == store.series_versions("SPY") == ()
    store.write_bars(history.iloc[:3], symbol="SPY", timeframe="1d", source="t", fetched_at=FETCHED)
    with database.transaction() as repository:
        before = store.series_versions("SPY", repository)
    assert before == store.series_versions("SPY") != ()
    store.write_bars(history.iloc[3:], symbol="SPY", timeframe="1d", source="t", fetched_at=FETCHED)
    with database.transaction() as repository:
        after = store.series_versions(" spy ", repository)
    assert after == store.series_versions("SPY") != before
    # a unit of another database is not read in: the store reads its own
    other = Database(f"sqlite:///{tmp_path / 'other.db'}")
    try:
        with other.transaction() as foreign, _checkouts(database) as taken:
            assert store.series_versions("SPY", foreign) == after
        assert taken == ["checkout"]
        with database.transaction() as repository:
            repository.outbox_last_sequence()  # the unit's connection, taken
            with _checkouts(database) as taken:
                assert store.series_versions("SPY", repository) == after
        assert taken == []
    finally:
        other.close()
