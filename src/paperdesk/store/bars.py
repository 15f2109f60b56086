"""Bars in the database with their provenance: ``SqlBarStore`` implements the data layer's
``BarStore`` on the ``bars`` table.

Writes are bulk upserts (``INSERT ... ON CONFLICT (symbol, timeframe, ts) DO UPDATE`` on both
PostgreSQL and SQLite), executed many rows at a time inside one transaction, with values already
in the database's own form: exact decimal text for prices (a float's shortest ``repr``, so
``100.1`` is stored as ``100.1``, equal to the Decimal written in the CSV) and ISO times. Reads
are one SELECT whose columns go straight into numpy arrays (prices as text on SQLite, cast to
double precision on PostgreSQL, whose NUMERIC to float conversion is correctly rounded), never
through ORM objects.

A bar's quote (bid and ask OHLC and sizes, migration 0006) is written when the frame carries
the quote columns (NULL for its bars without one) and read back as those columns when any bar
of the range has one; a write without them leaves the stored quotes as they are, so trades and
their quotes can be imported in either order.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import (
    BigInteger,
    Float,
    String,
    and_,
    bindparam,
    cast,
    delete,
    exists,
    func,
    literal,
    or_,
    select,
    type_coerce,
)
from sqlalchemy.sql import ColumnElement

from paperdesk.data.bar_store import BLOCK_ROWS, SeriesInfo
from paperdesk.data.instruments import calendar_or_default, remember_asset_class, symbol_table
from paperdesk.domain import DataError, Timeframe
from paperdesk.domain.quotes import QUOTE_FIELDS
from paperdesk.store.bar_blocks import (
    BarColumns,
    block_rows,
    concatenate,
    decode,
    in_order,
    instant,
    merge,
    micros_of,
    month_range,
)
from paperdesk.store.bar_reads import bar_frame, row_columns, text_micros
from paperdesk.store.bar_tables import BAR_BLOCKS, BAR_SERIES, BARS
from paperdesk.store.bar_writes import (
    PRICES,
    WRITE_CHUNK_ROWS,
    BarBatch,
    batch_columns,
    series_key,
    write_frame,
    write_postgres,
    write_sqlite,
)
from paperdesk.store.database import Database
from paperdesk.store.prebuilt import Prebuilt
from paperdesk.store.types import UtcDateTime

# Core tables: the bar store never loads the ORM (a CSV import or a read of bars need not)
_BARS, _BLOCKS, _SERIES = BARS, BAR_BLOCKS, BAR_SERIES
# built once: every order placement asks it (the reference price's series token)
_SERIES_VERSIONS = (
    select(_SERIES.c.timeframe, _SERIES.c.version)
    .where(_SERIES.c.symbol == bindparam("versions_symbol"))
    .order_by(_SERIES.c.timeframe)
)
_SERIES_VERSIONS_IN_UNIT = Prebuilt(_SERIES_VERSIONS)  # in an order's transaction (prebuilt.py)
_CHUNK = WRITE_CHUNK_ROWS  # rows whose texts are built at once (a test makes it smaller)
# Built once (every small write, a live tick's bar, asks it): whether a block of the series
# spans the labels' range, and (PostgreSQL's COPY needs it) whether a row lies in it.
_BLOCK_SPAN = exists().where(
    _BLOCKS.c.symbol == bindparam("span_symbol"),
    _BLOCKS.c.timeframe == bindparam("span_timeframe"),
    _BLOCKS.c.first_ts <= bindparam("span_last", type_=UtcDateTime()),
    _BLOCKS.c.last_ts >= bindparam("span_first", type_=UtcDateTime()),
)
_ROW_SPAN = exists().where(
    _BARS.c.symbol == bindparam("span_symbol"),
    _BARS.c.timeframe == bindparam("span_timeframe"),
    _BARS.c.ts >= bindparam("span_first", type_=UtcDateTime()),
    _BARS.c.ts <= bindparam("span_last", type_=UtcDateTime()),
)
_SPANS = {False: select(_BLOCK_SPAN), True: select(_BLOCK_SPAN, _ROW_SPAN)}
_COPY_CHUNK = 5_000  # rows a COPY write sends on PostgreSQL: 16,384 cost 16 MB more peak


class SqlBarStore:
    """The ``BarStore`` of a paperdesk ``Database`` (SQLite or PostgreSQL)."""

    def __init__(self, database: Database) -> None:
        self._database = database
        self._readers: Any = None  # the engine with the reading options, made on first use

    @property
    def _postgres(self) -> bool:
        return self._database.dialect == "postgresql"

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
        """Upsert the bars and raise the series' version in one transaction; ``asset_class``
        (when given) is stored with the series, so later reads build the right instrument."""
        postgres = self._postgres

        def write(batch: BarBatch) -> None:
            with self._database.writing_connection() as connection:  # one transaction
                bump = _bump_version(
                    postgres, batch.symbol, batch.timeframe, fetched_at, asset_class
                )
                connection.execute(bump)  # the series' row lock on PostgreSQL: one writer
                driver: Any = connection.connection.driver_connection
                # read after the version bump: its lock keeps other writers of the series out
                large = len(batch.frame) >= BLOCK_ROWS
                spans = (True,) if large else _spans(connection, batch)
                if spans[0]:  # a large write, or one into a block's range
                    self._write_blocks(connection, batch)
                elif postgres:
                    write_postgres(driver, batch, overlapping=spans[1], copy_rows=_COPY_CHUNK)
                else:
                    write_sqlite(driver, batch)

        return write_frame(
            frame, write, symbol=symbol, timeframe=timeframe, source=source,
            fetched_at=fetched_at, asset_class=asset_class, chunk_rows=_CHUNK,
        )  # fmt: skip

    def _write_blocks(self, connection: Any, batch: BarBatch) -> None:
        """Store the batch in column blocks: the whole months its labels touch are read
        (their blocks and rows), merged with it (its bars win), deleted and written again as
        one block a month, so each label stays in one place."""
        new = in_order(batch_columns(batch))
        low, high = (instant(micros) for micros in month_range(new))
        blocks = _BLOCKS.c
        series = (blocks.symbol == batch.symbol, blocks.timeframe == batch.timeframe)
        months = (*series, blocks.month >= low, blocks.month < high)
        stored = connection.execute(select(blocks.payload).where(*months)).scalars()
        parts = [decode(payload) for payload in stored]
        bars = _BARS.c
        rows = (
            bars.symbol == batch.symbol,
            bars.timeframe == batch.timeframe,
            bars.ts >= low,
            bars.ts < high,
        )
        parts.append(self._row_columns(connection, rows))
        merged = merge(concatenate(parts), new)
        del parts
        connection.execute(_BLOCKS.delete().where(*months))
        connection.execute(delete(_BARS).where(*rows))
        for row in block_rows(merged, instant):
            connection.execute(
                _BLOCKS.insert().values(symbol=batch.symbol, timeframe=batch.timeframe, **row)
            )

    # ----------------------------------------------------------------------------- reading

    def read_bars(
        self,
        symbol: str,
        timeframe: str,
        start: datetime | None = None,
        end: datetime | None = None,
    ) -> pd.DataFrame:
        name, frame_timeframe = series_key(symbol, timeframe)
        bars = _BARS.c
        where = [bars.symbol == name, bars.timeframe == frame_timeframe]
        if start is not None:
            where.append(bars.ts >= _aware(start, "start"))
        if end is not None:
            where.append(bars.ts <= _aware(end, "end"))
        with self._reader() as connection:  # one snapshot for rows and blocks
            rows = self._row_columns(connection, where)

            def blocks() -> tuple[int, Iterator[BarColumns]]:
                return _blocks(connection, name, frame_timeframe, start, end)

            frame = bar_frame(rows, blocks)  # each label in one of them, copied once
        del rows
        if name not in symbol_table():  # the series' class, remembered for this process
            self.stored_asset_class(name)
        frame.attrs.update(
            symbol=name, timeframe=frame_timeframe, calendar=calendar_or_default(name)
        )
        return frame

    def _row_columns(self, connection: Any, where: Sequence[Any]) -> BarColumns:
        """The rows of ``bars`` matching ``where`` as columns, sorted by label (the quote
        fields only when one of them has a quote)."""
        bars = _BARS.c
        any_quote = or_(*(bars[field].is_not(None) for field in QUOTE_FIELDS))
        quoted = connection.execute(select(literal(1)).where(*where, any_quote).limit(1))
        fields = QUOTE_FIELDS if quoted.first() is not None else ()
        query = select(
            self._time_column(bars.ts),
            self._time_column(bars.ts_close),
            *(self._price_column(bars[price]) for price in PRICES),
            bars.source,
            self._time_column(bars.fetched_at),
            *(self._price_column(bars[field]) for field in fields),
        ).where(*where)
        result = connection.execute(query.order_by(bars.ts))
        # plain DB-API tuples: no Row objects per bar
        return row_columns(result.cursor.fetchall(), bool(fields), self._micros)

    def _time_column(self, time_column: Any) -> ColumnElement[Any]:
        if self._postgres:  # whole microseconds since the epoch
            micros = func.extract("epoch", time_column) * 1_000_000
            return cast(func.round(micros), BigInteger)
        return type_coerce(time_column, String)  # the stored text, unconverted

    def _price_column(self, price_column: Any) -> ColumnElement[Any]:
        if self._postgres:
            return cast(price_column, Float)
        return type_coerce(price_column, String)

    def _micros(self, values: np.ndarray) -> np.ndarray:
        """Microseconds since the epoch of the times a row query returned."""
        if self._postgres:
            return np.asarray(values, dtype=np.int64)
        return text_micros(values)

    def _reader(self) -> Any:
        if self._readers is None:  # once: an options engine is not free to make per read
            engine = self._database.engine
            self._readers = (
                engine.execution_options(isolation_level="REPEATABLE READ")
                if self._postgres
                else engine.execution_options(sqlite_begin="DEFERRED")
            )
        return self._readers.begin()

    # ----------------------------------------------------------------------------- summary

    def series(self) -> list[SeriesInfo]:
        bars, blocks = _BARS.c, _BLOCKS.c
        rows = select(
            bars.symbol, bars.timeframe, func.min(bars.ts), func.max(bars.ts), func.count()
        ).group_by(bars.symbol, bars.timeframe)
        blocked = select(
            blocks.symbol,
            blocks.timeframe,
            func.min(blocks.first_ts),
            func.max(blocks.last_ts),
            func.sum(blocks.rows),
        ).group_by(blocks.symbol, blocks.timeframe)
        found: dict[tuple[str, str], list[Any]] = {}
        with self._reader() as connection:
            for query in (rows, blocked):
                for symbol, timeframe, first, last, count in connection.execute(query).all():
                    known = found.setdefault((symbol, timeframe), [first, last, 0])
                    known[0], known[1] = min(known[0], first), max(known[1], last)
                    known[2] += int(count)
        return [
            SeriesInfo(symbol=key[0], timeframe=key[1], first=first, last=last, rows=count)
            for key, (first, last, count) in sorted(found.items())
        ]

    def date_range(self, symbol: str, timeframe: str) -> tuple[datetime, datetime] | None:
        name, frame_timeframe = series_key(symbol, timeframe)
        bars, blocks = _BARS.c, _BLOCKS.c
        queries = (
            select(func.min(bars.ts), func.max(bars.ts)).where(
                bars.symbol == name, bars.timeframe == frame_timeframe
            ),
            select(func.min(blocks.first_ts), func.max(blocks.last_ts)).where(
                blocks.symbol == name, blocks.timeframe == frame_timeframe
            ),
        )
        with self._reader() as connection:
            found = [connection.execute(query).one() for query in queries]
        ranges = [(first, last) for first, last in found if first is not None]
        if not ranges:
            return None
        return min(first for first, _ in ranges), max(last for _, last in ranges)

    def count(self, symbol: str | None = None, timeframe: str | None = None) -> int:
        """How many bars are stored (all, or of one symbol, or of one series)."""
        bars, blocks = _BARS.c, _BLOCKS.c
        rows = select(func.count()).select_from(_BARS)
        blocked = select(func.coalesce(func.sum(blocks.rows), 0))
        if symbol is not None:
            rows = rows.where(bars.symbol == symbol.strip().upper())
            blocked = blocked.where(blocks.symbol == symbol.strip().upper())
        if timeframe is not None:
            rows = rows.where(bars.timeframe == str(Timeframe.parse(timeframe)))
            blocked = blocked.where(blocks.timeframe == str(Timeframe.parse(timeframe)))
        with self._reader() as connection:
            return sum(int(connection.execute(query).scalar_one()) for query in (rows, blocked))

    def series_version(self, symbol: str, timeframe: str) -> int:
        """The series' version (0 before any bar was stored); it changes with every write."""
        name, frame_timeframe = series_key(symbol, timeframe)
        statement = select(_SERIES.c.version).where(
            _SERIES.c.symbol == name, _SERIES.c.timeframe == frame_timeframe
        )
        with self._reader() as connection:
            found = connection.execute(statement).scalar()
        return int(found or 0)

    def series_versions(
        self, symbol: str, within: object | None = None
    ) -> tuple[tuple[str, int], ...]:
        """The version of each of ``symbol``'s stored series, by timeframe (one indexed
        query; empty before any bar of the symbol was stored). ``within``, a transaction of
        this store's own database (``LedgerRepository``), is read in: the same committed
        rows (on SQLite the unit holds the write lock, on PostgreSQL the statement reads at
        READ COMMITTED) without a pooled connection, its BEGIN and its rollback of a read of
        its own, which cost an order placement about a tenth of its CPU (docs/live-speed.md,
        "Orders over HTTP, tenth pass")."""
        name = symbol.strip().upper()
        parameters = {"versions_symbol": name}
        unit = None
        if within is not None:  # a repository is loaded already when one is handed in
            from paperdesk.store.repository import LedgerRepository

            unit = within if isinstance(within, LedgerRepository) else None
        session = unit.session_of(self._database) if unit is not None else None
        if session is not None:
            rows: Sequence[Any] = _SERIES_VERSIONS_IN_UNIT.fetch(session, parameters)
        else:
            with self._reader() as connection:
                rows = connection.execute(_SERIES_VERSIONS, parameters).all()
        return tuple((str(timeframe), int(version)) for timeframe, version in rows)

    def stored_asset_class(self, symbol: str) -> str | None:
        """The asset class ``symbol``'s series were imported with (remembered for this
        process), or None when none was given."""
        name = symbol.strip().upper()
        statement = select(_SERIES.c.asset_class).where(
            _SERIES.c.symbol == name, _SERIES.c.asset_class.is_not(None)
        )
        with self._reader() as connection:
            found = connection.execute(statement.limit(1)).scalar()
        if found is not None:
            remember_asset_class(name, found)
        return None if found is None else str(found)

    def remember_stored_classes(self) -> None:
        """Remember, for this process, the asset class of every series imported with one."""
        statement = select(_SERIES.c.symbol, _SERIES.c.asset_class).where(
            _SERIES.c.asset_class.is_not(None)
        )
        with self._reader() as connection:
            for symbol, asset_class in connection.execute(statement).all():
                remember_asset_class(symbol, asset_class)

    def count_bars(
        self,
        symbol: str,
        timeframe: str,
        start: datetime | None = None,
        end: datetime | None = None,
    ) -> int:
        name, frame_timeframe = series_key(symbol, timeframe)
        bars, blocks = _BARS.c, _BLOCKS.c
        query = (
            select(func.count())
            .select_from(_BARS)
            .where(bars.symbol == name, bars.timeframe == frame_timeframe)
        )
        series = [blocks.symbol == name, blocks.timeframe == frame_timeframe]
        inside, across = list(series), list(series)  # blocks wholly in the range, or not
        if start is not None:
            query = query.where(bars.ts >= _aware(start, "start"))
            inside.append(blocks.first_ts >= _aware(start, "start"))
            across.append(blocks.last_ts >= _aware(start, "start"))
        if end is not None:
            query = query.where(bars.ts <= _aware(end, "end"))
            inside.append(blocks.last_ts <= _aware(end, "end"))
            across.append(blocks.first_ts <= _aware(end, "end"))
        whole = select(func.coalesce(func.sum(blocks.rows), 0)).where(*inside)
        with self._reader() as connection:
            count = int(connection.execute(query).scalar_one())
            count += int(connection.execute(whole).scalar_one())
            if len(inside) > 2:  # a bound cuts some blocks: their labels counted
                partly = select(blocks.payload).where(*across, ~and_(*inside[2:]))
                for payload in connection.execute(partly).scalars():
                    count += len(_within(decode(payload), start, end))
        return count


