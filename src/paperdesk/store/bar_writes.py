"""Bulk writes of bars into the ``bars`` table, the rows' texts built for whole columns.

``SqlBarStore.write_bars`` resolves a frame into a ``BarBatch`` (labels, close times, prices,
provenance) and hands it to ``write_sqlite`` or ``write_postgres``, inside its one transaction:

- SQLite: ``INSERT ... VALUES (...), (...), ... ON CONFLICT (symbol, timeframe, ts) DO
  UPDATE``, 500 rows a statement through ``executemany`` (a row per statement spent more time
  in the driver than in SQLite), the values that are the same on every row (symbol,
  timeframe, fetched time, a single source) bound once per statement.
- PostgreSQL: ``COPY`` of text built by Arrow (no Python object per row or value), straight
  into ``bars`` when no stored bar of the series falls in the batch's range (nothing to
  update, so the upsert's result is the copy's), else into a temporary table and one upsert.

Every value has the form ``UtcDateTime`` and ``ExactDecimal`` write: prices as ``repr`` of
their float (``bar_texts.decimal_texts``), times in UTC.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from paperdesk.data.bar_store import PROVENANCE_COLUMNS, row_sources
from paperdesk.data.calendars import bar_close_times
from paperdesk.data.instruments import instrument_for, remember_asset_class
from paperdesk.domain import DataError, Timeframe
from paperdesk.domain.quotes import QUOTE_FIELDS
from paperdesk.store.bar_blocks import BarColumns, micros_of
from paperdesk.store.bar_texts import decimal_texts, time_texts

PRICES = ("open", "high", "low", "close", "volume")
KEY = ("symbol", "timeframe", "ts")
_ROWS_PER_STATEMENT = 500
_ROWS_BOUND_AT_ONCE = 5_000  # rows handed to SQLite as Python strings at once
WRITE_CHUNK_ROWS = 1 << 14  # rows whose texts a store builds at once (in Arrow: about 2 MB;
# 4x as many rows cost 15 MB more peak memory for 1% less CPU)


@dataclass(frozen=True)
class BarBatch:
    """A frame's bars resolved for the database: UTC labels and close times, the price
    columns, and the provenance (``sources`` per row, or one ``source`` for all)."""

    symbol: str
    timeframe: str
    frame: pd.DataFrame
    index: pd.DatetimeIndex
    closes: pd.DatetimeIndex
    fetched_at: datetime
    source: str
    sources: list[str] | None  # None: ``source`` for every row
    quoted: bool
    chunk_rows: int = 40 * _ROWS_PER_STATEMENT  # rows whose texts are built at once (a few MB)

    @property
    def names(self) -> tuple[str, ...]:
        """The columns written, in order."""
        columns = ("symbol", "timeframe", "ts", "ts_close", *PRICES, "source", "fetched_at")
        return (*columns, *QUOTE_FIELDS) if self.quoted else columns

    def varying(self) -> tuple[str, ...]:
        """The columns given row by row (the rest are the same on every row)."""
        constant = self.constant_names()
        return tuple(name for name in self.names if name not in constant)

    def constant_names(self) -> tuple[str, ...]:
        single = ("source",) if self.sources is None else ()
        return ("symbol", "timeframe", "fetched_at", *single)

    def chunks(self, postgres: bool) -> Iterator[list[pa.Array]]:
        """The varying columns' texts (null where a quote is missing), ``chunk_rows`` rows at
        a time, in ``varying()``'s order."""
        prices = {name: self.frame[name].to_numpy(np.float64) for name in PRICES}
        if self.quoted:
            prices.update({name: self.frame[name].to_numpy(np.float64) for name in QUOTE_FIELDS})
        for first in range(0, len(self.frame), self.chunk_rows):
            part = slice(first, first + self.chunk_rows)
            columns: dict[str, pa.Array] = {
                "ts": time_texts(index_micros(self.index[part]), postgres),
                "ts_close": time_texts(index_micros(self.closes[part]), postgres),
            }
            for name, values in prices.items():
                columns[name] = decimal_texts(values[part])
            if self.sources is not None:
                texts = self.sources[part]
                columns["source"] = pa.array(
                    [copy_field(text) for text in texts] if postgres else texts, pa.string()
                )
            yield [columns[name] for name in self.varying()]

    def constants(self, postgres: bool) -> dict[str, str]:
        fetched = index_micros(pd.DatetimeIndex([self.fetched_at]))
        values = {
            "symbol": self.symbol,
            "timeframe": self.timeframe,
            "fetched_at": time_texts(fetched, postgres)[0].as_py(),
            "source": self.source,
        }
        return {name: values[name] for name in self.constant_names()}


