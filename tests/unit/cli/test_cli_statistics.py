"""The statistics options on the command line: the report's rows at 80 columns, the JSON
figures (6 decimals, null when undefined), a portfolio's performance against its benchmark, and
one clear error for a bad value."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from paperdesk.cli import app

runner = CliRunner()
NARROW = {"COLUMNS": "80"}
BACKTEST = ["backtest", "-s", "sma-cross", "--symbol", "SPY", "--from", "2019-01-01",
            "--to", "2019-12-31"]  # fmt: skip
NEW_FIGURES = (
    "returns_basis", "periods_per_year", "risk_free_rate_pct", "volatility_pct",
    "max_drawdown_duration_days", "expectancy", "probabilistic_sharpe_pct", "benchmark",
    "alpha_pct", "beta", "tracking_error_pct", "information_ratio", "treynor_ratio",
)  # fmt: skip


def invoke(*arguments: str) -> str:
    result = runner.invoke(app, list(arguments), env=NARROW)
    assert result.exit_code == 0, (result.stdout, result.stderr)
    return result.stdout


def row(out: str, label: str) -> str:
    line = next(line for line in out.splitlines() if line.startswith(label))
    return line[len(label) :].strip()


def test_the_report_shows_the_conventions_and_the_benchmark_within_80_columns() -> None:
    out = invoke(*BACKTEST, "--benchmark", "SPY", "--risk-free-rate", "2", "--returns", "daily")
    for line in out.splitlines():
        assert len(line.rstrip()) <= 80, line
    assert row(out, "Returns") == "daily returns, 252/yr, risk-free 2.00%"
    assert row(out, "Benchmark") == "SPY"
    for label in (
        "Alpha (annual)",
        "Tracking error",
        "Treynor ratio",
        "Volatility (annual)",
        "Probabilistic Sharpe",
    ):
        assert re.fullmatch(r"-?\d+\.\d\d%", row(out, label)), label  # fmt: skip
    assert re.fullmatch(r"-?\d+\.\d\d", row(out, "Beta"))
    longest = row(out, "Longest drawdown")  # a duration as every duration reads: 3 d 4 h
    assert re.fullmatch(r"\d+ d( \d+ h)?|\d+ h( \d+ min)?|\d+ min( \d+ s)?|\d+ s", longest)
    assert "Beta" not in invoke(*BACKTEST)  # no benchmark, no benchmark rows


def test_json_has_every_figure_rounded_to_6_decimals_or_null() -> None:
    stats = json.loads(invoke(*BACKTEST, "--benchmark", "SPY", "--json"))["stats"]
    for key in NEW_FIGURES:
        assert key in stats, key
    for key, value in stats.items():
        if isinstance(value, float):
            assert len(repr(value).partition(".")[2]) <= 6, (key, value)
    assert stats["benchmark"] == "SPY"
    assert isinstance(stats["beta"], float)
    plain = json.loads(invoke(*BACKTEST, "--json"))["stats"]
    assert plain["benchmark"] is None
    assert plain["alpha_pct"] is None
    assert plain["information_ratio"] is None
    assert plain["periods_per_year"] == 252


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--risk-free-rate", "abc"], "error: invalid value for --risk-free-rate: 'abc' "
         "(expected a number at least -100 and at most 100)"),
        (["--returns", "weekly"], "error: invalid value for --returns: 'weekly' "
         "(expected bar or daily)"),
        (["--benchmark", "XYZQ"], "error: invalid value for --benchmark: 'XYZQ' (no 1d bars"),
    ],
)  # fmt: skip
def test_bad_values_are_one_line_naming_the_option(arguments: list[str], message: str) -> None:
    result = runner.invoke(app, [*BACKTEST, *arguments], env=NARROW)
    assert result.exit_code != 0
    assert "Traceback" not in result.output
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, lines
    assert lines[0].startswith(message), lines[0]


@pytest.fixture
def home(tmp_path: Path) -> Iterator[Path]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PAPERDESK_HOME", str(tmp_path))
        patch.delenv("DATABASE_URL", raising=False)
        patch.delenv("REDIS_URL", raising=False)
        yield tmp_path


def test_a_portfolio_measures_its_performance_against_its_benchmark(home: Path) -> None:
    refused = runner.invoke(app, ["create-portfolio", "Bad", "10000", "--symbol", "AAPL",
                                  "--benchmark", "XYZQ"], env=NARROW)  # fmt: skip
    assert refused.exit_code != 0
    assert "invalid value for --benchmark: 'XYZQ'" in refused.stderr
    assert json.loads(invoke("portfolio", "list", "--all", "--json")) == {"portfolios": []}
    invoke("create-portfolio", "Apple", "25000", "--symbol", "AAPL", "--source", "replay",
           "--replay-from", "2020-01-02", "--benchmark", "SPY",
           "--risk-free-rate", "1.5")  # fmt: skip
    invoke("run", "--portfolio", "1", "--every", "0.001s", "--max-ticks", "30")
    stats = json.loads(invoke("portfolio", "performance", "1", "--json"))["stats"]
    assert stats["benchmark"] == "SPY"
    assert stats["risk_free_rate_pct"] == 1.5
    assert stats["periods_per_year"] == 253  # the NYSE's sessions of 2020
    assert isinstance(stats["beta"], float)
    out = invoke("portfolio", "performance", "1")
    assert row(out, "Benchmark") == "SPY"
    for line in out.splitlines():
        assert len(line.rstrip()) <= 80, line


def test_editing_a_portfolio_to_an_unknown_benchmark_changes_nothing(home: Path) -> None:
    invoke("create-portfolio", "Spy", "10000", "--symbol", "SPY", "--benchmark", "SPY")
    refused = runner.invoke(app, ["portfolio", "edit", "1", "--benchmark", "XYZQ"], env=NARROW)
    assert refused.exit_code != 0
    assert "invalid value for --benchmark: 'XYZQ'" in refused.stderr
    assert "Traceback" not in refused.output
    changed = invoke("portfolio", "edit", "1", "--benchmark", "none", "--returns", "daily")
    assert 'statistics.benchmark "SPY" -> null' in changed
    assert 'statistics.returns "bar" -> "daily"' in changed
