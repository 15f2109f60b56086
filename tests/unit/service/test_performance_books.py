"""A portfolio's performance (service/performance.py) against its own ledger: the fees in the
statistics are every fee its fills paid, as a backtest's are, and the books add up exactly at
every point of the curve (docs/statistics.md, Audit)."""

from __future__ import annotations

import math
from datetime import date
from decimal import Decimal

from paperdesk.service.demo import run_demo
from paperdesk.service.portfolios import PortfolioService
from paperdesk.store import Database


def test_the_statistics_fees_are_every_fee_the_fills_paid_an_open_position_included(
    database: Database,
) -> None:
    service = PortfolioService(database)
    run = run_demo(service, symbols=("SPY", "AAPL"), replay_from=date(2019, 1, 2), bars=120)
    pid = run.portfolio_id
    detail = service.show(pid)
    fills = service.fills(pid)
    trades = service.trades(pid)
    assert detail.positions  # a position still open has paid its entry fee...
    paid = sum((fill.fee for fill in fills), Decimal(0))
    closed = sum((trade.fees for trade in trades), Decimal(0))
    assert paid > closed  # ...which no closed round trip holds yet
    assert detail.summary.fees_paid == paid
    assert service.performance(pid).fees == float(paid)


def test_the_books_add_up_exactly_at_every_point_and_at_the_end(database: Database) -> None:
    service = PortfolioService(database)
    run = run_demo(service, symbols=("SPY", "AAPL"), replay_from=date(2019, 1, 2), bars=120)
    pid = run.portfolio_id
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