def resolved_batch(
    frame: pd.DataFrame,
    *,
    symbol: str,
    timeframe: str,
    source: str,
    fetched_at: datetime,
    asset_class: str | None,
    chunk_rows: int,
) -> BarBatch | None:
    """``frame``'s bars resolved for a write of the series (None when it has none): its
    labels and close times in UTC (computed from the instrument's calendar when the frame
    has no ``ts_close``), every price finite, the provenance per row when the frame names
    it. A ``DataError`` names what makes the frame unfit to store."""
    if fetched_at.tzinfo is None:
        raise DataError("fetched_at must be timezone-aware")
    name, frame_timeframe = series_key(symbol, timeframe)
    if len(frame) == 0:
        return None
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
    return BarBatch(
        symbol=name,
        timeframe=frame_timeframe,
        frame=frame,
        index=index,
        closes=closes,
        fetched_at=fetched_at,
        source=source,
        sources=row_sources(frame, source) if provenance else None,
        quoted=all(field in frame.columns for field in QUOTE_FIELDS),
        chunk_rows=chunk_rows,
    )


def write_frame(
    frame: pd.DataFrame,
    write: Callable[[BarBatch], None],
    *,
    symbol: str,
    timeframe: str,
    source: str,
    fetched_at: datetime,
    asset_class: str | None,
    chunk_rows: int,
) -> int:
    """A store's ``write_bars``: ``frame`` resolved (``resolved_batch``) and handed to
    ``write`` (the store's one transaction), then the texts' memory handed back and the
    series' ``asset_class`` remembered for this process; the rows written."""
    batch = resolved_batch(
        frame, symbol=symbol, timeframe=timeframe, source=source, fetched_at=fetched_at,
        asset_class=asset_class, chunk_rows=chunk_rows,
    )  # fmt: skip
    if batch is None:
        return 0
    write(batch)
    pa.default_memory_pool().release_unused()  # the texts' memory, kept by Arrow's allocator
    if asset_class is not None:
        remember_asset_class(batch.symbol, asset_class)
    return len(frame)


def batch_columns(batch: BarBatch) -> BarColumns:
    """A batch's bars as columns (the frame's floats as they are, one fetch time)."""
    frame, rows = batch.frame, len(batch.frame)
    sources: tuple[str, ...] = (batch.source,)
    if batch.sources is None:
        codes = np.zeros(rows, np.int32)
    else:
        found, uniques = pd.factorize(np.asarray(batch.sources, dtype=object))
        codes, sources = found.astype(np.int32), tuple(str(text) for text in uniques)
    return BarColumns(
        ts=index_micros(batch.index),
        ts_close=index_micros(batch.closes),
        prices={price: frame[price].to_numpy(np.float64) for price in PRICES},
        codes=codes,
        sources=sources,
        fetched_at=np.full(rows, micros_of(batch.fetched_at), np.int64),
        quotes={field: frame[field].to_numpy(np.float64) for field in QUOTE_FIELDS}
        if batch.quoted
        else None,
    )


def series_key(symbol: str, timeframe: str) -> tuple[str, str]:
    """A series' stored key: the symbol upper-cased, the timeframe in its canonical text."""
    name = symbol.strip().upper()
    if not name:
        raise DataError("symbol must not be empty")
    return name, str(Timeframe.parse(timeframe))


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


def index_micros(index: pd.DatetimeIndex) -> np.ndarray:
    """Microseconds since the epoch of UTC instants (as numpy casts them to microseconds)."""
    naive = index.tz_convert("UTC").tz_localize(None).to_numpy()
    return naive.astype("datetime64[us]").view(np.int64)


def upsert_sql(names: Sequence[str], source: str) -> str:
    """``INSERT ... ON CONFLICT (symbol, timeframe, ts) DO UPDATE`` of ``names`` from ``source``
    (a ``VALUES (...)`` list or a ``SELECT``), the same text on SQLite and PostgreSQL."""
    updated = ", ".join(f"{name} = excluded.{name}" for name in names if name not in KEY)
    return (
        f"INSERT INTO bars ({', '.join(names)}) {source} "
        f"ON CONFLICT ({', '.join(KEY)}) DO UPDATE SET {updated}"
    )


# ------------------------------------------------------------------------------------ SQLite


