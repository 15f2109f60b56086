"""A CSV import's bar writes on a SQLite ledger with the standard library's ``sqlite3``.

``paperdesk data import`` spent 0.13-0.16 s of its process importing SQLAlchemy for one
transaction of a few statements (docs/data-import.md). ``open_current`` opens a SQLite ledger
at the newest schema revision (a new one made from the schema's snapshot, as ``Database``
makes it) without it, and ``SqliteBarWriter`` writes a frame's bars as ``SqlBarStore`` does,
with the same statements' effects: the series' version raised, the rows (``bar_writes.
write_sqlite``, already on the driver's connection) or the month blocks
(``bar_blocks.block_rows``) stored, in one ``BEGIN IMMEDIATE`` transaction, queued with the
ledger's other writers (``write_lock.WriterQueue``) and on disk before it returns
(``durability.WalSync``), over a connection with the ledger's pragmas. Any other ledger (a
PostgreSQL one, a SQLite file at another revision, one that is not intact, a URL with options)
gets no writer here: the import goes through ``Database`` and ``SqlBarStore``, which migrate,
refuse or copy as before. Reads the import does not need go to a ``SqlBarStore`` opened on
first use.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from paperdesk.data.bar_store import BLOCK_ROWS, SeriesInfo
from paperdesk.data.instruments import remember_asset_class
from paperdesk.domain import LedgerUnavailableError
from paperdesk.domain.quotes import QUOTE_FIELDS
from paperdesk.store import schema_snapshot
from paperdesk.store.bar_blocks import (
    BarColumns,
    block_rows,
    concatenate,
    decode,
    in_order,
    merge,
    micros_of,
    month_range,
)
from paperdesk.store.bar_reads import row_columns, text_micros
from paperdesk.store.bar_texts import time_texts
from paperdesk.store.bar_writes import (
    PRICES,
    WRITE_CHUNK_ROWS,
    BarBatch,
    batch_columns,
    index_micros,
    series_key,
    write_frame,
    write_sqlite,
)
from paperdesk.store.durability import WalSync
from paperdesk.store.sqlite_ledger import (
    SQLITE_BUSY_TIMEOUT_MS,
    SQLITE_PRAGMAS,
    connection_problem,
    head_revision,
    plain_sqlite_file,
    storage_problem,
)
from paperdesk.store.write_lock import WriterQueue

if TYPE_CHECKING:
    from paperdesk.store.bars import SqlBarStore
    from paperdesk.store.database import Database

_ROWS_OF_SERIES = "symbol = ? AND timeframe = ? AND ts >= ? AND ts < ?"
_MONTHS_OF_SERIES = "symbol = ? AND timeframe = ? AND month >= ? AND month < ?"
_BLOCK_COLUMNS = (
    "symbol", "timeframe", "month", "first_ts", "last_ts", "first_close", "last_close", "rows",
    "payload",
)  # fmt: skip
_INSERT_BLOCK = (
    f"INSERT INTO bar_blocks ({', '.join(_BLOCK_COLUMNS)}) "
    f"VALUES ({', '.join('?' * len(_BLOCK_COLUMNS))})"
)


def open_current(url: str) -> SqliteBarWriter | None:
    """A writer on the SQLite ledger at ``url`` when it is a plain ``sqlite:///`` file at the
    newest schema revision (made from the snapshot when the file is not there yet) and
    ``PRAGMA quick_check`` finds it intact; else None, and nothing was changed: ``Database``
    opens it, migrating or refusing it as it always has."""
    file = plain_sqlite_file(url)
    head = head_revision()
    if file is None or head is None:
        return None
    if not file.exists():
        if schema_snapshot.revision(schema_snapshot.shipped()) != head:
            return None  # Alembic makes it
        try:
            file.parent.mkdir(parents=True, exist_ok=True)
        except OSError:
            return None  # Database names the folder that cannot be made
    elif not file.is_file() or file.stat().st_size == 0:
        return None  # Database refuses it
    try:
        writer = SqliteBarWriter(url, file)
    except sqlite3.Error:
        return None  # not a database: Database refuses it
    try:
        ready = writer.at_revision(head)
    except sqlite3.Error:
        ready = False
    if not ready:
        writer.close()
        return None
    return writer


class SqliteBarWriter:
    """A CSV import's ``BarStore`` on one SQLite ledger (see the module's docstring)."""

    def __init__(self, url: str, file: Path) -> None:
        self.url = url
        self.file = file
        self._connection = sqlite3.connect(
            file, timeout=SQLITE_BUSY_TIMEOUT_MS / 1000, isolation_level=None,
            check_same_thread=False,
        )  # fmt: skip
        for pragma in (*SQLITE_PRAGMAS, f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}"):
            self._connection.execute(pragma)
        self._writers = WriterQueue(file)
        self._wal = WalSync(file)
        self._database: Database | None = None  # for the reads, opened on first use
        self._store: SqlBarStore | None = None

    def describe(self) -> str:
        """The ledger's URL (a SQLite URL holds no password)."""
        return self.url

    def at_revision(self, head: str) -> bool:
        """Whether the ledger is intact and at ``head`` (a file with no schema at all is made
        from the snapshot first, in one transaction, as ``Database.upgrade`` makes it)."""
        connection = self._connection
        if connection.execute("PRAGMA quick_check").fetchall() != [("ok",)]:
            return False
        if self._revision() is None:
            with self._transaction() as unit:
                schema_snapshot.apply(unit, head)
        return self._revision() == head

    def _revision(self) -> str | None:
        connection = self._connection
        named = "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'alembic_version'"
        if connection.execute(named).fetchone() is None:
            return None
        rows = connection.execute("SELECT version_num FROM alembic_version").fetchall()
        return str(rows[0][0]) if rows else None

    def close(self) -> None:
        self._connection.close()
        self._writers.close()
        if self._database is not None:
            self._database.close()
            self._database = self._store = None

    # ----------------------------------------------------------------------------- writing

    def write_bars(
        self,
        frame: pd.DataFrame,
        *,
        symbol: str,
        timeframe: str,
        source: str,
        fetched_at: datetime,
        asset_class: str | None = None,
    ) -> int:
        """``SqlBarStore.write_bars`` on this connection: the series' version raised, then
        the bars as rows or as month blocks, in one transaction."""

        def write(batch: BarBatch) -> None:
            with self._transaction() as connection:  # one import, one transaction
                _bump_version(connection, batch, asset_class)
                if len(batch.frame) >= BLOCK_ROWS or _in_a_block(connection, batch):
                    _write_blocks(connection, batch)
                else:
                    write_sqlite(connection, batch)

        return write_frame(
            frame, write, symbol=symbol, timeframe=timeframe, source=source,
            fetched_at=fetched_at, asset_class=asset_class, chunk_rows=WRITE_CHUNK_ROWS,
        )  # fmt: skip

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        """One write transaction: queued with the ledger's other writers, begun
        ``IMMEDIATE``, committed when the block ends (rolled back if it raises), on disk when
        it returns (the group commit's sync of the WAL)."""
        connection = self._connection
        with self._writers:
            with self._refusals():
                connection.execute("BEGIN IMMEDIATE")
                try:
                    yield connection
                    connection.execute("COMMIT")
                except BaseException:
                    if connection.in_transaction:
                        connection.execute("ROLLBACK")
                    raise
            ticket = self._wal.committed()
        self._wal.wait(ticket)

    @contextmanager
    def _refusals(self) -> Iterator[None]:
        """A disk that refuses the write, or a file that cannot be opened, is the
        ``LedgerUnavailableError`` ``Database`` raises for it."""
        try:
            yield
        except sqlite3.OperationalError as error:
            reason = (str(error).strip().splitlines() or [""])[0]
            storage = storage_problem(reason)
            if storage is not None:
                raise LedgerUnavailableError(
                    f"cannot write the ledger {self.describe()}: {reason} ({storage}); "
                    "nothing was written"
                ) from error
            if not connection_problem(reason):
                raise
            raise LedgerUnavailableError(
                f"cannot use the database {self.describe()}: {reason}"
            ) from error

    # ----------------------------------------------------------------------------- reading

    def stored_asset_class(self, symbol: str) -> str | None:
        """The asset class ``symbol``'s series were imported with (remembered for this
        process), or None when none was given."""
        name = symbol.strip().upper()
        found = self._connection.execute(
            "SELECT asset_class FROM bar_series WHERE symbol = ? AND asset_class IS NOT NULL "
            "LIMIT 1",
            (name,),
        ).fetchone()
        if found is None:
            return None
        remember_asset_class(name, found[0])
        return str(found[0])

    def remember_stored_classes(self) -> None:
        """Remember, for this process, the asset class of every series imported with one."""
        found = self._connection.execute(
            "SELECT symbol, asset_class FROM bar_series WHERE asset_class IS NOT NULL"
        )
        for symbol, asset_class in found.fetchall():
            remember_asset_class(symbol, asset_class)

    def series_version(self, symbol: str, timeframe: str) -> int:
        """The series' version (0 before any bar was stored); it changes with every write."""
        found = self._connection.execute(
            "SELECT version FROM bar_series WHERE symbol = ? AND timeframe = ?",
            series_key(symbol, timeframe),
        ).fetchone()
        return int(found[0]) if found is not None else 0

    def _full(self) -> SqlBarStore:
        """The ledger's ``SqlBarStore`` (SQLAlchemy), for the reads an import does not make."""
        if self._store is None:
            from paperdesk.store.bars import SqlBarStore
            from paperdesk.store.database import Database

            self._database = Database(self.url)
            self._store = SqlBarStore(self._database)
        return self._store

    def read_bars(
        self,
        symbol: str,
        timeframe: str,
        start: datetime | None = None,
        end: datetime | None = None,
    ) -> pd.DataFrame:
        return self._full().read_bars(symbol, timeframe, start, end)

    def series(self) -> list[SeriesInfo]:
        return self._full().series()

    def count_bars(
        self,
        symbol: str,
        timeframe: str,
        start: datetime | None = None,
        end: datetime | None = None,
    ) -> int:
        return self._full().count_bars(symbol, timeframe, start, end)

    def date_range(self, symbol: str, timeframe: str) -> tuple[datetime, datetime] | None:
        return self._full().date_range(symbol, timeframe)

    def series_versions(
        self, symbol: str, within: object | None = None
    ) -> tuple[tuple[str, int], ...]:
        return self._full().series_versions(symbol, within)


