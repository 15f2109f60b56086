"""Import a CSV file into the bar store (and the Parquet cache): all of it, or nothing.

``import_csv`` validates the whole file first (``parse_csv``); only a file without a single
problem is written, in one store transaction, then to the cache. Every bar records its source,
``csv:<file name>``, and when it was imported. ``import_quotes`` adds a quote file's bid and
ask to the stored trade bars of the same series, matched by timestamp, the same way.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from paperdesk.data.bar_store import BarStore, copied_to_cache
from paperdesk.data.csv_import import parse_csv
from paperdesk.data.instruments import (
    UnknownSymbolError,
    asset_class_value,
    instrument_for,
    known_asset_class,
)
from paperdesk.data.parquet_cache import ParquetBarCache, write_through
from paperdesk.data.quote_csv import merge_quotes, read_quotes
from paperdesk.domain import AssetClass, DataError, Timeframe
from paperdesk.domain.quotes import QUOTE_FIELDS


@dataclass(frozen=True)
class ImportReport:
    """What an import wrote."""

    path: Path
    symbol: str
    timeframe: str
    source: str
    rows_read: int
    rows_written: int
    first: datetime
    last: datetime
    layout: str
    notes: tuple[str, ...]
    cached: bool


def import_csv(
    path: str | Path,
    store: BarStore,
    cache: ParquetBarCache | None = None,
    *,
    symbol: str,
    timeframe: str,
    timezone: str | None = None,
    sort: bool = False,
    drop_duplicates: bool = False,
    calendar: str | None = None,
    adjusted: bool = False,
    fetched_at: datetime | None = None,
    asset_class: str | None = None,
) -> ImportReport:
    """Validate ``path`` and write its bars; a ``CsvImportError`` means nothing was written.

    ``asset_class`` is stored with the series; without one the symbol must be in the symbol
    table, stored with a class already, or of an unambiguous shape (the report says so), else
    it is refused (``UnknownSymbolError``) before the file is read."""
    file_path = Path(path)
    kind, note = series_asset_class(store, symbol, asset_class)
    calendar = calendar or instrument_for(symbol, kind).calendar
    imported = parse_csv(
        file_path,
        symbol=symbol,
        timeframe=timeframe,
        timezone=timezone,
        sort=sort,
        drop_duplicates=drop_duplicates,
        calendar=calendar,
        adjusted=adjusted,
    )
    frame = imported.frame
    name, frame_timeframe = frame.attrs["symbol"], frame.attrs["timeframe"]
    source = f"csv:{file_path.name}"
    written = write_through(
        store, cache, frame, symbol=name, timeframe=frame_timeframe, source=source,
        fetched_at=fetched_at or datetime.now(UTC), asset_class=kind,
    )  # fmt: skip
    return ImportReport(
        path=file_path,
        symbol=name,
        timeframe=frame_timeframe,
        source=source,
        rows_read=imported.rows_read,
        rows_written=written,
        first=frame.index[0].to_pydatetime(),
        last=frame.index[-1].to_pydatetime(),
        layout=imported.layout,
        notes=(*imported.notes, *note),
        cached=cache is not None and copied_to_cache(frame),
    )


def import_quotes(
    path: str | Path,
    store: BarStore,
    cache: ParquetBarCache | None = None,
    *,
    symbol: str,
    timeframe: str,
    timezone: str | None = None,
    fetched_at: datetime | None = None,
) -> ImportReport:
    """Validate a quote file and store its quotes on the stored trade bars of the series with
    the same labels, in one transaction (a ``CsvReadError`` or ``DataError`` means nothing was
    written). Quotes whose minute has no trade bar are counted in the report, not stored."""
    file_path = Path(path)
    name, frame_timeframe = symbol.strip().upper(), str(Timeframe.parse(timeframe))
    quotes = read_quotes(file_path, timezone)
    stored = store.read_bars(name, frame_timeframe)
    if stored.empty:
        raise DataError(
            f"no {name} {frame_timeframe} bars are stored: import the trade bars first "
            "(quotes are merged with them by timestamp)"
        )
    merged = merge_quotes(stored, quotes)
    quoted = merged.loc[merged[list(QUOTE_FIELDS)].notna().all(axis=1)]
    source = f"csv:{file_path.name}"
    written = write_through(  # each bar keeps the source of its trades (its ``source`` column)
        store, cache, quoted, symbol=name, timeframe=frame_timeframe, source=source,
        fetched_at=fetched_at or datetime.now(UTC),
    )  # fmt: skip
    unused = len(quotes) - written
    notes = (f"{unused} quotes fall on no stored bar and were not used",) if unused else ()
    return ImportReport(
        path=file_path,
        symbol=name,
        timeframe=frame_timeframe,
        source=source,
        rows_read=len(quotes),
        rows_written=written,
        first=quoted.index[0].to_pydatetime(),
        last=quoted.index[-1].to_pydatetime(),
        layout="quotes (bid and ask OHLC and sizes) merged with the stored trade bars",
        notes=notes,
        cached=cache is not None and copied_to_cache(quoted),
    )


def series_asset_class(
    store: BarStore, symbol: str, given: str | None
) -> tuple[str | None, tuple[str, ...]]:
    """The class to store with a series written by an import or a backfill (None: the symbol
    table's or the one stored before) and a note when it was inferred from the symbol's shape;
    an unknown symbol without ``given`` is refused (``UnknownSymbolError``)."""
    if given is not None:
        return asset_class_value(given).value, ()
    stored = getattr(store, "stored_asset_class", None)
    if callable(stored) and stored(symbol) is not None:
        return None, ()
    found = known_asset_class(symbol)
    if found is None:
        raise UnknownSymbolError(symbol.strip().upper())
    kind, how = found
    if how != "inferred":
        return None, ()
    return kind.value, (f"asset class {kind.value}, inferred from the symbol {_why(kind)}",)


def _why(kind: AssetClass) -> str:
    if kind is AssetClass.FOREX:
        return "(two ISO currency codes); say otherwise with --asset-class"
    return "(a known crypto base and quote); say otherwise with --asset-class"
