"""Every command reads a ``.env`` in the working directory (README, Configuration)."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from paperdesk.cli import app

runner = CliRunner()


@pytest.fixture
def folder(clean_environment: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    clean_environment.delenv("PAPERDESK_ENV_FILE", raising=False)
    clean_environment.chdir(tmp_path)
    return tmp_path


def test_a_command_uses_the_home_the_env_file_names(folder: Path) -> None:
    (folder / ".env").write_text(f"PAPERDESK_HOME={folder / 'from-dotenv'}\n", encoding="utf-8")
    result = runner.invoke(app, ["portfolio", "list"])
    assert result.exit_code == 0, result.output
    assert (folder / "from-dotenv" / "paperdesk.db").is_file()


def test_a_typo_in_the_env_file_stops_the_command_with_one_line(folder: Path) -> None:
    (folder / ".env").write_text("PAPERDESK_HOME_DIR=x\nPAPERDESK_PROVIDRS=yahoo\n")
    result = runner.invoke(app, ["portfolio", "list"])
    assert result.exit_code != 0
    assert result.stderr == (
        f"error: PAPERDESK_PROVIDRS in {folder / '.env'} is not a paperdesk setting "
        "(did you mean PAPERDESK_PROVIDERS?); rename or remove it\n"
    )
    assert not list(folder.glob("**/*.db"))