def _spans(connection: Any, batch: BarBatch) -> tuple[bool, ...]:
    """Whether a block of the batch's series spans one of its labels' range (then the write
    goes to the blocks, so that no label is stored twice) and, on PostgreSQL, whether a row
    of it lies between its first and last label (then its COPY needs an upsert): one query."""
    parameters = {
        "span_symbol": batch.symbol,
        "span_timeframe": batch.timeframe,
        "span_first": batch.index.min().to_pydatetime(),
        "span_last": batch.index.max().to_pydatetime(),
    }
    postgres = connection.dialect.name == "postgresql"
    return tuple(bool(flag) for flag in connection.execute(_SPANS[postgres], parameters).one())


def _blocks(
    connection: Any, symbol: str, timeframe: str, start: datetime | None, end: datetime | None
) -> tuple[int, Iterator[BarColumns]]:
    """How many bars the series' blocks that reach into ``start <= ts <= end`` hold, and
    their bars in that range, block after block in month order."""
    blocks = _BLOCKS.c
    where = [blocks.symbol == symbol, blocks.timeframe == timeframe]
    if start is not None:
        where.append(blocks.last_ts >= _aware(start, "start"))
    if end is not None:
        where.append(blocks.first_ts <= _aware(end, "end"))
    total = connection.execute(select(func.coalesce(func.sum(blocks.rows), 0)).where(*where))
    payloads = select(blocks.payload).where(*where).order_by(blocks.month)
    cursor = connection.execute(payloads).cursor
    return int(total.scalar_one()), _decoded(cursor, start, end)


