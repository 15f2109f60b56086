"""A backtest without trades says why: how many signals the router refused and the kinds of
reason (it printed only "No trades.", and --json only the count)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from typer.testing import CliRunner

from paperdesk.cli import app
from paperdesk.config import RunConfig, SizingConfig, SizingMethod
from paperdesk.service.backtests import run_backtest


def test_a_run_whose_signals_are_all_refused_names_the_refusals(paper_home: Path) -> None:
    """Half a share of SPY rounds to no share: every entry is refused, and long-only refuses
    every short."""
    result = run_backtest(
        RunConfig(
            strategy="sma-cross",
            symbol="SPY",
            sizing=SizingConfig(method=SizingMethod.FIXED, quantity=Decimal("0.5")),
        )
    )
    assert not result.trades
    reasons = [rejection.reason for rejection in result.rejections]
    shorts = sum(reason == "short selling is disabled" for reason in reasons)
    zeros = [reason for reason in reasons if reason.startswith("SPY size rounds to zero")]
    assert shorts + len(zeros) == len(reasons) == result.signals > 0
    outcome = CliRunner().invoke(
        app,
        ["backtest", "--strategy", "sma-cross", "--symbol", "SPY", "--sizer", "fixed",
         "--quantity", "0.5"],
        env={"COLUMNS": "300"},
    )  # fmt: skip
    assert outcome.exit_code == 0, outcome.output
    [line] = [line for line in outcome.stdout.splitlines() if line.startswith("No trades.")]
    assert f"The router refused {len(reasons)} of the {result.signals} signals: " in line
    assert f"{shorts} x short selling is disabled" in line
    assert f"{len(zeros)} x {zeros[0]}" in line
