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


def test_a_data_file_can_name_its_instrument_and_timeframe(tmp_path: Path) -> None:
    """--symbol with --data names the instrument: a forex pair keeps its five-decimal tick."""
    bundled = Path(__file__).resolve().parents[2] / "src/paperdesk/data/bundled"
    rows = (bundled / "lean_oanda_EURUSD_1h.csv").read_text().splitlines()[:2000]
    fx = tmp_path / "my_fx_bars.csv"
    fx.write_text("\n".join(rows) + "\n")
    arguments = ["backtest", "--strategy", "macd-cross", "--data", str(fx), "--json"]
    as_equity = json.loads(runner.invoke(app, [*arguments, "--asset-class", "equity"]).stdout)
    as_forex = json.loads(
        runner.invoke(app, [*arguments, "--symbol", "EURUSD", "--timeframe", "1h"]).stdout
    )
    assert as_forex["symbol"] == "EURUSD"
    assert as_forex["timeframe"] == "1h"
    forex_prices = {t["entry_price"] for t in as_forex["trades"]}
    assert any(len(price.split(".")[1]) == 5 for price in forex_prices)
    equity_prices = {t["entry_price"] for t in as_equity["trades"]}
    assert all(len(price.split(".")[1]) <= 2 for price in equity_prices)


def test_non_finite_numbers_are_refused_without_a_traceback() -> None:
    for option in ("--cash", "--size-pct", "--volume-cap"):
        outcome = runner.invoke(
            app, ["backtest", "--strategy", "sma-cross", "--symbol", "SPY", option, "snan"]
        )
        assert outcome.exit_code == 2, option
        assert "Traceback" not in outcome.output
        assert option in outcome.output


def test_spread_pips_on_a_stock_is_an_error_not_silently_ignored() -> None:
    outcome = runner.invoke(
        app, ["backtest", "--strategy", "sma-cross", "--symbol", "SPY", "--spread-pips", "1.5"]
    )
    assert outcome.exit_code == 1
    assert "--spread-pips applies to forex pairs; SPY is equity" in outcome.output
