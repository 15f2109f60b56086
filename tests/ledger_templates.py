"""Migrated ledgers for the test fixtures, made once per test process instead of once per test.

Migrating a new PostgreSQL schema and dropping it afterwards cost ~0.7 s a test (600 tests), a
SQLite file ~0.1 s. Here a SQLite ledger is migrated once and each test gets a copy of the file;
a PostgreSQL schema is migrated once and, after each test, emptied back to the rows and sequence
positions the migration left (``SchemaPool.give_back``), then handed to the next test. A schema
whose tables, columns, indexes, constraints, triggers or functions a test changed, or that cannot
be emptied, is dropped instead (the next test gets a newly migrated one).
"""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, text
from sqlalchemy.engine import make_url

from paperdesk.store import Database, normalise_url


class SqliteTemplate:
    """One migrated SQLite ledger file, copied for each test that wants a new ledger."""

    def __init__(self, folder: Path) -> None:
        self.file = folder / "template-ledger.db"
        Database(f"sqlite:///{self.file}").close()  # the last connection's close checkpoints
        leftovers = [path.name for path in folder.glob("template-ledger.db-*")]
        if leftovers:
            raise RuntimeError(f"the migrated SQLite template left {leftovers} beside it")

    def copy_to(self, file: Path) -> None:
        shutil.copyfile(self.file, file)


# Every object a migration makes in a schema, as text that names no schema (so a schema is
# compared with itself before and after a test).
_SHAPE_QUERIES = (
    "SELECT table_name, column_name, data_type, is_nullable, column_default "
    "FROM information_schema.columns WHERE table_schema = :schema",
    "SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = :schema",
    "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint "
    "WHERE connamespace = CAST(:schema AS regnamespace)",
    "SELECT tgrelid::regclass::text, tgname, pg_get_triggerdef(oid) FROM pg_trigger "
    "WHERE tgrelid IN "
    "(SELECT oid FROM pg_class WHERE relnamespace = CAST(:schema AS regnamespace))",
    "SELECT proname, prosrc FROM pg_proc WHERE pronamespace = CAST(:schema AS regnamespace)",
    "SELECT sequencename, start_value, increment_by FROM pg_sequences WHERE schemaname = :schema",
    "SELECT relname, relkind FROM pg_class WHERE relnamespace = CAST(:schema AS regnamespace)",
)


def _shape(connection: Connection, schema: str) -> list[list[tuple[Any, ...]]]:
    return [
        sorted(tuple(row) for row in connection.execute(text(query), {"schema": schema}))
        for query in _SHAPE_QUERIES
    ]


class _Migrated:
    """One migrated schema: its shape, its rows and its sequences' starts as migrated."""

    def __init__(self, connection: Connection, schema: str) -> None:
        self.name = schema
        self.shape = _shape(connection, schema)
        tables = connection.execute(
            text("SELECT tablename FROM pg_tables WHERE schemaname = :schema"), {"schema": schema}
        ).scalars()
        self.tables = sorted(tables)
        self.rows = {
            table: [dict(row) for row in connection.execute(self._select_all(table)).mappings()]
            for table in self.tables
        }
        self.sequences = sorted(
            (name, start)
            for name, start in connection.execute(
                text("SELECT sequencename, start_value FROM pg_sequences WHERE schemaname = :s"),
                {"s": schema},
            )
        )

    def _select_all(self, table: str) -> Any:
        return text(f"SELECT * FROM {self._in(table)}")

    def _in(self, name: str) -> str:
        return f'"{self.name}"."{name}"'

    def empty(self, connection: Connection) -> None:
        """Back to the rows and sequence positions the migration left, in one transaction.
        Replica mode keeps the ledger's own triggers (the append-only audit log, the portfolio
        revisions) out of the clean-up, as a dropped schema would not have run them either."""
        connection.execute(text("SET LOCAL lock_timeout = '10s'"))
        connection.execute(text("SET LOCAL session_replication_role = replica"))
        for table in self.tables:
            connection.execute(text(f"DELETE FROM {self._in(table)}"))
        for table, rows in self.rows.items():
            if rows:
                columns = list(rows[0])
                names = ", ".join(f'"{column}"' for column in columns)
                values = ", ".join(f":{column}" for column in columns)
                connection.execute(
                    text(f"INSERT INTO {self._in(table)} ({names}) VALUES ({values})"), rows
                )
        for sequence, start in self.sequences:
            connection.execute(
                text("SELECT setval(CAST(:sequence AS regclass), :start, false)"),
                {"sequence": self._in(sequence), "start": start},
            )


def _unique(prefix: str) -> str:
    return f"{prefix}_{uuid.uuid4().hex[:12]}"


class SchemaPool:
    """Migrated PostgreSQL schemas of one test process: ``take`` one, ``give_back`` it."""

    def __init__(self, server_url: str) -> None:
        self.server_url = normalise_url(server_url)
        self.admin: Engine = create_engine(self.server_url)
        self._free: list[_Migrated] = []
        self._taken: dict[str, _Migrated] = {}

    def url(self, schema: str) -> str:
        """A URL of ``schema``, distinct from every URL handed out before (a test's own
        ``application_name``): paperdesk keys its Redis entries and its bar cache folder by the
        database URL, which a reused schema must not share with the tests before it."""
        query = {"options": f"-csearch_path={schema}", "application_name": _unique("test")}
        url = make_url(self.server_url).update_query_dict(query)
        return url.render_as_string(hide_password=False)

    def take(self) -> str:
        migrated = self._free.pop() if self._free else self._migrate_new()
        self._taken[migrated.name] = migrated
        return migrated.name

    def _migrate_new(self) -> _Migrated:
        schema = _unique("t")
        with self.admin.begin() as connection:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
        Database(self.url(schema)).close()
        with self.admin.connect() as connection:
            return _Migrated(connection, schema)

    def give_back(self, schema: str) -> None:
        migrated = self._taken.pop(schema)
        try:
            with self.admin.begin() as connection:
                if _shape(connection, schema) != migrated.shape:
                    raise ValueError(f"a test changed the shape of schema {schema}")
                migrated.empty(connection)
        except Exception:
            self._drop([schema])
            return
        self._free.append(migrated)

    def close(self) -> None:
        """Drop every schema of the pool: the free ones and any still taken (a test that
        never gave its schema back left one behind in the test database per process)."""
        self._drop([migrated.name for migrated in [*self._free, *self._taken.values()]])
        self._free.clear()
        self._taken.clear()
        self.admin.dispose()

    def _drop(self, schemas: Sequence[str]) -> None:
        if schemas:
            with self.admin.begin() as connection:
                for schema in schemas:
                    connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
