"""``paperdesk data providers`` without ccxt installed: the ccxt row says how to install it."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from paperdesk.cli import app

runner = CliRunner()


@pytest.fixture
def home_without_ccxt(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("PAPERDESK_HOME", str(tmp_path))
    monkeypatch.setenv("PAPERDESK_PROVIDERS", "yahoo,ccxt")
    monkeypatch.setitem(sys.modules, "ccxt", None)
    return tmp_path


@pytest.mark.usefixtures("home_without_ccxt")
def test_ccxt_is_listed_unavailable_with_the_install_command() -> None:
    result = runner.invoke(app, ["data", "providers", "--json"])
    assert result.exit_code == 0, result.stderr
    rows = {row["name"]: row for row in json.loads(result.stdout)["providers"]}
    assert rows["yahoo"]["enabled"] is True
    assert rows["ccxt"]["enabled"] is False
    assert "pip install 'paperdesk[crypto]'" in rows["ccxt"]["skipped_reason"]


@pytest.mark.usefixtures("home_without_ccxt")
def test_the_table_shows_the_reason() -> None:
    result = runner.invoke(app, ["data", "providers"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.stderr
    line = next(line for line in result.stdout.splitlines() if "ccxt" in line)
    assert "paperdesk[crypto]" in line
