"""Database administration for the CLI: where the ledger lives and its migrations."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from paperdesk.domain import DataError
from paperdesk.settings import Settings
from paperdesk.store import Database


@dataclass(frozen=True, slots=True)
class DatabaseStatus:
    database: str  # the URL with any password hidden
    dialect: str
    current: str | None
    head: str | None
    exists: bool = True  # False: a SQLite file not created yet (status never creates it)

    @property
    def up_to_date(self) -> bool:
        return self.current == self.head


@dataclass(frozen=True, slots=True)
class UpgradeReport:
    database: str
    before: str | None
    after: str | None

    @property
    def changed(self) -> bool:
        return self.before != self.after


def _is_database_error(error: Exception) -> bool:
    """A failure of the database driver (refused, down, bad credentials), as SQLAlchemy wraps
    it; recognised by class so the service layer need not import the database library."""
    return any(
        kind.__name__ == "DBAPIError" and kind.__module__.startswith("sqlalchemy")
        for kind in type(error).__mro__
    )


@contextmanager
def reaching(database: Database) -> Iterator[None]:
    """Turn a database that cannot be reached into one clear DataError naming it (password
    hidden)."""
    try:
        yield
    except Exception as error:
        if not _is_database_error(error):
            raise
        cause = getattr(error, "orig", None) or error
        reason = (str(cause).strip().splitlines() or [type(cause).__name__])[0]
        raise DataError(f"cannot use the database {database.describe()}: {reason}") from None


def open_database(url: str | None = None, *, migrate: bool = True) -> Database:
    """The ledger at ``url`` (default: the configured one), migrated on first use unless
    ``migrate`` is False."""
    url = url or Settings().database_url_value()
    database = Database(url, migrate=False)  # no connection is made yet
    if migrate:
        with reaching(database):
            database.prepare()
    return database


def database_status(url: str | None = None) -> DatabaseStatus:
    """The configured database and its schema revision, without migrating it."""
    database = open_database(url, migrate=False)
    try:
        if not database.exists():
            return DatabaseStatus(
                database.describe(), database.dialect, None, database.head_revision(), False
            )
        with reaching(database):
            database.check()
            return DatabaseStatus(
                database.describe(),
                database.dialect,
                database.current_revision(),
                database.head_revision(),
            )
    finally:
        database.close()


def upgrade_database(url: str | None = None) -> UpgradeReport:
    """Apply every pending migration to the configured database."""
    database = open_database(url, migrate=False)
    try:
        with reaching(database):
            before, after = database.upgrade()
        return UpgradeReport(database.describe(), before, after)
    finally:
        database.close()
