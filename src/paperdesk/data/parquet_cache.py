"""A Parquet cache of bars: one file per symbol, timeframe and calendar month (UTC).

Layout: ``<root>/<SYMBOL>/<timeframe>/<YYYY-MM>.parquet`` (``<root>/SPY/1h/2025-09.parquet``),
root ``<home>/cache/bars`` for the default ledger. Each file holds the month's bars sorted by their
open label ``ts``, with ``open, high, low, close, volume`` (float64), ``ts_close`` and ``source``
(which provider or file gave the bar), and the quote columns (``QUOTE_FIELDS``, null for bars
without a quote; read back only when some bar has one). Writes merge with the month already cached
(a new bar replaces the cached bar with the same label) and replace the file atomically
(temporary file, then ``os.replace``), so a reader never sees half a file. Reads open only the
months asked for.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from paperdesk.data.bar_store import BarStore, copied_to_cache, row_sources
from paperdesk.data.calendars import bar_close_times
from paperdesk.data.instruments import calendar_or_default, instrument_for
from paperdesk.domain import DataError, Timeframe
from paperdesk.domain.quotes import QUOTE_FIELDS

PRICE_COLUMNS = ("open", "high", "low", "close", "volume")
_MONTH_FILE = re.compile(r"^(\d{4})-(\d{2})\.parquet$")
_METADATA_KEY = b"paperdesk"
_SCHEMA = pa.schema(
    [
        pa.field("ts", pa.timestamp("ns", tz="UTC"), nullable=False),
        *(pa.field(name, pa.float64(), nullable=False) for name in PRICE_COLUMNS),
        pa.field("ts_close", pa.timestamp("ns", tz="UTC"), nullable=False),
        pa.field("source", pa.string()),
        # a bar's quote, null when it has none (files written before quotes have no such columns)
        *(pa.field(name, pa.float64(), nullable=True) for name in QUOTE_FIELDS),
    ]
)


def default_cache_root(home: Path) -> Path:
    """Where the bars of the ledger in ``home`` are cached."""
    return home / "cache" / "bars"


class ParquetBarCache:
    """Bars cached as monthly Parquet files under ``root``."""

    def __init__(self, root: Path | str) -> None:
        self.root = Path(root)

    # ---------------------------------------------------------------------------- layout

    def directory(self, symbol: str, timeframe: str) -> Path:
        """The folder of a series: the symbol with ``/`` written ``%2F`` (``%`` is never in a
        symbol, so ``BTC/USD`` and ``BTC-USD`` keep apart)."""
        name = symbol.strip().upper().replace("%", "%25").replace("/", "%2F")
        name = name.replace("\\", "%5C").replace(":", "%3A")
        if not name or name in {".", ".."}:
            raise DataError(f"symbol {symbol!r} cannot name a cache directory")
        return self.root / name / str(Timeframe.parse(timeframe))

    def months(self, symbol: str, timeframe: str) -> list[str]:
        """The cached months (``YYYY-MM``) of a series, oldest first."""
        directory = self.directory(symbol, timeframe)
        if not directory.is_dir():
            return []
        names = (_MONTH_FILE.match(path.name) for path in directory.iterdir())
        return sorted(f"{match[1]}-{match[2]}" for match in names if match)

    def files(self, symbol: str, timeframe: str) -> list[Path]:
        directory = self.directory(symbol, timeframe)
        return [directory / f"{month}.parquet" for month in self.months(symbol, timeframe)]

    # --------------------------------------------------------------------------- versions

    def version(self, symbol: str, timeframe: str) -> int | None:
        """The store's series version this copy was made from (None: not recorded)."""
        path = self.directory(symbol, timeframe) / _VERSION_FILE
        try:
            return int(path.read_text().strip())
        except (OSError, ValueError):
            return None

    def set_version(self, symbol: str, timeframe: str, version: int) -> None:
        """Record that the files of a series hold the store's bars at ``version``."""
        directory = self.directory(symbol, timeframe)
        directory.mkdir(parents=True, exist_ok=True)
        temporary = directory / f".{_VERSION_FILE}.tmp"
        temporary.write_text(f"{version}\n")
        temporary.replace(directory / _VERSION_FILE)

    def known_version(self, symbol: str, timeframe: str) -> int | None:
        """Like ``version``, and 0 for a series with no files: an empty copy of the store
        before its first write."""
        if not self.months(symbol, timeframe):
            return 0
        return self.version(symbol, timeframe)

    def write_copy(
        self,
        frame: pd.DataFrame,
        symbol: str,
        timeframe: str,
        *,
        source: str,
        version_before: int | None,
        version_after: int,
    ) -> None:
        """Add bars just written to the store. ``version_before`` is ``known_version`` read
        before that write and ``version_after`` the store's version read after it: when they
        are one apart the write was the only one in between, so the copy is current; otherwise
        another writer came in between and the copy is left unversioned (refilled on read)."""
        self.forget_version(symbol, timeframe)
        self.write(frame, symbol, timeframe, source=source)
        if version_before is not None and version_after == version_before + 1:
            self.set_version(symbol, timeframe, version_after)

    def forget_version(self, symbol: str, timeframe: str) -> None:
        """The files no longer match any version of the store (a write began)."""
        (self.directory(symbol, timeframe) / _VERSION_FILE).unlink(missing_ok=True)

    def clear(self, symbol: str, timeframe: str) -> None:
        """Drop a series' files (a copy of an older version of the store)."""
        self.forget_version(symbol, timeframe)
        for path in self.files(symbol, timeframe):
            path.unlink(missing_ok=True)

    # --------------------------------------------------------------------------- writing

    def write(
        self, frame: pd.DataFrame, symbol: str, timeframe: str, *, source: str | None = None
    ) -> int:
        """Merge ``frame``'s bars into their month files; returns the number of bars written.

        ``frame`` follows the loader's convention; a per-row ``source`` or ``provider`` column
        is kept, otherwise ``source`` (if given) is recorded for every row.
        """
        if len(frame) == 0:
            return 0
        index = pd.DatetimeIndex(frame.index)
        if index.tz is None or index.hasnans:
            raise DataError("cached bars need a timezone-aware index without gaps")
        if index.has_duplicates:
            raise DataError(f"{symbol} {timeframe}: the frame repeats a bar label")
        name = str(Timeframe.parse(timeframe))
        calendar = str(frame.attrs.get("calendar") or instrument_for(symbol).calendar)
        quoted = all(field in frame.columns for field in QUOTE_FIELDS)
        if not index.is_monotonic_increasing:  # in time order, so each month is one slice
            order = np.argsort(index.asi8, kind="stable")
            frame, index = frame.iloc[order], index[order]
        directory = self.directory(symbol, name)
        directory.mkdir(parents=True, exist_ok=True)
        metadata = {
            _METADATA_KEY: json.dumps(
                {"symbol": symbol.strip().upper(), "timeframe": name, "calendar": calendar}
            ).encode()
        }
        for month, first, last in _months(index):  # a month at a time: memory stays a month's
            rows = slice(first, last)
            part = _to_table(frame.iloc[rows], index[rows], name, calendar, source)
            path = directory / f"{month}.parquet"
            if path.exists():
                cached = _with_quote_columns(pq.read_table(path))
                if not quoted:  # trades alone: the bars keep their cached quotes, as stored
                    part = _keep_quotes(cached, part)
                part = _merge(cached, part)
            _write_atomically(part.replace_schema_metadata(metadata), path)
            del part
            pa.default_memory_pool().release_unused()  # Arrow's allocator keeps freed memory
        return len(index)

    # --------------------------------------------------------------------------- reading

    def read(
        self,
        symbol: str,
        timeframe: str,
        start: datetime | None = None,
        end: datetime | None = None,
    ) -> pd.DataFrame:
        """The cached bars with ``start <= ts <= end`` (bounds optional), oldest first."""
        name = str(Timeframe.parse(timeframe))
        low = _utc(start, "start")
        high = _utc(end, "end")
        first_month = None if low is None else f"{low.year:04d}-{low.month:02d}"
        last_month = None if high is None else f"{high.year:04d}-{high.month:02d}"
        directory = self.directory(symbol, name)
        wanted = [
            month
            for month in self.months(symbol, name)
            if (first_month is None or month >= first_month)
            and (last_month is None or month <= last_month)
        ]
        tables = [_read_month(directory / f"{month}.parquet") for month in wanted]
        metadata = (tables[0].schema.metadata or {}) if tables else {}
        table = pa.concat_tables(tables) if tables else _SCHEMA.empty_table()
        if low is not None:
            table = table.filter(pc.greater_equal(table.column("ts"), pa.scalar(low, _TS)))
        if high is not None:
            table = table.filter(pc.less_equal(table.column("ts"), pa.scalar(high, _TS)))
        return _to_frame(table, symbol, name, metadata)


