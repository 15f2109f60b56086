"""A backtest whose strategy gave no signal says why after "No trades.": too few bars for
the strategy's warm-up, or none of its conditions met (it printed "No trades." alone)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from typer.testing import CliRunner

from paperdesk.cli import app
from paperdesk.data.bundled import find_bundled

SLOW, SIGNAL = 20, 5  # macd-cross decides once its MACD(., SLOW) has an EMA(SIGNAL) line


def no_trades_line(*period: str) -> str:
    outcome = CliRunner().invoke(
        app,
        ["backtest", "--strategy", "macd-cross", "--symbol", "SPY", "-p", f"slow={SLOW}",
         "-p", f"signal={SIGNAL}", *period],
        env={"COLUMNS": "300"},
    )  # fmt: skip
    assert outcome.exit_code == 0, outcome.output
    [line] = [line for line in outcome.stdout.splitlines() if line.startswith("No trades.")]
    return line


def bundled_days(start: str, end: str | None = None) -> int:
    frame = pd.read_csv(find_bundled("SPY", "1d"), usecols=["timestamp"])
    days = pd.to_datetime(frame["timestamp"]).dt.strftime("%Y-%m-%d")
    return int(((days >= start) & (days <= (end or "9999"))).sum())


def test_a_run_shorter_than_the_warm_up_says_so(paper_home: Path) -> None:
    first = SLOW + SIGNAL  # the bar at 0-based row slow + signal - 1
    bars = bundled_days("2021-03-01")
    assert bars < first
    line = no_trades_line("--from", "2021-03-01")
    assert f"macd-cross gave no signal: it can decide from the run's bar {first} on" in line
    assert f"the run has {bars} bars; start earlier (--from)" in line


def test_a_run_past_the_warm_up_without_a_signal_says_so(paper_home: Path) -> None:
    bars = bundled_days("2021-01-04", "2021-02-11")
    assert bars > SLOW + SIGNAL
    line = no_trades_line("--from", "2021-01-04", "--to", "2021-02-11")
    assert line == (
        f"No trades. macd-cross gave no signal in the run's {bars} bars (it can decide from "
        f"bar {SLOW + SIGNAL} on)."
    )
