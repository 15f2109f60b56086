"""The demo's closing hints are commands that work when pasted: the full path of the running
``paperdesk`` when it is not on the PATH (with how to put it there), else just ``paperdesk``."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from paperdesk.cli import app
from paperdesk.cli.first_steps import next_steps


@pytest.fixture
def venv_script(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """``paperdesk`` running from ``<tmp>/.venv/bin`` (a venv with an activate script)."""
    bin_folder = tmp_path / ".venv" / "bin"
    bin_folder.mkdir(parents=True)
    script = bin_folder / "paperdesk"
    script.write_text("#!/bin/sh\n")
    (bin_folder / "activate").write_text("# activate\n")
    monkeypatch.setattr(sys, "argv", [str(script), "demo"])
    return script


def test_not_on_the_path_the_hints_use_the_full_path(
    venv_script: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(shutil, "which", lambda name: None)
    assert next_steps(3) == [
        "next:",
        f"  {venv_script.resolve()} portfolio show 3",
        f"  {venv_script.resolve()} audit 3",
        f"  {venv_script.resolve()} trade 3 SPY DRY",
        f"(to type just 'paperdesk': source {venv_script.resolve().parent / 'activate'})",
    ]


def test_on_the_path_the_hints_say_paperdesk(
    venv_script: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(shutil, "which", lambda name: str(venv_script))
    assert next_steps(3) == [
        "next:",
        "  paperdesk portfolio show 3",
        "  paperdesk audit 3",
        "  paperdesk trade 3 SPY DRY",
    ]


def test_the_demo_ends_with_the_hints(
    venv_script: Path, monkeypatch: pytest.MonkeyPatch, clean_environment: pytest.MonkeyPatch
) -> None:
    clean_environment.setenv("PAPERDESK_HOME", str(venv_script.parent / "home"))
    monkeypatch.setattr(shutil, "which", lambda name: None)
    result = CliRunner().invoke(app, ["demo", "--bars", "1"], env={"COLUMNS": "300"})
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines()[-4:] == next_steps(1)[1:]