_TS = pa.timestamp("ns", tz="UTC")
_EARLIEST = pd.Timestamp.min.tz_localize("UTC")  # the range of int64 nanoseconds
_LATEST = pd.Timestamp.max.tz_localize("UTC")
_VERSION_FILE = "STORE_VERSION"


def write_through(
    store: BarStore,
    cache: ParquetBarCache | None,
    frame: pd.DataFrame,
    *,
    symbol: str,
    timeframe: str,
    source: str,
    fetched_at: datetime,
    asset_class: str | None = None,
) -> int:
    """Write ``frame`` to the store (one transaction, the series' version raised) and then its
    copy to the Parquet cache, versioned only when no other write came in between (see
    ``ParquetBarCache.write_copy``); the rows written. A large write (``copied_to_cache``) is
    not copied: the series' cached months are dropped and the store answers its reads."""
    before = None if cache is None else cache.known_version(symbol, timeframe)
    written = store.write_bars(
        frame, symbol=symbol, timeframe=timeframe, source=source, fetched_at=fetched_at,
        asset_class=asset_class,
    )  # fmt: skip
    if cache is not None and not copied_to_cache(frame):
        cache.clear(symbol, timeframe)  # now older than the store's bars
    elif cache is not None:
        after = store.series_version(symbol, timeframe)
        cache.write_copy(
            frame, symbol, timeframe, source=source, version_before=before, version_after=after
        )
    return written


