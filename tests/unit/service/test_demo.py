"""The demo replays consecutive bars through the live runner, each exactly once."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pandas as pd
import pytest

from paperdesk.data import find_bundled, load_bars
from paperdesk.domain import InvalidInputError
from paperdesk.service.demo import run_demo
from paperdesk.service.portfolios import PortfolioService
from paperdesk.store import Database


def test_demo_ticks_every_candle_once_in_order(database: Database) -> None:
    service = PortfolioService(database)
    progress: list[tuple[int, int]] = []
    run = run_demo(
        service,
        strategies=("macd-cross", "sma-cross"),
        symbols=("SPY", "AAPL"),
        replay_from=date(2019, 1, 2),
        bars=12,
        progress=lambda done, total: progress.append((done, total)),
    )
    assert progress[-1] == (24, 24)
    assert run.ticks == 24
    runs = service.tick_runs(run.portfolio_id)
    assert len(runs) == 12 * 2 * 2  # bars x symbols x strategies
    for symbol in ("SPY", "AAPL"):
        bars = load_bars(find_bundled(symbol, "1d"), symbol=symbol, timeframe="1d")
        expected = list(bars.index[bars.index >= pd.Timestamp("2019-01-02", tz="UTC")][:12])
        for strategy in ("macd-cross", "sma-cross"):
            seen = [
                pd.Timestamp(r.ts_bar)
                for r in runs
                if r.symbol == symbol and r.strategy == strategy
            ]
            assert seen == expected
    summary = service.show(run.portfolio_id).summary
    assert summary.starting_cash == Decimal("100000")
    assert summary.equity == summary.cash + summary.positions_value
    assert service.equity_curve(run.portfolio_id)[-1].equity == summary.equity


def test_performance_reports_over_the_equity_history(database: Database) -> None:
    service = PortfolioService(database)
    run = run_demo(service, symbols=("SPY",), replay_from=date(2019, 1, 2), bars=60)
    stats = service.performance(run.portfolio_id)
    summary = service.show(run.portfolio_id).summary
    trades = service.trades(run.portfolio_id)
    assert stats.trades == len(trades) > 0
    assert stats.final_equity == float(summary.equity)
    assert stats.start_equity == 100000.0
    assert stats.total_return_pct == (float(summary.equity) / 100000.0 - 1) * 100
    assert stats.fees == float(sum(t.fees for t in trades)) > 0  # the demo pays commission


def test_performance_needs_history(database: Database) -> None:
    service = PortfolioService(database)
    portfolio_id = service.create_portfolio("empty", Decimal("1000"))
    with pytest.raises(InvalidInputError, match="no equity history"):
        service.performance(portfolio_id)
