"""Which ledger a command uses, and ledgers that cannot be used as they are: named, refused
with one error line, never created, re-created or shown with their password."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from paper_cli_helpers import fails, invoke, ok
from sqlalchemy import create_engine, text

from paperdesk.cli import services as cli_services


@pytest.fixture(autouse=True)
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("PAPERDESK_HOME", str(tmp_path))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.delenv("REDIS_URL", raising=False)
    return tmp_path


def test_db_status_of_a_mistyped_path_creates_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    typo = tmp_path / "typo" / "deeper" / "ledger.db"
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{typo}")
    result = ok("db", "status")
    assert str(typo) in result.stdout
    assert "no database file there yet" in result.stdout
    assert not (tmp_path / "typo").exists()


def test_a_zero_length_ledger_is_refused_and_left_alone(home: Path) -> None:
    ledger = home / "paperdesk.db"
    ledger.touch()
    for command in (("portfolio", "list"), ("create-portfolio", "x", "100"), ("db", "status")):
        assert "is an empty file" in fails(*command)
    assert ledger.stat().st_size == 0


def test_a_malformed_database_url_never_shows_its_password(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgresql://trader:s3cret@db.example:port:x/ledger")
    result = invoke("portfolio", "list")
    assert result.exit_code != 0
    assert "s3cret" not in result.stdout + result.stderr
    assert "trader:***@" in fails("portfolio", "list")


def test_the_ledger_is_named_first_on_a_terminal(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cli_services, "stderr_is_terminal", lambda: True)
    result = ok("portfolio", "list")
    first = result.stderr.splitlines()[0]
    assert first == f"ledger: sqlite:///{home / 'paperdesk.db'}"


@pytest.mark.parametrize("verbosity", ["-v", "-vv"])
def test_the_ledger_is_named_once_when_verbose(
    home: Path, monkeypatch: pytest.MonkeyPatch, verbosity: str
) -> None:
    """The log (at info and debug) does not repeat the line the terminal already shows."""
    monkeypatch.setattr(cli_services, "stderr_is_terminal", lambda: True)
    root = logging.getLogger()
    monkeypatch.setattr(root, "level", root.level)  # the next test's commands log as before
    result = ok(verbosity, "portfolio", "list")
    named = [line for line in result.stderr.splitlines() if "ledger: sqlite:///" in line]
    assert len(named) == 1, result.stderr


def test_names_with_escape_codes_never_reach_the_terminal(home: Path) -> None:
    assert "printable" in fails("create-portfolio", "\x1b[2Jwiped", "100")
    ok("create-portfolio", "plain", "100")
    engine = create_engine(f"sqlite:///{home / 'paperdesk.db'}")
    with engine.begin() as connection:  # a name stored before names were checked
        connection.execute(text("UPDATE portfolios SET name = :name"), {"name": "\x1b[31mred"})
    engine.dispose()
    for command in (("portfolio", "list"), ("portfolio", "show", "1")):
        output = ok(*command).stdout
        assert "\x1b" not in output
        assert "\\x1b[31mred" in output
