"""The command line starts light: its help imports none of the heavy libraries, and the root
help's command list (written without importing the commands) matches the commands' own help."""

from __future__ import annotations

import inspect
import json
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from paperdesk.cli import app
from paperdesk.cli.lazy import COMMANDS

HEAVY = (
    "pandas", "sqlalchemy", "alembic", "httpx", "exchange_calendars", "jsonschema", "numpy",
    "talib", "pyarrow", "redis", "ccxt",
)  # fmt: skip

PROBE = """
import json, sys
from typer.testing import CliRunner
from paperdesk.cli import app
result = CliRunner().invoke(app, sys.argv[1:])
heavy = [name for name in json.loads(sys.stdin.read()) if name in sys.modules]
print(json.dumps({"code": result.exit_code, "output": result.stdout, "heavy": heavy}))
"""


def help_in_a_fresh_interpreter(*args: str) -> dict[str, object]:
    done = subprocess.run(
        [sys.executable, "-c", PROBE, *args],
        input=json.dumps(HEAVY),
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(done.stdout)  # type: ignore[no-any-return]


@pytest.mark.parametrize("args", [("--help",), ("backtest", "--help")])
def test_help_imports_no_heavy_library(args: tuple[str, ...]) -> None:
    outcome = help_in_a_fresh_interpreter(*args)
    assert outcome["code"] == 0
    assert "Usage" in str(outcome["output"])
    assert outcome["heavy"] == []


def test_root_help_lists_every_command() -> None:
    result = CliRunner().invoke(app, ["--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0
    for command in COMMANDS:
        assert f" {command.name} " in result.stdout


@pytest.mark.parametrize("entry", COMMANDS, ids=lambda entry: entry.name)
def test_listed_help_line_is_the_commands_own(entry) -> None:  # type: ignore[no-untyped-def]
    loaded = entry.load()
    assert loaded.name == entry.name
    listed = entry.placeholder()
    assert listed.name == entry.name
    assert inspect.cleandoc(listed.help or "") == inspect.cleandoc(loaded.help or "")


def test_the_root_help_reads_no_settings() -> None:
    """The root help builds no service container: pydantic-settings (and the settings the
    container reads) load only when a command runs."""
    done = subprocess.run(
        [sys.executable, "-c", PROBE, "--help"],
        input=json.dumps(["pydantic_settings", "paperdesk.settings", "paperdesk.service"]),
        capture_output=True,
        text=True,
        check=True,
    )
    outcome = json.loads(done.stdout)
    assert outcome["code"] == 0
    assert outcome["heavy"] == []
