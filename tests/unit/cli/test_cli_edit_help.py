"""``portfolio edit --help`` says an option left out keeps the stored value: it printed a new
run's defaults ("--strategy ... (default: macd-cross)", "--exposure-cap ... (default: 80%)"),
which an edit never applies."""

from __future__ import annotations

import re

from typer.testing import CliRunner

from paperdesk.cli import app
from paperdesk.cli.run_options import keys_for
from paperdesk.service.run_files import DECLARED

runner = CliRunner()


def _help(*command: str) -> str:
    result = runner.invoke(app, [*command, "--help"], env={"COLUMNS": "400"})
    assert result.exit_code == 0, result.output
    return result.stdout


def _defaults(text: str) -> dict[str, str]:
    """Each option's shown default, by its flag."""
    shown = {}
    for line in text.splitlines():
        flag = re.search(r"│ (--[a-z-]+)", line)
        default = re.search(r"\(default: ([^)]*)\)", line)
        if flag and default:
            shown[flag.group(1)] = default.group(1)
    return shown


def test_every_edit_option_defaults_to_unchanged() -> None:
    edited = _defaults(_help("portfolio", "edit"))
    flags = {DECLARED[key].option.cli_flag for key in keys_for("portfolio")}
    assert flags | {"--strategy"} <= set(edited)
    assert set(edited.values()) == {"unchanged"}


def test_create_portfolio_keeps_a_new_runs_defaults() -> None:
    created = _defaults(_help("create-portfolio"))
    assert created["--strategy"] == "macd-cross"  # the README's default
    assert "unchanged" not in created.values()