def _time_text(micros: int) -> str:
    """The text ``UtcDateTime`` stores on SQLite for an instant (microseconds since the
    epoch)."""
    text: str = time_texts(np.array([micros], np.int64), postgres=False)[0].as_py()
    return text


def _bump_version(connection: sqlite3.Connection, batch: BarBatch, asset_class: str | None) -> None:
    """Raise the series' version (1 for a new series) in the write's own transaction; a
    given ``asset_class`` is stored with it, None keeps the one stored."""
    kept = ", asset_class = excluded.asset_class" if asset_class is not None else ""
    at = _time_text(micros_of(batch.fetched_at))
    connection.execute(
        "INSERT INTO bar_series (symbol, timeframe, version, updated_at, asset_class) "
        "VALUES (?, ?, 1, ?, ?) ON CONFLICT (symbol, timeframe) DO UPDATE SET "
        f"version = bar_series.version + 1, updated_at = excluded.updated_at{kept}",
        (batch.symbol, batch.timeframe, at, asset_class),
    )


def _in_a_block(connection: sqlite3.Connection, batch: BarBatch) -> bool:
    """Whether a block of the batch's series spans one of its labels' range (then the write
    goes to the blocks, so that no label is stored twice)."""
    labels = index_micros(batch.index)
    found = connection.execute(
        "SELECT EXISTS (SELECT 1 FROM bar_blocks WHERE symbol = ? AND timeframe = ? "
        "AND first_ts <= ? AND last_ts >= ?)",
        (
            batch.symbol,
            batch.timeframe,
            _time_text(int(labels.max())),
            _time_text(int(labels.min())),
        ),
    ).fetchone()
    return bool(found[0])


