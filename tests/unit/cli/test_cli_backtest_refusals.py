"""A backtest without trades says why: how many signals the router refused and the kinds of
reason (it printed only "No trades.", and --json only the count)."""

from __future__ import annotations

import json
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


def test_the_json_of_such_a_run_carries_every_kind_of_refusal(paper_home: Path) -> None:
    """--json carried only `rejected_signals`; now `rejection_reasons` has each kind of reason
    (numbers as '#'), its count and its first instance, the most frequent first."""
    result = run_backtest(
        RunConfig(
            strategy="sma-cross",
            symbol="SPY",
            sizing=SizingConfig(method=SizingMethod.FIXED, quantity=Decimal("0.5")),
        )
    )
    outcome = CliRunner().invoke(
        app,
        ["backtest", "--strategy", "sma-cross", "--symbol", "SPY", "--sizer", "fixed",
         "--quantity", "0.5", "--json"],
    )  # fmt: skip
    assert outcome.exit_code == 0, outcome.output
    document = json.loads(outcome.stdout)
    kinds = document["rejection_reasons"]
    assert document["rejected_signals"] == sum(kind["count"] for kind in kinds) > 0
    assert [kind["count"] for kind in kinds] == sorted(
        (kind["count"] for kind in kinds), reverse=True
    )
    by_kind = {kind["kind"]: kind for kind in kinds}
    shorts = [r for r in result.rejections if r.reason == "short selling is disabled"]
    zeros = [r for r in result.rejections if r.reason.startswith("SPY size rounds to zero")]
    short_kind = by_kind["short selling is disabled"]
    assert short_kind["count"] == len(shorts)
    assert short_kind["first_at"] == shorts[0].ts_event.isoformat()
    [zero_kind] = [kind for kind in kinds if kind["kind"].startswith("SPY size rounds to zero")]
    assert zero_kind["count"] == len(zeros)
    assert zero_kind["first_reason"] == zeros[0].reason
    assert "#" in zero_kind["kind"]
    assert not any(character.isdigit() for character in zero_kind["kind"])
    assert set(zero_kind) == {"kind", "count", "first_reason", "first_at"}
