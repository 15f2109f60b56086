"""``min_bars`` on the per-bar path: buy-and-hold waits that many bars, in a backtest and in a
replayed paper portfolio over the same bars, with the same fill."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pandas as pd

from ledger_support import check_ledger, spy_slice
from paperdesk.config import RunConfig, SourceConfig, StrategySpec
from paperdesk.domain import Side
from paperdesk.live import TickStatus
from paperdesk.service.backtests import load_run_bars, run_backtest
from paperdesk.service.portfolios import PortfolioService
from paperdesk.store import Database

FIRST, ROWS, MIN_BARS = date(2019, 1, 2), 20, 7


def test_buy_and_hold_with_min_bars_buys_after_that_many_bars_in_both(
    database: Database, tmp_path: Path
) -> None:
    path = spy_slice(tmp_path, FIRST.isoformat(), ROWS)
    params = {"min_bars": MIN_BARS}
    config = RunConfig(
        strategy="buy-and-hold", params=params, data=path, symbol="SPY", cash=Decimal(10000)
    )
    bars = load_run_bars(config)
    backtest = run_backtest(config)
    (fill,) = backtest.fills
    # the decision on row 7 (the 8th bar, 2019-01-11) fills at row 8's open
    assert fill.side is Side.BUY
    assert pd.Timestamp(fill.ts) == bars.index[MIN_BARS + 1] == pd.Timestamp("2019-01-14", tz="UTC")
    assert fill.price - fill.slippage == Decimal(str(bars["open"].iloc[MIN_BARS + 1]))  # 5 bps

    service = PortfolioService(database)
    settings = RunConfig(
        strategies=(StrategySpec("buy-and-hold", params),),
        symbols=("SPY",),
        source=SourceConfig("replay", files={"SPY": str(path)}, replay_from=FIRST),
    )
    pid = service.create_portfolio("waits", Decimal(10000), settings=settings)
    while service.tick(pid, "SPY")[-1].status is TickStatus.PROCESSED:
        pass
    (paper_fill,) = service.fills(pid)
    assert (paper_fill.ts, paper_fill.price, paper_fill.quantity) == (
        fill.ts,
        fill.price,
        fill.quantity,
    )
    check_ledger(database, pid)
