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

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
from sqlalchemy import (
    BigInteger,
    Float,
    String,
    bindparam,
    cast,
    func,
    literal,
    or_,
    select,
    type_coerce,
)
from sqlalchemy.sql import ColumnElement

from paperdesk.data.bar_store import PROVENANCE_COLUMNS, SeriesInfo, row_sources
from paperdesk.data.calendars import bar_close_times
from paperdesk.data.instruments import (
    calendar_or_default,
    instrument_for,
    remember_asset_class,
    symbol_table,
)
from paperdesk.domain import DataError, Timeframe
from paperdesk.domain.quotes import QUOTE_FIELDS
from paperdesk.store.bar_writes import PRICES, BarBatch, write_postgres, write_sqlite
from paperdesk.store.database import Database
from paperdesk.store.models import BarRow, BarSeriesRow
from paperdesk.store.prebuilt import Prebuilt
from paperdesk.store.repository import LedgerRepository

_BARS = BarRow.__table__
# built once: every order placement asks it (the reference price's series token)
_SERIES_VERSIONS = (
    select(BarSeriesRow.timeframe, BarSeriesRow.version)
    .where(BarSeriesRow.symbol == bindparam("versions_symbol"))
    .order_by(BarSeriesRow.timeframe)
)
_SERIES_VERSIONS_IN_UNIT = Prebuilt(_SERIES_VERSIONS)  # in an order's transaction (prebuilt.py)
_CHUNK = 1 << 14  # rows whose texts are built at once (in Arrow: about 2 MB; 4x as many
# rows cost 15 MB more peak memory for 1% less CPU)
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
        if fetched_at.tzinfo is None:
            raise DataError("fetched_at must be timezone-aware")
        name, frame_timeframe = _series_key(symbol, timeframe)
        if len(frame) == 0:
            return 0
        index = _utc_index(frame.index)
        if index.has_duplicates:
            raise DataError(f"{name} {frame_timeframe}: the frame repeats a bar label")
        if "ts_close" in frame.columns:
            closes = _utc_index(pd.DatetimeIndex(frame["ts_close"]))
        else:
            calendar = instrument_for(name, asset_class).calendar
            closes = bar_close_times(index, frame_timeframe, calendar)
        for price in PRICES:
            _check_finite(frame, price, name)
        provenance = any(column in frame.columns for column in PROVENANCE_COLUMNS)
        batch = BarBatch(
            symbol=name,
            timeframe=frame_timeframe,
            frame=frame,
            index=index,
            closes=closes,
            fetched_at=fetched_at,
            source=source,
            sources=row_sources(frame, source) if provenance else None,
            quoted=all(field in frame.columns for field in QUOTE_FIELDS),
            chunk_rows=_CHUNK,
        )
        with self._database.writing_connection() as connection:  # one import, one transaction
            bump = _bump_version(self._postgres, name, frame_timeframe, fetched_at, asset_class)
            connection.execute(bump)
            driver: Any = connection.connection.driver_connection
            if self._postgres:
                overlapping = self._stored_between(connection, name, frame_timeframe, index)
                write_postgres(driver, batch, overlapping=overlapping, copy_rows=_COPY_CHUNK)
            else:
                write_sqlite(driver, batch)
        pa.default_memory_pool().release_unused()  # the texts' memory, kept by Arrow's allocator
        if asset_class is not None:
            remember_asset_class(name, asset_class)
        return len(frame)

    @staticmethod
    def _stored_between(
        connection: Any, symbol: str, timeframe: str, index: pd.DatetimeIndex
    ) -> bool:
        """Whether a bar of the series is stored between the first and last label of
        ``index`` (read after the version bump: its row lock keeps other writers out)."""
        bars = _BARS.c
        query = select(literal(1)).where(
            bars.symbol == symbol,
            bars.timeframe == timeframe,
            bars.ts >= index.min().to_pydatetime(),
            bars.ts <= index.max().to_pydatetime(),
        )
        return connection.execute(query.limit(1)).first() is not None

    # ----------------------------------------------------------------------------- reading

    def read_bars(
        self,
        symbol: str,
        timeframe: str,
        start: datetime | None = None,
        end: datetime | None = None,
    ) -> pd.DataFrame:
        name, frame_timeframe = _series_key(symbol, timeframe)
        bars = _BARS.c
        where = [bars.symbol == name, bars.timeframe == frame_timeframe]
        if start is not None:
            where.append(bars.ts >= _aware(start, "start"))
        if end is not None:
            where.append(bars.ts <= _aware(end, "end"))
        any_quote = or_(*(bars[field].is_not(None) for field in QUOTE_FIELDS))
        with self._reader() as connection:  # one snapshot for both queries
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
            rows = result.cursor.fetchall()  # plain DB-API tuples: no Row objects per bar
        # one object array, then whole columns converted by numpy (no Python loop per value)
        table = np.array(rows, dtype=object) if rows else np.empty((0, 9 + len(fields)), object)
        del rows
        index = pd.DatetimeIndex(self._instants(table[:, 0]), name="ts")
        frame = pd.DataFrame(
            {
                price: table[:, 2 + position].astype(np.float64)
                for position, price in enumerate(PRICES)
            },
            index=index,
            copy=False,
        )
        frame["ts_close"] = self._instants(table[:, 1])
        frame["source"] = pd.Categorical(table[:, 7])
        frame["fetched_at"] = self._instants(table[:, 8])
        for position, field in enumerate(fields):  # NULL (None) becomes NaN
            values = table[:, 9 + position]
            frame[field] = np.where(values == None, np.nan, values).astype(np.float64)  # noqa: E711
        if name not in symbol_table():  # the series' class, remembered for this process
            self.stored_asset_class(name)
        frame.attrs.update(
            symbol=name, timeframe=frame_timeframe, calendar=calendar_or_default(name)
        )
        return frame

    def _time_column(self, time_column: Any) -> ColumnElement[Any]:
        if self._postgres:  # whole microseconds since the epoch
            micros = func.extract("epoch", time_column) * 1_000_000
            return cast(func.round(micros), BigInteger)
        return type_coerce(time_column, String)  # the stored text, unconverted

    def _price_column(self, price_column: Any) -> ColumnElement[Any]:
        if self._postgres:
            return cast(price_column, Float)
        return type_coerce(price_column, String)

    def _instants(self, values: np.ndarray) -> pd.DatetimeIndex:
        if self._postgres:
            micros = np.asarray(values, dtype=np.int64).astype("datetime64[us]")
            return pd.DatetimeIndex(micros).as_unit("ns").tz_localize("UTC")
        stamps = np.asarray(values, dtype="datetime64[us]")
        return pd.DatetimeIndex(stamps).as_unit("ns").tz_localize("UTC")

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
        bars = _BARS.c
        query = (
            select(bars.symbol, bars.timeframe, func.min(bars.ts), func.max(bars.ts), func.count())
            .group_by(bars.symbol, bars.timeframe)
            .order_by(bars.symbol, bars.timeframe)
        )
        with self._reader() as connection:
            rows = connection.execute(query).all()
        return [
            SeriesInfo(symbol=row[0], timeframe=row[1], first=row[2], last=row[3], rows=row[4])
            for row in rows
        ]

    def date_range(self, symbol: str, timeframe: str) -> tuple[datetime, datetime] | None:
        name, frame_timeframe = _series_key(symbol, timeframe)
        bars = _BARS.c
        query = select(func.min(bars.ts), func.max(bars.ts)).where(
            bars.symbol == name, bars.timeframe == frame_timeframe
        )
        with self._reader() as connection:
            first, last = connection.execute(query).one()
        return None if first is None else (first, last)

    def count(self, symbol: str | None = None, timeframe: str | None = None) -> int:
        """How many bars are stored (all, or of one symbol, or of one series)."""
        bars = _BARS.c
        query = select(func.count()).select_from(_BARS)
        if symbol is not None:
            query = query.where(bars.symbol == symbol.strip().upper())
        if timeframe is not None:
            query = query.where(bars.timeframe == str(Timeframe.parse(timeframe)))
        with self._reader() as connection:
            return int(connection.execute(query).scalar_one())

    def series_version(self, symbol: str, timeframe: str) -> int:
        """The series' version (0 before any bar was stored); it changes with every write."""
        name, frame_timeframe = _series_key(symbol, timeframe)
        statement = select(BarSeriesRow.version).where(
            BarSeriesRow.symbol == name, BarSeriesRow.timeframe == frame_timeframe
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
        statement = select(BarSeriesRow.asset_class).where(
            BarSeriesRow.symbol == name, BarSeriesRow.asset_class.is_not(None)
        )
        with self._reader() as connection:
            found = connection.execute(statement.limit(1)).scalar()
        if found is not None:
            remember_asset_class(name, found)
        return None if found is None else str(found)

    def remember_stored_classes(self) -> None:
        """Remember, for this process, the asset class of every series imported with one."""
        statement = select(BarSeriesRow.symbol, BarSeriesRow.asset_class).where(
            BarSeriesRow.asset_class.is_not(None)
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
        name, frame_timeframe = _series_key(symbol, timeframe)
        bars = _BARS.c
        query = (
            select(func.count())
            .select_from(_BARS)
            .where(bars.symbol == name, bars.timeframe == frame_timeframe)
        )
        if start is not None:
            query = query.where(bars.ts >= _aware(start, "start"))
        if end is not None:
            query = query.where(bars.ts <= _aware(end, "end"))
        with self._reader() as connection:
            return int(connection.execute(query).scalar_one())


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
    changes: dict[str, Any] = {"version": BarSeriesRow.version + 1, "updated_at": at}
    if asset_class is not None:
        changes["asset_class"] = asset_class
    return (
        _dialect_insert(postgres)(BarSeriesRow)
        .values(
            symbol=symbol, timeframe=timeframe, version=1, updated_at=at, asset_class=asset_class
        )
        .on_conflict_do_update(index_elements=["symbol", "timeframe"], set_=changes)
    )


def _series_key(symbol: str, timeframe: str) -> tuple[str, str]:
    name = symbol.strip().upper()
    if not name:
        raise DataError("symbol must not be empty")
    return name, str(Timeframe.parse(timeframe))


def _aware(moment: datetime, what: str) -> datetime:
    if moment.tzinfo is None:
        raise DataError(f"{what} must be timezone-aware, got {moment.isoformat()}")
    return moment.astimezone(UTC)


def _utc_index(values: Any) -> pd.DatetimeIndex:
    index = pd.DatetimeIndex(values)
    if index.tz is None:
        raise DataError("bar times must be timezone-aware (UTC)")
    if index.hasnans:
        raise DataError("bar times must not be missing")
    return index.tz_convert("UTC")


def _check_finite(frame: pd.DataFrame, name: str, symbol: str) -> None:
    if name not in frame.columns:
        raise DataError(f"{symbol}: the bars have no {name!r} column")
    values = frame[name].to_numpy(dtype=np.float64)
    bad = ~np.isfinite(values)
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        raise DataError(f"{symbol}: {name} at {frame.index[row]} is {values[row]}, not a number")


__all__ = ["SqlBarStore"]
