"""A run never below its peak says its longest drawdown is none (it said ``0 s`` on daily
bars, a unit no bar of the run has)."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from paperdesk.cli import app

# two daily bars: too few for sma-cross to decide, so the equity stays at the starting cash
RUN = ["backtest", "-s", "sma-cross", "--symbol", "SPY", "--from", "2021-03-30"]


def invoke(*arguments: str) -> str:
    result = CliRunner().invoke(app, [*RUN, *arguments], env={"COLUMNS": "100"})
    assert result.exit_code == 0, (result.stdout, result.stderr)
    return result.stdout


def test_a_curve_never_below_its_peak_has_no_longest_drawdown(paper_home: Path) -> None:
    stats = json.loads(invoke("--json"))["stats"]
    assert stats["max_drawdown_pct"] == 0
    assert stats["max_drawdown_duration_days"] == 0
    [line] = [line for line in invoke().splitlines() if line.startswith("Longest drawdown")]
    assert line.split()[-1] == "none", line
