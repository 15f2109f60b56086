"""Make a test ledger's disk refuse writes, as an operator's disk or server may."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event

from paperdesk.store import Database


def refuse_writes(database: Database, *, full: bool = False) -> None:
    """Every new connection of ``database`` takes no writes from now on: SQLite's query-only
    mode (or a page limit: a full disk), a PostgreSQL session that is read-only (a standby)."""
    if database.dialect == "sqlite":
        statement = "PRAGMA max_page_count = 1" if full else "PRAGMA query_only = 1"
    else:
        statement = "SET default_transaction_read_only = on"

    def on_connect(connection: Any, _record: Any) -> None:
        autocommit = getattr(connection, "autocommit", None)
        if autocommit is not None:
            connection.autocommit = True  # psycopg: a SET of the session, not of a transaction
        cursor = connection.cursor()
        cursor.execute(statement)
        cursor.close()
        if autocommit is not None:
            connection.autocommit = autocommit

    event.listen(database.engine, "connect", on_connect)
    database.engine.dispose()