def _months(index: pd.DatetimeIndex) -> Iterator[tuple[str, int, int]]:
    """``(YYYY-MM, first, end)``: the rows of each month holding bars of an ascending UTC
    index, found by searching for the months' first instants (no array per row)."""
    stamps = index.asi8  # UTC, in the index's unit
    unit = f"datetime64[{index.unit}]"
    first, last = (np.datetime64(int(stamps[at]), index.unit) for at in (0, -1))
    months = np.arange(first.astype("datetime64[M]"), last.astype("datetime64[M]") + 1)
    starts = np.searchsorted(stamps, months.astype(unit).view(np.int64))
    ends = [*starts[1:].tolist(), len(stamps)]
    for month, start, end in zip(months, starts.tolist(), ends, strict=True):
        if end > start:
            yield str(month), start, end


def _utc(moment: datetime | None, what: str) -> pd.Timestamp | None:
    """A read's bound in UTC nanoseconds, the files' unit: a moment outside what nanoseconds
    hold (before 1677-09-21, after 2262-04-11: no bar can be stored there) is the nearest end
    of that range, which selects the same bars."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        raise DataError(f"{what} must be timezone-aware, got {moment.isoformat()}")
    stamp = pd.Timestamp(moment).tz_convert("UTC")
    return min(max(stamp, _EARLIEST), _LATEST).as_unit("ns")


def _to_table(
    frame: pd.DataFrame,
    index: pd.DatetimeIndex,
    timeframe: str,
    calendar: str,
    source: str | None,
) -> pa.Table:
    utc = index.tz_convert("UTC").as_unit("ns")
    if "ts_close" in frame.columns:
        closes = pd.DatetimeIndex(frame["ts_close"]).tz_convert("UTC").as_unit("ns")
    else:
        closes = bar_close_times(utc, timeframe, calendar)
    columns: dict[str, pa.Array] = {"ts": pa.array(utc, type=_TS)}
    for name in PRICE_COLUMNS:
        if name not in frame.columns:
            raise DataError(f"cached bars need a {name!r} column")
        columns[name] = pa.array(frame[name].to_numpy(dtype=np.float64), type=pa.float64())
    columns["ts_close"] = pa.array(closes, type=_TS)
    columns["source"] = _sources(frame, source)
    quoted = all(name in frame.columns for name in QUOTE_FIELDS)
    for name in QUOTE_FIELDS:
        if quoted:
            values = frame[name].to_numpy(dtype=np.float64)
            columns[name] = pa.array(values, type=pa.float64(), from_pandas=True)  # NaN -> null
        else:
            columns[name] = pa.nulls(len(frame), pa.float64())
    return pa.Table.from_pydict(columns, schema=_SCHEMA)


def _sources(frame: pd.DataFrame, source: str | None) -> pa.Array:
    """Each row's source: its ``provider``/``source`` value, else ``source`` (null without
    one); ``source`` repeated by Arrow when the frame has no such column (no Python string
    per row)."""
    if any(column in frame.columns for column in ("provider", "source")):
        return pa.array(row_sources(frame, source or ""), type=pa.string())
    if source is None:
        return pa.nulls(len(frame), pa.string())
    return pa.repeat(pa.scalar(source, type=pa.string()), len(frame))


def _keep_quotes(cached: pa.Table, part: pa.Table) -> pa.Table:
    """``part`` with the quote of each bar the month file already holds (by label)."""
    cached_labels = cached.column("ts").to_numpy()
    labels = part.column("ts").to_numpy()
    positions = np.searchsorted(cached_labels, labels)
    inside = positions < len(cached_labels)
    found = np.zeros(len(labels), dtype=bool)
    found[inside] = cached_labels[positions[inside]] == labels[inside]
    for name in QUOTE_FIELDS:
        values = np.full(len(labels), np.nan)
        values[found] = cached.column(name).to_numpy(zero_copy_only=False)[positions[found]]
        column = pa.array(values, type=pa.float64(), from_pandas=True)
        part = part.set_column(part.schema.get_field_index(name), name, column)
    return part


def _with_quote_columns(table: pa.Table) -> pa.Table:
    """A month file in the current layout: one written before quotes gets null quote columns."""
    for name in QUOTE_FIELDS:
        if name not in table.column_names:
            table = table.append_column(
                pa.field(name, pa.float64(), nullable=True), pa.nulls(len(table), pa.float64())
            )
    return table.select(_SCHEMA.names)


def _merge(cached: pa.Table, new: pa.Table) -> pa.Table:
    """The month's bars: cached ones whose label is not among the new ones, then the new."""
    kept = cached.filter(pc.invert(pc.is_in(cached.column("ts"), value_set=new.column("ts"))))
    return pa.concat_tables([kept, new]).sort_by("ts")


