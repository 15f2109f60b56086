"""``paperdesk backtest`` through CliRunner, with the engine replaced by a fake."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from typer.testing import CliRunner

from paperdesk.cli import app
from paperdesk.cli.output import progress_bar
from paperdesk.config import FillTiming, SizeTiming
from paperdesk.domain import DataError

if TYPE_CHECKING:
    from backtest_fakes import FakeEngine

runner = CliRunner()


def test_options_become_the_exact_config(engine: FakeEngine, prices_csv: str) -> None:
    arguments = [
        "backtest",
        "--strategy",
        "sma-cross",
        "--param",
        "fast=5",
        "-p",
        "slow=20",
        "--data",
        prices_csv,
        "--cash",
        "12345.67",
        "--commission",
        "percent:0.1",
        "--slippage-bps",
        "0.5",
        "--fill",
        "close",
        "--from",
        "2020-01-01",
        "--to",
        "2020-12-31",
        "--sizer",
        "fixed",
        "--quantity",
        "3.5",
        "--size-at",
        "fill",
        "--allow-short",
        "--pyramiding",
        "--exposure-cap",
        "none",
        "--max-position-pct",
        "50",
        "--max-open-positions",
        "2",
        "--max-holding-bars",
        "30",
        "--daily-loss-limit",
        "3",
        "--min-confidence",
        "0.5",
        "--cooldown-bars",
        "4",
        "--volume-cap",
        "0.25",
        "--json",
    ]
    result = runner.invoke(app, arguments)
    assert result.exit_code == 0, result.output
    config = engine.config
    assert config.strategy == "sma-cross"
    assert config.params == {"fast": 5, "slow": 20}
    assert config.data == Path(prices_csv)
    assert config.symbol is None
    assert config.cash == Decimal("12345.67")
    assert (config.start, config.end) == (date(2020, 1, 1), date(2020, 12, 31))
    assert config.execution.commission == "percent:0.1"
    assert config.execution.slippage_bps == Decimal("0.5")
    assert config.execution.fill_timing is FillTiming.CLOSE
    assert config.execution.volume_cap == Decimal("0.25")
    assert config.sizing.method == "fixed"
    assert config.sizing.quantity == Decimal("3.5")
    assert config.sizing.timing is SizeTiming.FILL
    assert config.risk.allow_short is True
    assert config.risk.pyramiding is True
    assert config.risk.exposure_cap_percent is None
    assert config.risk.max_position_percent == Decimal("50")
    assert config.risk.max_open_positions == 2
    assert config.risk.max_holding_bars == 30
    assert config.risk.daily_loss_limit_percent == Decimal("3")
    assert config.risk.min_confidence == 0.5
    assert config.risk.cooldown_bars == 4


def test_json_output_is_one_object(engine: FakeEngine) -> None:
    result = runner.invoke(app, ["backtest", "-s", "sma-cross", "--symbol", "SPY", "--json"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)  # fails on anything but exactly one JSON document
    assert isinstance(document, dict)
    assert result.stderr == ""
    assert document["final_equity"] == "10234.5678901234"
    assert document["stats"]["profit_factor"] is None  # undefined (no losses): null
    assert document["stats"]["sharpe"] == 0.8
    first, second = document["trades"]
    assert first == {
        "entry_time": "2020-01-03T14:30:00+00:00",
        "exit_time": "2020-02-03T14:30:00+00:00",
        "side": "long",
        "quantity": "10",
        "entry_price": "300.125",
        "exit_price": "340.1",
        "gross_pnl": "399.7500000001",
        "fees": "1.75",
        "pnl": "398.0000000001",
        "exit_reason": "signal",
    }
    assert second["side"] == "short"
    assert engine.progress_callbacks == [None]  # no progress bar with --json


def test_human_output_shows_stats_and_trades(engine: FakeEngine) -> None:
    arguments = ["backtest", "-s", "sma-cross", "--symbol", "SPY"]
    result = runner.invoke(app, arguments, env={"COLUMNS": "160"})
    assert result.exit_code == 0, result.output
    for text in (
        "Final equity",
        "10,234.57",  # 10 decimals, more than 3 past the cent: rounded half-up to it
        "Max drawdown",
        "2020-03-23",
        "Profit factor",
        "Buy & hold return",
        "stop_loss",
        "Last 2 of 2 trades",
    ):
        assert text in result.stdout
    assert engine.progress_callbacks == [None]  # stderr is not a terminal here


def test_run_file_with_command_line_override(engine: FakeEngine, tmp_path: Path) -> None:
    (tmp_path / "prices.csv").write_text("x\n")
    run_file = tmp_path / "run.toml"
    run_file.write_text(
        'strategy = "sma-cross"\ndata = "prices.csv"\ncash = 5000\n[params]\nfast = 10\n'
    )
    result = runner.invoke(
        app,
        ["backtest", "--config", str(run_file), "--cash", "6000", "--param", "slow=30", "--json"],
    )
    assert result.exit_code == 0, result.output
    assert engine.config.cash == Decimal("6000")
    assert engine.config.data == tmp_path / "prices.csv"
    assert engine.config.params == {"fast": 10, "slow": 30}


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--data", "absent.csv"], "data file not found: absent.csv"),
        (["--symbol", "SPY", "--param", "fast"], "invalid value for --param: 'fast'"),
        (["--symbol", "SPY", "--fill", "later"], "--fill: 'later' (expected next-open or close)"),
        (["--symbol", "SPY", "--cash", "ten"], "--cash: 'ten'"),
        (["--symbol", "SPY", "--config", "absent.toml"], "run file not found: absent.toml"),
        (["--symbol", "SPY", "--bogus"], "No such option: --bogus"),
        ([], "no data given"),
    ],
)
def test_usage_errors_are_one_line_with_exit_code_2(
    engine: FakeEngine, arguments: list[str], message: str
) -> None:
    result = runner.invoke(app, ["backtest", "-s", "sma-cross", *arguments])
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("error: ")
    assert message in lines[0]
    assert engine.configs == []


def test_malformed_and_unknown_run_file(engine: FakeEngine, tmp_path: Path) -> None:
    broken = tmp_path / "broken.toml"
    broken.write_text("strategy = \n")
    unknown = tmp_path / "unknown.toml"
    unknown.write_text('strategy = "s"\nsymbol = "A"\nmargin_rate = 2\n')
    misplaced = tmp_path / "misplaced.toml"  # a known key without the account it needs
    misplaced.write_text('strategy = "s"\nsymbol = "A"\nleverage = 2\n')
    for run_file, message in (
        (broken, "malformed TOML"),
        (unknown, "unknown key 'margin_rate'"),
        (misplaced, "--leverage 2 applies only to --account margin"),
    ):
        result = runner.invoke(app, ["backtest", "--config", str(run_file)])
        assert result.exit_code == 2
        assert "Traceback" not in result.output
        assert result.stderr.startswith("error: ")
        assert message in result.stderr


def test_engine_errors_are_one_line_with_exit_code_1(engine: FakeEngine) -> None:
    engine.error = DataError("no bars for SPY 1d between 2020-01-01 and 2020-02-01")
    result = runner.invoke(app, ["backtest", "-s", "sma-cross", "--symbol", "SPY", "--json"])
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == "error: no bars for SPY 1d between 2020-01-01 and 2020-02-01\n"


def test_missing_file_from_the_engine_is_one_line(engine: FakeEngine) -> None:
    engine.error = FileNotFoundError(2, "No such file or directory", "SPY_1d.csv")
    result = runner.invoke(app, ["backtest", "-s", "sma-cross", "--symbol", "SPY"])
    assert result.exit_code == 1
    assert result.stderr == "error: No such file or directory: SPY_1d.csv\n"


def test_progress_bar_callback_draws_on_stderr() -> None:
    with progress_bar(enabled=True) as update:
        assert update is not None
        update(5, 10)
    with progress_bar(enabled=False) as nothing:
        assert nothing is None


def test_long_only_flag_overrides_the_run_file(engine: FakeEngine, tmp_path: Path) -> None:
    run_file = tmp_path / "run.toml"
    run_file.write_text('strategy = "s"\nsymbol = "A"\nallow_short = true\nexposure_cap = 50\n')
    result = runner.invoke(app, ["backtest", "--config", str(run_file), "--long-only", "--json"])
    assert result.exit_code == 0, result.output
    assert engine.config.risk.allow_short is False
    assert engine.config.risk.exposure_cap_percent == Decimal("50")


@pytest.mark.parametrize(
    ("param", "shown"),
    [
        ("fast=true", "value 'true' is not a valid int"),
        ("fast=false", "value 'false' is not a valid int"),
        ("fast=[10]", "value '[10]' is not a valid int"),
        ("fast=2021-03-01", "value '2021-03-01' is not a valid int"),
    ],
)
def test_a_refused_parameter_is_shown_as_typed(paper_home: Path, param: str, shown: str) -> None:
    """``--param fast=true``: the message quotes the text typed, not Python's spelling of the
    value read from it (``True``, ``[10]``, ``datetime.date(2021, 3, 1)``)."""
    result = runner.invoke(app, ["backtest", "--symbol", "SPY", "-s", "sma-cross", "-p", param])
    assert result.exit_code == 1
    assert result.stderr == f"error: parameter 'fast': {shown}\n"