def write_sqlite(connection: sqlite3.Connection, batch: BarBatch) -> None:
    """Upsert the batch with multi-row ``VALUES`` statements on the open transaction: the
    texts of a chunk built in Arrow, handed to the driver as Python strings
    ``_ROWS_BOUND_AT_ONCE`` rows at a time (the strings cost far more memory than the texts)."""
    constants = batch.constants(postgres=False)
    varying = batch.varying()
    limit = _variable_limit(connection)
    per_statement = max(1, min(_ROWS_PER_STATEMENT, (limit - len(constants)) // len(varying)))
    statements: dict[int, str] = {}
    for columns in batch.chunks(postgres=False):
        for first in range(0, len(columns[0]), _ROWS_BOUND_AT_ONCE):
            part = [column.slice(first, _ROWS_BOUND_AT_ONCE) for column in columns]
            rows = len(part[0])
            full = rows - rows % per_statement
            groups = [(per_statement, 0, full)] if full else []
            if full < rows:
                groups.append((rows - full, full, rows - full))
            for size, start, length in groups:
                if size not in statements:
                    statements[size] = _values_statement(batch.names, constants, varying, size)
                chosen = [column.slice(start, length) for column in part]
                connection.executemany(statements[size], _parameters(chosen, constants, size))


def _parameters(
    columns: Sequence[pa.Array], constants: dict[str, str], size: int
) -> list[list[object]]:
    """The parameters of the statements of ``size`` rows that bind ``columns`` (a multiple of
    ``size`` rows): the constants, then each row's values in turn, a list per statement."""
    statements = len(columns[0]) // size
    parameters = np.empty((statements, len(constants) + size * len(columns)), dtype=object)
    parameters[:, : len(constants)] = list(constants.values())
    values = parameters[:, len(constants) :].reshape(statements, size, len(columns))  # a view
    for position, column in enumerate(columns):
        texts = column.to_numpy(zero_copy_only=False)
        values[:, :, position] = texts.reshape(statements, size)
    return parameters.tolist()


def _values_statement(
    names: Sequence[str], constants: dict[str, str], varying: Sequence[str], rows: int
) -> str:
    """The upsert of ``rows`` rows: ``?1``... are the constants, then each row's values."""
    numbers = {name: position + 1 for position, name in enumerate(constants)}
    first = len(constants) + 1
    tuples = []
    for row in range(rows):
        numbers.update(
            (name, first + row * len(varying) + position) for position, name in enumerate(varying)
        )
        tuples.append("(" + ", ".join(f"?{numbers[name]}" for name in names) + ")")
    return upsert_sql(names, "VALUES " + ", ".join(tuples))


def _variable_limit(connection: sqlite3.Connection) -> int:
    """How many parameters one statement may bind (999 before SQLite 3.32)."""
    return int(connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER))


# -------------------------------------------------------------------------------- PostgreSQL


def write_postgres(
    connection: object, batch: BarBatch, *, overlapping: bool, copy_rows: int = 5_000
) -> None:
    """``COPY`` the batch (a psycopg connection's cursor): into ``bars`` itself when no stored
    bar is ``overlapping`` its range, else into a temporary table, then one upsert. Each
    chunk's texts are built at once; they are joined and written ``copy_rows`` rows at a
    time (a larger COPY write costs more peak memory than larger chunks of texts)."""
    names = batch.names
    listed = ", ".join(names)
    cursor = connection.cursor()  # type: ignore[attr-defined]
    target = "bars"
    if overlapping:
        target = "bars_import"
        cursor.execute(
            "CREATE TEMPORARY TABLE bars_import ON COMMIT DROP AS "
            f"SELECT {listed} FROM bars WITH NO DATA"
        )
    constants = {
        name: pa.scalar(copy_field(text)) for name, text in batch.constants(postgres=True).items()
    }
    varying = batch.varying()
    with cursor.copy(f"COPY {target} ({listed}) FROM STDIN") as copy:
        for columns in batch.chunks(postgres=True):
            for first in range(0, len(columns[0]), copy_rows):
                part = [column.slice(first, copy_rows) for column in columns]
                given = dict(zip(varying, part, strict=True))
                fields = [given[name] if name in given else constants[name] for name in names]
                lines = pc.binary_join_element_wise(
                    *fields, "\t", null_handling="replace", null_replacement="\\N"
                )
                copy.write(_text_buffer(pc.binary_join_element_wise(lines, _NEWLINE, "")))
    if overlapping:
        cursor.execute(upsert_sql(names, f"SELECT {listed} FROM bars_import"))


_NEWLINE = pa.scalar("\n")


def _text_buffer(texts: pa.StringArray) -> memoryview:
    """The characters of all ``texts``, one after the other (no copy)."""
    offsets = np.frombuffer(texts.buffers()[1], dtype=np.int32)[texts.offset :]
    data = texts.buffers()[2]
    return memoryview(data)[int(offsets[0]) : int(offsets[len(texts)])]


def copy_field(value: str) -> str:
    """A text in ``COPY``'s text format."""
    if "\t" in value or "\n" in value or "\\" in value or "\r" in value:
        return (
            value.replace("\\", "\\\\")
            .replace("\t", "\\t")
            .replace("\n", "\\n")
            .replace("\r", "\\r")
        )
    return value


__all__ = [
    "BarBatch",
    "copy_field",
    "index_micros",
    "upsert_sql",
    "write_postgres",
    "write_sqlite",
]