def _read_month(path: Path) -> pa.Table:
    # the source column comes back dictionary-encoded: one string per provider, not per bar
    return _with_quote_columns(pq.read_table(path, read_dictionary=["source"]))


def _write_atomically(table: pa.Table, path: Path) -> None:
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.stem}.", suffix=".tmp")
    os.close(handle)
    try:
        # dictionary pages only for the source (one text per provider): tried on the float
        # columns too (the default), they took 3x the time and 30 MB more for a larger file
        pq.write_table(table, temporary, use_dictionary=["source"])
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _to_frame(
    table: pa.Table, symbol: str, timeframe: str, metadata: dict[bytes, bytes]
) -> pd.DataFrame:
    index = pd.DatetimeIndex(table.column("ts").to_pandas(), name="ts")
    frame = pd.DataFrame(
        {name: table.column(name).to_numpy() for name in PRICE_COLUMNS}, index=index, copy=False
    )
    frame["ts_close"] = pd.DatetimeIndex(table.column("ts_close").to_pandas())
    frame["source"] = pd.Categorical(table.column("source").to_pandas())
    if any(table.column(name).null_count < len(table) for name in QUOTE_FIELDS) and len(table):
        for name in QUOTE_FIELDS:
            frame[name] = table.column(name).to_numpy(zero_copy_only=False)
    stored = json.loads(metadata[_METADATA_KEY]) if _METADATA_KEY in metadata else {}
    frame.attrs.update(
        symbol=symbol.strip().upper(),
        timeframe=timeframe,
        calendar=stored.get("calendar") or calendar_or_default(symbol),
    )
    return frame
