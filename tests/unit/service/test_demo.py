"""The demo replays consecutive candles through the live runner, each exactly once."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pandas as pd

from paperdesk.data import find_bundled, load_bars
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
        candles=12,
        progress=lambda done, total: progress.append((done, total)),
    )
    assert progress[-1] == (24, 24)
    assert run.ticks == 24
    runs = service.tick_runs(run.portfolio_id)
    assert len(runs) == 12 * 2 * 2  # candles x symbols x strategies
    for symbol in ("SPY", "AAPL"):
        bars = load_bars(find_bundled(symbol, "1d"), symbol=symbol, timeframe="1d")
        expected = list(bars.index[bars.index >= pd.Timestamp("2019-01-02", tz="UTC")][:12])
        for strategy in ("macd-cross", "sma-cross"):
            seen = [
                pd.Timestamp(r.candle_at)
                for r in runs
                if r.symbol == symbol and r.strategy == strategy
            ]
            assert seen == expected
    summary = service.show(run.portfolio_id).summary
    assert summary.starting_cash == Decimal("100000")
    assert summary.equity == summary.cash + summary.positions_value
    assert service.equity_curve(run.portfolio_id)[-1].equity == summary.equity
