"""A ledger whose disk refuses writes (a read-only file, a full disk, a PostgreSQL standby) is
one error naming the ledger and what to check, never a traceback, and nothing is written."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text

from ledger_faults import refuse_writes
from ledger_templates import SqliteTemplate
from paperdesk.domain import LedgerUnavailableError
from paperdesk.store import Database
from table_dump import dump_all_tables


def write_a_row_and_a_table(database: Database) -> None:
    with database.writing_connection() as connection:
        connection.execute(text("UPDATE portfolios SET name = name || 'x'"))
        connection.execute(text("CREATE TABLE scratch_refused (x INTEGER)"))


def refusal(database: Database) -> str:
    with pytest.raises(LedgerUnavailableError) as caught:
        write_a_row_and_a_table(database)
    return str(caught.value)


def test_a_read_only_ledger_is_named_and_nothing_is_written(database: Database) -> None:
    before = dump_all_tables(database.url)
    refuse_writes(database)
    message = refusal(database)
    assert message.startswith(f"cannot write the ledger {database.describe()}: ")
    assert message.endswith("; nothing was written")
    assert ("read-only" in message) or ("readonly" in message)
    assert dump_all_tables(database.url) == before


def test_a_full_sqlite_disk_is_named(sqlite_template: SqliteTemplate, tmp_path: Path) -> None:
    # SQLite only: a full disk is simulated with its page limit (no skip on PostgreSQL)
    sqlite_template.copy_to(tmp_path / "ledger.db")
    database = Database(f"sqlite:///{tmp_path / 'ledger.db'}")
    try:
        refuse_writes(database, full=True)
        assert "database or disk is full (its disk is full: free some space)" in refusal(database)
    finally:
        database.close()


@pytest.mark.parametrize("below", ["", "sub/deeper"])
def test_a_sqlite_ledger_under_a_file_names_the_file_and_the_setting(
    tmp_path: Path, below: str
) -> None:
    a_file = tmp_path / "home"
    a_file.write_text("not a folder")
    ledger = a_file / below / "paperdesk.db"
    with pytest.raises(LedgerUnavailableError) as caught:
        Database(f"sqlite:///{ledger}").prepare()
    assert str(caught.value) == (
        f"cannot make the folder {ledger.parent} of the SQLite ledger {ledger}: {a_file} is a "
        "file, not a folder; check PAPERDESK_HOME (or DATABASE_URL)"
    )
    assert a_file.read_text() == "not a folder"
