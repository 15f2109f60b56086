"""A new SQLite ledger made from a snapshot of the newest schema, not by replaying migrations.

Creating a ledger by running every Alembic migration costs about 0.2 s of CPU (Alembic's import
loads every dialect it supports, Mako and Pygments; then the eleven scripts), which every first
command on a new machine and every CSV import into a new ledger paid (docs/data-import.md). The
snapshot (``sqlite_head.json`` beside the migrations) is what those migrations leave in an empty
SQLite file: its schema statements as SQLite stores them (``sqlite_master``, in creation order)
and the rows they write (the outbox counter, ``alembic_version``). ``apply`` replays it in the
caller's one transaction, only into a file with no schema at all and only when the snapshot's
revision is the newest migration's; anything else is migrated by Alembic as before. A test
builds the snapshot again from a ledger Alembic migrates and compares it with the shipped file,
so a new migration without a new snapshot fails the suite; ``python -m
paperdesk.store.schema_snapshot`` writes it again.
"""

from __future__ import annotations

import json
import sqlite3
import sys
from functools import cache
from pathlib import Path
from typing import Any

SNAPSHOT = Path(__file__).parent / "migrations" / "sqlite_head.json"


@cache
def shipped() -> dict[str, Any]:
    """The snapshot shipped with this paperdesk (``SNAPSHOT``)."""
    loaded: dict[str, Any] = json.loads(SNAPSHOT.read_text(encoding="utf-8"))
    return loaded


def revision(snapshot: dict[str, Any]) -> str | None:
    """The schema revision the snapshot is at (its ``alembic_version`` row)."""
    rows = snapshot["rows"].get("alembic_version", [])
    return rows[0][0] if len(rows) == 1 else None


def build(connection: Any) -> dict[str, Any]:
    """The snapshot of the SQLite database behind ``connection`` (a SQLAlchemy connection):
    every schema statement but SQLite's own (``sqlite_*``), in creation order, and every row of
    every table in rowid order."""
    entries = connection.exec_driver_sql(
        "SELECT type, name, sql FROM sqlite_master "
        "WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY rowid"
    ).all()
    rows: dict[str, list[list[Any]]] = {}
    for kind, name, _ in entries:
        if kind == "table":
            found = connection.exec_driver_sql(f'SELECT * FROM "{name}" ORDER BY rowid').all()
            if found:
                rows[name] = [list(row) for row in found]
    return {"schema": [[kind, name, sql] for kind, name, sql in entries], "rows": rows}


def apply(connection: sqlite3.Connection, head: str | None) -> bool:
    """Make the newest schema in the empty SQLite database of ``connection`` (the driver's
    connection, in a transaction the caller commits: ``Database.upgrade``'s, or a CSV
    import's, ``sqlite_bars``) from the shipped snapshot. False, with nothing done, when the
    database has any schema already or the snapshot is not at ``head`` (then Alembic
    migrates it)."""
    snapshot = shipped()
    if head is None or revision(snapshot) != head:
        return False
    if connection.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]:
        return False
    for _, _, sql in snapshot["schema"]:  # in creation order, as the migrations made them
        connection.execute(sql)
    # the rows after the whole schema: a trigger firing on them would change them, and the
    # test comparing a new ledger with a migrated one would fail
    for table, values in snapshot["rows"].items():
        marks = ", ".join("?" * len(values[0]))
        connection.executemany(
            f'INSERT INTO "{table}" VALUES ({marks})', [tuple(row) for row in values]
        )
    return True


def main() -> None:
    """Write ``SNAPSHOT`` from a new ledger that Alembic migrates to the newest schema."""
    import tempfile

    from paperdesk.store.database import Database

    with tempfile.TemporaryDirectory() as folder:
        database = Database(f"sqlite:///{Path(folder) / 'ledger.db'}", migrate=False)
        try:
            database.upgrade(from_snapshot=False)
            with database.engine.connect() as connection:
                snapshot = build(connection)
        finally:
            database.close()
    SNAPSHOT.write_text(json.dumps(snapshot, indent=1) + "\n", encoding="utf-8")
    sys.stdout.write(f"wrote {SNAPSHOT} at revision {revision(snapshot)}\n")


if __name__ == "__main__":
    main()
