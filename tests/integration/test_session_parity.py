"""With ``session = regular`` a backtest and a replayed paper portfolio over the same SPY minute
bars (real rows of the bundled ``lean_SPY_1m.csv`` around the close of 2013-10-07 and the open of
2013-10-08, post- and pre-market included) give the same fills and reject the same signals with
the same reasons (the paper portfolio's signals table holds them)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from ledger_support import check_ledger
from paperdesk.analysis.strategies.registry import create_strategy
from paperdesk.config import (
    ExecutionConfig,
    FillTiming,
    RiskConfig,
    RunConfig,
    SizingConfig,
    SourceConfig,
    StrategySpec,
)
from paperdesk.data import find_bundled, instrument_for
from paperdesk.engine.backtest import simulate
from paperdesk.live import TickStatus
from paperdesk.service.backtests import load_run_bars
from paperdesk.service.portfolios import PortfolioService
from paperdesk.store import Database

# (first, last) bar starts of each block copied: the last regular half hour of the 7th, the first
# post-market bars, the last pre-market bars of the 8th and its first regular half hour
BLOCKS = (
    ("2013-10-07T19:30", "2013-10-07T20:29"),
    ("2013-10-08T12:50", "2013-10-08T13:59"),
)
CASES = {
    "sma-cross, next open": ("sma-cross", {"fast": 3, "slow": 8}, FillTiming.NEXT_OPEN),
    "buy-and-hold, at the close": ("buy-and-hold", {}, FillTiming.CLOSE),
}


def _minute_slice(directory: Path) -> Path:
    lines = find_bundled("SPY", "1m").read_text().splitlines()
    rows: list[str] = []
    for first, last in BLOCKS:
        rows.extend(line for line in lines[1:] if first <= line[:16] <= last)
    path = directory / "spy_1m.csv"
    path.write_text("\n".join([lines[0], *rows]) + "\n")
    return path


@pytest.mark.parametrize("case", list(CASES))
def test_sessions_reject_and_fill_alike_in_a_backtest_and_a_paper_portfolio(
    database: Database, tmp_path: Path, case: str
) -> None:
    strategy, params, fill_timing = CASES[case]
    path = _minute_slice(tmp_path)
    sizing = SizingConfig(percent=Decimal("50"))
    risk = RiskConfig(allow_short=True)
    execution = ExecutionConfig(
        fill_timing=fill_timing, commission="per-share:0.005:min=1", session="regular"
    )
    config = RunConfig(
        strategy=strategy,
        params=params,
        data=path,
        symbol="SPY",
        timeframe="1m",
        cash=Decimal(10000),
        sizing=sizing,
        risk=risk,
        execution=execution,
    )
    bars = load_run_bars(config)
    backtest = simulate(bars, create_strategy(strategy, params), config, instrument_for("SPY"))

    service = PortfolioService(database)
    settings = RunConfig(
        strategies=(StrategySpec(strategy, params),),
        symbols=("SPY",),
        timeframe="1m",
        source=SourceConfig("replay", files={"SPY": str(path)}, replay_from=date(2013, 10, 7)),
        sizing=sizing,
        risk=risk,
        execution=execution,
    )
    pid = service.create_portfolio("sessions", Decimal(10000), settings=settings)
    served = 0
    while service.tick(pid, "SPY")[-1].status is TickStatus.PROCESSED:
        served += 1

    assert served == len(bars)
    assert backtest.fills, "the run must trade for the comparison to mean something"
    # every fill falls in a regular session (13:30-20:00 UTC in October)
    assert all((13, 30) <= (fill.ts.hour, fill.ts.minute) <= (20, 0) for fill in backtest.fills)
    paper_fills = [(f.ts, f.side, f.quantity, f.price, f.fee) for f in service.fills(pid)]
    assert paper_fills == [(f.ts, f.side, f.quantity, f.price, f.fee) for f in backtest.fills]
    rejected = sorted(
        (view.ts_bar + timedelta(minutes=1), view.rejection)  # labelled by the bar start
        for view in service.signals(pid)
        if view.status == "rejected"
    )
    expected = sorted((r.signal.ts, r.reason) for r in backtest.rejections)
    assert rejected == expected
    if strategy == "sma-cross":
        assert any("outside the regular session" in str(reason) for _, reason in rejected)
    summary = service.show(pid).summary
    assert summary.cash == backtest.final_cash
    assert summary.equity == backtest.final_equity
    check_ledger(database, pid)
