"""A portfolio's performance (service/performance.py) against its own ledger: the fees in the
statistics are every fee its fills paid, as a backtest's are, and the books add up exactly at
every point of the curve (docs/statistics.md, Audit).

Both tests read the same demo run (120 bars of SPY and AAPL), made once per module and
database and checked unchanged, every row of its ledger, at the module's end."""

from __future__ import annotations

import math
from collections.abc import Iterator
from datetime import date
from decimal import Decimal

import pytest

from ledger_support import dump
from ledger_templates import SchemaPool, SqliteTemplate
from paperdesk.service.demo import run_demo
from paperdesk.service.portfolios import PortfolioService
from paperdesk.store import Database

DemoBooks = tuple[PortfolioService, int]


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def demo_books(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[DemoBooks]:
    """The demo's portfolio on a new migrated ledger of one database, and its service; the
    tests only read it (every row is compared at the end)."""
    pool: SchemaPool | None = None
    if request.param == "sqlite":
        template: SqliteTemplate = request.getfixturevalue("sqlite_template")
        file = tmp_path_factory.mktemp("demo-books") / "ledger.db"
        template.copy_to(file)
        url = f"sqlite:///{file}"
    else:
        pool = request.getfixturevalue("postgres_schemas")
        schema = pool.take()
        url = pool.url(schema)
    database = Database(url)
    try:
        service = PortfolioService(database)
        run = run_demo(service, symbols=("SPY", "AAPL"), replay_from=date(2019, 1, 2), bars=120)
        before = dump(database)
        yield service, run.portfolio_id
        assert dump(database) == before, "a test changed the shared demo's ledger"
    finally:
        database.close()
        if pool is not None:
            pool.give_back(schema)


def test_the_statistics_fees_are_every_fee_the_fills_paid_an_open_position_included(
    demo_books: DemoBooks,
) -> None:
    service, pid = demo_books
    detail = service.show(pid)
    fills = service.fills(pid)
    trades = service.trades(pid)
    assert detail.positions  # a position still open has paid its entry fee...
    paid = sum((fill.fee for fill in fills), Decimal(0))
    closed = sum((trade.fees for trade in trades), Decimal(0))
    assert paid > closed  # ...which no closed round trip holds yet
    assert detail.summary.fees_paid == paid
    assert service.performance(pid).fees == float(paid)


def test_the_books_add_up_exactly_at_every_point_and_at_the_end(demo_books: DemoBooks) -> None:
    service, pid = demo_books
    summary = service.show(pid).summary
    curve = service.equity_curve(pid)
    for point in curve:
        assert point.equity == point.cash + point.positions_value, point.ts
        # realized (gross) - fees + unrealized = what the portfolio made so far
        total = point.realized_pnl - point.fees_paid + point.unrealized_pnl
        assert total == point.equity - summary.starting_cash, point.ts
    assert curve[-1].equity == summary.equity
    assert summary.realized_pnl_net + summary.unrealized_pnl == summary.total_pnl
    stats = service.performance(pid)
    assert stats.final_equity == float(summary.equity)
    growth = summary.equity / summary.starting_cash - 1
    assert math.isclose(stats.total_return_pct, float(growth * 100), rel_tol=1e-12)
