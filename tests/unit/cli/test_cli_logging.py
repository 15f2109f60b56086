"""Logging is configured once at start: -v/-vv, --log-level, --log-format and the
PAPERDESK_LOG_LEVEL / PAPERDESK_LOG_FORMAT settings; records go to stderr."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from paperdesk.cli import app

runner = CliRunner()
LEDGER_LINE = "paperdesk.service.container: ledger: sqlite:///"  # logged at INFO


@pytest.fixture(autouse=True)
def home(clean_environment: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Path]:
    """A fresh home, and the root logger as it was after each test."""
    clean_environment.setenv("PAPERDESK_HOME", str(tmp_path))
    root = logging.getLogger()
    level, handlers = root.level, list(root.handlers)
    yield tmp_path
    root.setLevel(level)
    root.handlers[:] = handlers


def list_portfolios(*options: str, env: dict[str, str] | None = None) -> tuple[int, str]:
    result = runner.invoke(app, [*options, "portfolio", "list"], env=env)
    return result.exit_code, result.stderr


def test_by_default_only_warnings_are_shown() -> None:
    code, err = list_portfolios()
    assert code == 0
    assert "INFO" not in err
    assert "ledger:" not in err


def test_one_v_shows_info_and_no_debug() -> None:
    code, err = list_portfolios("-v")
    assert code == 0
    assert f"INFO {LEDGER_LINE}" in err
    assert "DEBUG" not in err


def test_two_v_show_debug() -> None:
    code, err = list_portfolios("-vv")
    assert code == 0
    assert "DEBUG paperdesk.cli: paperdesk " in err
    assert "log level DEBUG, format text" in err
    assert f"INFO {LEDGER_LINE}" in err


def test_log_level_wins_over_v() -> None:
    code, err = list_portfolios("-vv", "--log-level", "error")
    assert code == 0
    assert "INFO" not in err
    assert "DEBUG" not in err


def test_the_level_comes_from_the_environment() -> None:
    code, err = list_portfolios(env={"PAPERDESK_LOG_LEVEL": "info"})
    assert code == 0
    assert f"INFO {LEDGER_LINE}" in err


def test_v_wins_over_the_environment() -> None:
    code, err = list_portfolios("-vv", env={"PAPERDESK_LOG_LEVEL": "ERROR"})
    assert code == 0
    assert "DEBUG" in err


def json_records(err: str) -> list[dict[str, object]]:
    records = [json.loads(line) for line in err.splitlines() if line.strip()]
    assert records, "no log record was written"
    return records


def test_json_lines_on_stderr_with_the_option() -> None:
    code, err = list_portfolios("-v", "--log-format", "json")
    assert code == 0
    records = json_records(err)
    assert all(set(r) >= {"time", "level", "logger", "message"} for r in records)
    ledger = [r for r in records if r["logger"] == "paperdesk.service.container"]
    assert ledger[0]["level"] == "INFO"
    assert str(ledger[0]["message"]).startswith("ledger: sqlite:///")


def test_json_lines_from_the_environment() -> None:
    code, err = list_portfolios(
        env={"PAPERDESK_LOG_LEVEL": "DEBUG", "PAPERDESK_LOG_FORMAT": "json"}
    )
    assert code == 0
    levels = {r["level"] for r in json_records(err)}
    assert {"DEBUG", "INFO"} <= levels


def test_results_stay_on_stdout() -> None:
    result = runner.invoke(app, ["-vv", "portfolio", "list", "--json"])
    assert result.exit_code == 0
    assert json.loads(result.stdout) == {"portfolios": []}


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        (
            ("--log-level", "loud"),
            "error: invalid value for --log-level: 'loud' (expected DEBUG, INFO, WARNING, ERROR "
            "or CRITICAL)",
        ),
        (
            ("--log-format", "xml"),
            "error: invalid value for --log-format: 'xml' (expected text or json)",
        ),
    ],
)
def test_a_bad_option_is_one_usage_error(options: tuple[str, ...], expected: str) -> None:
    """Written as every other option's bad value: ``invalid value for --OPTION: 'X' (expected
    ...)``."""
    code, err = list_portfolios(*options)
    assert code == 2
    assert err == expected + "\n"


@pytest.mark.parametrize(
    ("variable", "value"), [("PAPERDESK_LOG_LEVEL", "loud"), ("PAPERDESK_LOG_FORMAT", "xml")]
)
def test_a_bad_variable_is_one_error_naming_it(variable: str, value: str) -> None:
    code, err = list_portfolios(env={variable: value})
    assert code == 1
    assert err.startswith(f"error: {variable} is '{value}'; expected one of")
    assert "Traceback" not in err


def test_a_commands_help_reads_no_settings_but_running_it_does() -> None:
    """A command's --help shows even when a setting is bad (the help reads no settings: they
    cost 0.1 s: the flags alone set its logging); running the command still refuses it,
    naming the variable."""
    env = {"PAPERDESK_LOG_LEVEL": "bogus"}
    helped = runner.invoke(app, ["-vv", "portfolio", "list", "--help"], env=env)
    assert helped.exit_code == 0
    assert "Usage" in helped.stdout
    assert "log level DEBUG, format text" in helped.stderr
    code, err = list_portfolios(env=env)
    assert code != 0
    assert "PAPERDESK_LOG_LEVEL is 'bogus'" in err


def test_help_after_a_double_dash_is_no_help_request() -> None:
    from paperdesk.cli.lazy import asks_for_help

    assert asks_for_help(["portfolio", "list", "--help"])
    assert not asks_for_help(["portfolio", "list"])
    assert not asks_for_help(["trade", "--", "--help"])
