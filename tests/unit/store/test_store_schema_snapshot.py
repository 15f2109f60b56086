"""A new SQLite ledger is made from the newest schema's snapshot (store/schema_snapshot.py): the
same schema, rows and pragmas as the migrations make, and Alembic only where the snapshot does
not apply."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from paperdesk.store import Database, schema_snapshot


def _state(database: Database) -> dict[str, Any]:
    with database.engine.connect() as connection:
        pragmas = {
            name: connection.exec_driver_sql(f"PRAGMA {name}").scalar_one()
            for name in ("journal_mode", "user_version", "application_id", "foreign_keys")
        }
        indexes = connection.exec_driver_sql(
            "SELECT type, name, tbl_name FROM sqlite_master ORDER BY type, name"
        ).all()
        return {"snapshot": schema_snapshot.build(connection), "pragmas": pragmas, "all": indexes}


def _migrated(folder: Path) -> Database:
    database = Database(f"sqlite:///{folder / 'migrated.db'}", migrate=False)
    database.upgrade(from_snapshot=False)
    return database


def test_the_shipped_snapshot_is_what_the_migrations_make(tmp_path: Path) -> None:
    """Fails when a migration is added without writing the snapshot again (``python -m
    paperdesk.store.schema_snapshot``)."""
    database = _migrated(tmp_path)
    try:
        with database.engine.connect() as connection:
            built = schema_snapshot.build(connection)
        assert schema_snapshot.revision(built) == database.head_revision()
    finally:
        database.close()
    assert schema_snapshot.shipped() == built


def test_a_new_ledger_from_the_snapshot_equals_a_migrated_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    migrated = _migrated(tmp_path)
    expected = _state(migrated)
    migrated.close()

    def no_alembic(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("a new SQLite ledger was migrated by Alembic")

    monkeypatch.setattr("alembic.command.upgrade", no_alembic)
    made = Database(f"sqlite:///{tmp_path / 'new.db'}")  # prepare(): made from the snapshot
    try:
        assert made.is_current()
        assert _state(made) == expected
        with made.engine.begin() as connection:  # its triggers work: an update bumps
            connection.exec_driver_sql(
                "INSERT INTO portfolios (id, name, base_currency, starting_cash, cash, fees_paid,"
                " realized_pnl, status, settings, order_sequence, created_at) VALUES (1, 'p',"
                " 'USD', '10', '10', '0', '0', 'active', '{}', 0, '2026-12-06 00:00:00')"
            )
            connection.exec_driver_sql("UPDATE portfolios SET cash = '9' WHERE id = 1")
        with made.engine.connect() as connection:
            revision = connection.execute(text("SELECT revision FROM portfolios")).scalar_one()
        assert revision == 1
    finally:
        made.close()


def test_a_file_with_a_schema_or_a_stale_snapshot_is_migrated_by_alembic(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    other = Database(f"sqlite:///{tmp_path / 'other.db'}", migrate=False)
    try:
        with other.engine.begin() as connection:
            connection.exec_driver_sql("CREATE TABLE notes (body TEXT)")
            driver = connection.connection.driver_connection
            assert not schema_snapshot.apply(driver, other.head_revision())
        other.upgrade()  # Alembic, beside the table that was there
        assert other.is_current()
        with other.engine.connect() as connection:
            assert connection.exec_driver_sql("SELECT count(*) FROM notes").scalar_one() == 0
    finally:
        other.close()

    reference = _migrated(tmp_path)
    expected = _state(reference)
    reference.close()
    stale = {**schema_snapshot.shipped(), "rows": {"alembic_version": [["0001"]]}}
    monkeypatch.setattr(schema_snapshot, "shipped", lambda: stale)
    older = Database(f"sqlite:///{tmp_path / 'older.db'}", migrate=False)
    try:
        with older.engine.begin() as connection:
            driver = connection.connection.driver_connection
            assert not schema_snapshot.apply(driver, older.head_revision())
        older.upgrade()  # by Alembic: the snapshot is not at the newest revision
        assert _state(older) == expected
    finally:
        older.close()