def _write_blocks(connection: sqlite3.Connection, batch: BarBatch) -> None:
    """``SqlBarStore``'s write in blocks: the whole months the batch's labels touch are read
    (their blocks and rows), merged with it (its bars win), deleted and written again as one
    block a month."""
    new = in_order(batch_columns(batch))
    key = (batch.symbol, batch.timeframe)
    span = (*key, *(_time_text(micros) for micros in month_range(new)))
    stored = connection.execute(f"SELECT payload FROM bar_blocks WHERE {_MONTHS_OF_SERIES}", span)
    parts = [decode(payload) for (payload,) in stored.fetchall()]
    parts.append(_row_columns(connection, span))
    merged = merge(concatenate(parts), new)
    del parts
    connection.execute(f"DELETE FROM bar_blocks WHERE {_MONTHS_OF_SERIES}", span)
    connection.execute(f"DELETE FROM bars WHERE {_ROWS_OF_SERIES}", span)
    for row in block_rows(merged, _time_text):
        connection.execute(_INSERT_BLOCK, (*key, *(row[name] for name in _BLOCK_COLUMNS[2:])))


def _row_columns(connection: sqlite3.Connection, span: tuple[Any, ...]) -> BarColumns:
    """The series' rows of ``bars`` in the months ``span`` names, as columns sorted by label
    (the quote fields only when one of them has a quote)."""
    any_quote = " OR ".join(f"{field} IS NOT NULL" for field in QUOTE_FIELDS)
    quoted = connection.execute(
        f"SELECT 1 FROM bars WHERE {_ROWS_OF_SERIES} AND ({any_quote}) LIMIT 1", span
    ).fetchone()
    fields = QUOTE_FIELDS if quoted is not None else ()
    names = ("ts", "ts_close", *PRICES, "source", "fetched_at", *fields)
    found = connection.execute(
        f"SELECT {', '.join(names)} FROM bars WHERE {_ROWS_OF_SERIES} ORDER BY ts", span
    ).fetchall()
    return row_columns(found, bool(fields), text_micros)


__all__ = ["SqliteBarWriter", "open_current"]
