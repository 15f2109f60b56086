"""SQLite's ``BEGIN IMMEDIATE`` of every transaction goes on the driver's cursor when nothing
listens to the statements (``prebuilt.send``), and through ``exec_driver_sql`` (seen by the
listeners) when something does; either way the transaction holds the write lock from its
start."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Connection, event

from paperdesk.store import Database


def _locked_for_others(file: Path) -> bool:
    other = sqlite3.connect(file, timeout=0, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError as error:
        return "locked" in str(error)
    finally:
        other.close()
    return False


@pytest.fixture
def ledger(tmp_path: Path) -> Any:
    file = tmp_path / "ledger.db"
    database = Database(f"sqlite:///{file}")
    yield database, file
    database.close()


def test_begin_on_the_cursor_when_nothing_listens(
    ledger: tuple[Database, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    database, file = ledger
    sent: list[str] = []
    original = Connection.exec_driver_sql

    def noted(self: Connection, statement: str, *arguments: Any, **options: Any) -> Any:
        sent.append(statement)
        return original(self, statement, *arguments, **options)

    monkeypatch.setattr(Connection, "exec_driver_sql", noted)
    with database.transaction() as repository:
        repository.outbox_last_sequence()
        assert _locked_for_others(file)
    assert not [statement for statement in sent if statement.startswith("BEGIN")]
    assert not _locked_for_others(file)


def test_begin_seen_by_a_statement_listener(ledger: tuple[Database, Path]) -> None:
    database, file = ledger
    seen: list[str] = []

    def note(*arguments: Any) -> None:
        seen.append(str(arguments[2]))

    event.listen(database.engine, "before_cursor_execute", note)
    try:
        with database.transaction() as repository:
            repository.outbox_last_sequence()
            assert _locked_for_others(file)
    finally:
        event.remove(database.engine, "before_cursor_execute", note)
    assert seen[0] == "BEGIN IMMEDIATE"