def _decoded(cursor: Any, start: datetime | None, end: datetime | None) -> Iterator[BarColumns]:
    """The bars of each payload the DB-API ``cursor`` gives, fetched one at a time and held by
    nothing here once given: a block's payload is let go (by the taker) before the next is
    fetched, so the next takes its memory, whose pages are already there (holding two at a
    time made a third of the payloads' pages new)."""
    try:
        while (row := cursor.fetchone()) is not None:
            block = _within(decode(row[0]), start, end)
            del row
            yield block
            del block
    finally:
        cursor.close()


def _within(columns: BarColumns, start: datetime | None, end: datetime | None) -> BarColumns:
    """The sorted bars with ``start <= ts <= end``."""
    first, last = 0, len(columns)
    if start is not None:
        first = int(np.searchsorted(columns.ts, micros_of(start), "left"))
    if end is not None:
        last = int(np.searchsorted(columns.ts, micros_of(end), "right"))
    if first == 0 and last == len(columns):
        return columns
    return columns.take(slice(first, last))


def _dialect_insert(postgres: bool) -> Any:
    """The INSERT that takes ON CONFLICT DO UPDATE on this database (its dialect's module
    imported here: a SQLite ledger never loads PostgreSQL's)."""
    if postgres:
        from sqlalchemy.dialects import postgresql

        return postgresql.insert
    from sqlalchemy.dialects import sqlite

    return sqlite.insert


def _bump_version(
    postgres: bool, symbol: str, timeframe: str, at: datetime, asset_class: str | None
) -> Any:
    """The upsert raising the series' version, run in the write's own transaction (it takes
    the series' row lock on PostgreSQL): a reader that saw the old version knows its copy is
    stale. A given ``asset_class`` is stored with it; None keeps the one stored."""
    changes: dict[str, Any] = {"version": _SERIES.c.version + 1, "updated_at": at}
    if asset_class is not None:
        changes["asset_class"] = asset_class
    return (
        _dialect_insert(postgres)(_SERIES)
        .values(
            symbol=symbol, timeframe=timeframe, version=1, updated_at=at, asset_class=asset_class
        )
        .on_conflict_do_update(index_elements=["symbol", "timeframe"], set_=changes)
    )


def _aware(moment: datetime, what: str) -> datetime:
    if moment.tzinfo is None:
        raise DataError(f"{what} must be timezone-aware, got {moment.isoformat()}")
    return moment.astimezone(UTC)


__all__ = ["SqlBarStore"]
