"""``paperdesk --version``, ``paperdesk strategies`` and the ``main()`` entry point."""

from __future__ import annotations

import json
import sys
from types import SimpleNamespace

import pytest
from typer.testing import CliRunner

from paperdesk import cli, native
from paperdesk.analysis.strategies.common import StrategyKind
from paperdesk.analysis.strategies.registry import StrategyDescription
from paperdesk.cli import app

runner = CliRunner()


FAST = StrategyDescription("fast", StrategyKind.VECTORISED, "A fast one.", (), "built-in")
SLOW = StrategyDescription(
    "slow", StrategyKind.PER_BAR, "A [bold]slow[/bold] one.", (), "path 'slow.py'"
)


@pytest.fixture
def registry(monkeypatch: pytest.MonkeyPatch) -> None:
    fake = SimpleNamespace(describe_strategies=lambda: [FAST, SLOW])
    package = SimpleNamespace(registry=fake)
    monkeypatch.setitem(sys.modules, "paperdesk.analysis.strategies", package)


def test_version() -> None:
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.stdout.startswith("paperdesk ")


@pytest.mark.parametrize(
    ("state", "line"),
    [
        (native.NativeStatus(True, "compiled by mypyc 2.4.1"), "compiled by mypyc 2.4.1"),
        (
            native.NativeStatus(False, "turned off by PAPERDESK_NATIVE=0"),
            "interpreted: turned off by PAPERDESK_NATIVE=0",
        ),
    ],
)
def test_version_says_which_build_of_the_kernel_runs(
    monkeypatch: pytest.MonkeyPatch, state: native.NativeStatus, line: str
) -> None:
    monkeypatch.setattr(native, "status", lambda: state)
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.stdout.splitlines()[1] == f"event kernel: {line}"


def test_no_command_shows_help() -> None:
    result = runner.invoke(app, [])
    assert result.exit_code == 0
    assert "backtest" in result.stdout


def test_unknown_command_is_a_usage_error() -> None:
    result = runner.invoke(app, ["frobnicate"])
    assert result.exit_code == 2
    assert result.stderr.startswith("error: No such command 'frobnicate'")


@pytest.mark.usefixtures("registry")
def test_strategies_table() -> None:
    result = runner.invoke(app, ["strategies"])
    assert result.exit_code == 0, result.output
    assert "fast" in result.stdout
    assert "A fast one." in result.stdout
    assert "A [bold]slow[/bold] one." in result.stdout  # printed as written, not as markup
    assert result.stdout.index("fast") < result.stdout.index("slow")


@pytest.mark.usefixtures("registry")
def test_strategies_json() -> None:
    result = runner.invoke(app, ["strategies", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {
        "strategies": [
            {
                "name": "fast",
                "kind": "vectorised",
                "description": "A fast one.",
                "source": "built-in",
                "parameters": [],
            },
            {
                "name": "slow",
                "kind": "per-bar",
                "description": "A [bold]slow[/bold] one.",
                "source": "path 'slow.py'",
                "parameters": [],
            },
        ]
    }


def test_main_exits_with_one_line_and_code(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    arguments = ["paperdesk", "backtest", "-s", "x", "--symbol", "A", "--fill", "soon"]
    monkeypatch.setattr(sys, "argv", arguments)
    with pytest.raises(SystemExit) as exit_info:
        cli.main()
    assert exit_info.value.code == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith("error: invalid value for --fill: 'soon'")
    assert "Traceback" not in captured.err
