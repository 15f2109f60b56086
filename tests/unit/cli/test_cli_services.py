"""One service container per command, closed at its end, found without the ``click`` package
(Typer carries its own; a base install of paperdesk has no ``click``)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from paperdesk.cli import app
from paperdesk.service.container import Services

WITHOUT_CLICK = """
import sys
sys.modules["click"] = None  # as in an install without the dev tools
sys.argv = ["paperdesk", *sys.argv[1:]]
from paperdesk.cli import main
main()
"""


@pytest.fixture
def home(clean_environment: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    clean_environment.setenv("PAPERDESK_HOME", str(tmp_path))
    return tmp_path


@pytest.mark.usefixtures("home")
def test_commands_run_without_the_click_package() -> None:
    done = subprocess.run(
        [sys.executable, "-c", WITHOUT_CLICK, "portfolio", "list", "--json"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == '{"portfolios": []}'


@pytest.mark.usefixtures("home")
def test_a_command_uses_one_container_and_closes_it(monkeypatch: pytest.MonkeyPatch) -> None:
    made: list[Services] = []
    closed: list[Services] = []
    real_init, real_close = Services.__init__, Services.close

    def init(self: Services, *args: object, **kwargs: object) -> None:
        made.append(self)
        real_init(self, *args, **kwargs)  # type: ignore[arg-type]

    def close(self: Services) -> None:
        closed.append(self)
        real_close(self)

    monkeypatch.setattr(Services, "__init__", init)
    monkeypatch.setattr(Services, "close", close)
    result = CliRunner().invoke(app, ["demo", "--bars", "1"])
    assert result.exit_code == 0, result.stderr
    assert len(made) == 1
    assert closed == made
