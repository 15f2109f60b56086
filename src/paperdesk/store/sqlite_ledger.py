"""What a SQLite ledger is opened with, and what its refusals mean, without SQLAlchemy.

``Database`` (SQLAlchemy) and ``sqlite_bars.SqliteBarWriter`` (the standard library's
``sqlite3``, a CSV import's path) open a SQLite ledger alike from these: the connection's
pragmas, the busy timeout, the schema revisions this paperdesk ships, and the words of a
refusal that say the disk or the file is at fault. Nothing here imports SQLAlchemy.
"""

from __future__ import annotations

import re
from pathlib import Path

_MIGRATIONS = Path(__file__).parent / "migrations"
_REVISION_FILE = re.compile(r"^(\d{4})_\w+\.py$")

SQLITE_BUSY_TIMEOUT_MS = 60_000
# every connection to a SQLite ledger (then ``PRAGMA busy_timeout``): WAL, synced by the
# Database after each COMMIT, once for every commit waiting (store/durability.py: a
# transaction returns only once it is on disk, as with FULL), foreign keys enforced
SQLITE_PRAGMAS = ("PRAGMA journal_mode=WAL", "PRAGMA synchronous=NORMAL", "PRAGMA foreign_keys=ON")


def known_revisions() -> frozenset[str]:
    """The schema revisions this paperdesk ships, from the migration files' names
    (``NNNN_what.py`` holds revision ``NNNN``, revising the one before: a test holds Alembic's
    own reading of the scripts to this)."""
    versions = _MIGRATIONS / "versions"
    return frozenset(
        match.group(1)
        for match in map(_REVISION_FILE.match, (path.name for path in versions.iterdir()))
        if match
    )


def head_revision() -> str | None:
    """The newest schema revision this paperdesk knows."""
    return max(known_revisions(), default=None)


def plain_sqlite_file(url: str) -> Path | None:
    """The file of a ``sqlite:///PATH`` URL whose path has no character a URL parser could
    read otherwise (``?``, ``#``, ``%``, ``@``), else None (an in-memory database, a driver
    named in the URL, query options: those are opened by ``Database`` alone)."""
    prefix = "sqlite:///"
    path = url[len(prefix) :] if url.startswith(prefix) else ""
    if not path or path == ":memory:" or any(mark in path for mark in "?#%@"):
        return None
    return Path(path).expanduser()


# what the disk under the ledger refused, and what the operator can do about it
_STORAGE_PROBLEMS = (
    ("readonly database", "the file or its folder is read-only: check their permissions"),
    ("read-only transaction", "the server takes no writes: a standby, or read-only by setting"),
    ("read-only file system", "the disk is mounted read-only"),
    ("database or disk is full", "its disk is full: free some space"),
    ("no space left on device", "its disk is full: free some space"),
    ("disk i/o error", "the disk failed to read or write"),
)
_CONNECTION_PROBLEMS = ("connection", "could not connect", "unable to open", "server closed")


def storage_problem(reason: str) -> str | None:
    """What to check when the disk under the ledger refused a write (the driver's
    ``reason``), else None."""
    lowered = reason.lower()
    return next((hint for phrase, hint in _STORAGE_PROBLEMS if phrase in lowered), None)


def connection_problem(reason: str) -> bool:
    """Whether the driver's ``reason`` says the database cannot be reached or opened (not a
    lock timeout or a bad statement, which stay errors of their own)."""
    lowered = reason.lower()
    return any(phrase in lowered for phrase in _CONNECTION_PROBLEMS)
