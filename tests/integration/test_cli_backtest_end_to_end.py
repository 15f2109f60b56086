"""The backtest command with the real engine, bundled data and real error paths."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from paperdesk.analysis.strategies.registry import strategy_names
from paperdesk.cli import app

runner = CliRunner()


@pytest.mark.parametrize("strategy", strategy_names())
def test_every_registered_strategy_trades_bundled_spy_daily_with_defaults(strategy: str) -> None:
    outcome = runner.invoke(
        app, ["backtest", "--strategy", strategy, "--symbol", "SPY", "--timeframe", "1d", "--json"]
    )
    assert outcome.exit_code == 0, outcome.output
    document = json.loads(outcome.stdout)
    assert document["fills"] > 0
    assert document["bars"] == 5849
    for trade in document["trades"]:
        # a bracket leg may close a trade inside the bar whose open filled its entry
        assert trade["entry_time"] < trade["exit_time"] or trade["exit_reason"] in (
            "stop-loss",
            "take-profit",
        )
        assert {"side", "quantity", "entry_price", "exit_price", "fees", "pnl"} <= set(trade)


def test_people_get_a_table_and_the_from_to_window_is_applied() -> None:
    outcome = runner.invoke(
        app,
        [
            "backtest",
            "--strategy",
            "macd-cross",
            "--symbol",
            "SPY",
            "--timeframe",
            "1d",
            "--from",
            "2015-01-01",
            "--to",
            "2016-12-31",
        ],
    )
    assert outcome.exit_code == 0, outcome.output
    assert "Sharpe" in outcome.stdout
    assert "2015-01-02" in outcome.stdout or "2015-01" in outcome.stdout


def test_a_malformed_csv_gives_one_clear_line_and_no_traceback(tmp_path: Path) -> None:
    bad = tmp_path / "bars.csv"
    bad.write_text(
        "timestamp,open,high,low,close,volume\n"
        "2024-01-02T00:00:00Z,10,11,9,10.5,100\n"
        "2024-01-03T00:00:00Z,10,9.5,9,10.5,100\n"
    )
    outcome = runner.invoke(app, ["backtest", "--strategy", "sma-cross", "--data", str(bad)])
    assert outcome.exit_code != 0
    assert "line 3" in outcome.output
    assert "Traceback" not in outcome.output


@pytest.mark.parametrize(
    ("arguments", "expected"),
    [
        (["--strategy", "nope", "--symbol", "SPY"], "nope"),
        (["--strategy", "sma-cross", "--symbol", "SPY", "--param", "fast=abc"], "fast"),
        (["--strategy", "sma-cross", "--symbol", "ZZZZ"], "ZZZZ"),
        (["--strategy", "sma-cross", "--data", "/no/such/file.csv"], "file.csv"),
        (["--strategy", "sma-cross", "--symbol", "SPY", "--commission", "lots"], "lots"),
        (["--strategy", "sma-cross", "--symbol", "SPY", "--from", "2030-01-01"], "2030"),
    ],
)
def test_bad_arguments_name_what_is_wrong(arguments: list[str], expected: str) -> None:
    outcome = runner.invoke(app, ["backtest", *arguments])
    assert outcome.exit_code != 0
    assert expected in outcome.output
    assert "Traceback" not in outcome.output
