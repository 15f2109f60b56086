"""Helpers of the DataManager: closed-bar filtering, adjustment as of a moment, and the bundled
series summary.

Frames follow the loader's convention (``paperdesk.data.csv_source.load_bars``): a UTC
``DatetimeIndex`` named ``ts`` of bar open labels, float64 ``open, high, low, close, volume``,
``ts_close`` and, here, a ``source`` column saying which provider or file gave each bar.
"""

from __future__ import annotations

import functools
from dataclasses import replace
from datetime import datetime
from pathlib import Path

import numpy as np
import pandas as pd

from paperdesk.data.bar_store import SeriesInfo
from paperdesk.data.bundled import bundled_files, find_bundled
from paperdesk.data.calendars import NEW_YORK
from paperdesk.data.corporate_actions import AdjustmentMode, FactorFile, adjust
from paperdesk.domain import DataError, Timeframe, UnknownNameError

PRICE_COLUMNS = ("open", "high", "low", "close", "volume")


def series_key(symbol: str, timeframe: str) -> tuple[str, str]:
    """The canonical (symbol, timeframe) of a series: upper-cased symbol, parsed timeframe."""
    name = symbol.strip().upper()
    if not name:
        raise DataError("symbol must not be empty")
    return name, str(Timeframe.parse(timeframe))


def utc(moment: pd.Timestamp | datetime, what: str = "time") -> pd.Timestamp:
    stamp = pd.Timestamp(moment)
    if stamp.tzinfo is None:
        raise DataError(f"{what} must be timezone-aware, got {stamp.isoformat()}")
    return stamp.tz_convert("UTC")


def empty_bars(symbol: str, timeframe: str, calendar: str) -> pd.DataFrame:
    """A bar frame with no rows (the right columns, dtypes and attrs)."""
    index = pd.DatetimeIndex([], tz="UTC", name="ts").as_unit("ns")
    frame = pd.DataFrame({name: np.array([], dtype="float64") for name in PRICE_COLUMNS}, index)
    frame["ts_close"] = pd.DatetimeIndex([], tz="UTC").as_unit("ns")
    frame["source"] = pd.Series([], dtype="object", index=index)
    frame.attrs.update(symbol=symbol, timeframe=timeframe, calendar=calendar)
    return frame


def closed_bars(
    frame: pd.DataFrame, now: datetime, start: datetime | None, end: datetime | None
) -> pd.DataFrame:
    """The rows of ``frame`` with ``start <= ts <= end`` whose bar has closed at ``now``."""
    closes = pd.DatetimeIndex(frame["ts_close"])
    keep = np.asarray(closes <= utc(now, "now"))
    index = pd.DatetimeIndex(frame.index)
    if start is not None:
        keep &= np.asarray(index >= utc(start, "start"))
    if end is not None:
        keep &= np.asarray(index <= utc(end, "end"))
    result = frame.loc[keep].copy()
    result.attrs = dict(frame.attrs)
    return result


def factors_as_of(factor_file: FactorFile, now: datetime) -> FactorFile:
    """``factor_file`` as it was known at ``now``: no corporate action after ``now``'s New York
    date is applied, so adjusted history never depends on the future (prices of ``now``'s
    trade date are the raw ones)."""
    today = utc(now, "now").tz_convert(NEW_YORK).date()
    table = factor_file.factors(pd.DatetimeIndex([pd.Timestamp(today)]))
    price_now = float(table["price_factor"].iloc[0])
    split_now = float(table["split_factor"].iloc[0])
    rows = tuple(
        replace(
            row,
            price_factor=row.price_factor / price_now,
            split_factor=row.split_factor / split_now,
        )
        for row in factor_file.rows
        if row.date < today
    )
    return FactorFile(rows, factor_file.symbol)


def adjust_as_of(
    frame: pd.DataFrame, factor_file: FactorFile, now: datetime, mode: AdjustmentMode
) -> pd.DataFrame:
    """``frame`` adjusted for the splits (and dividends) known at ``now``."""
    known = factors_as_of(factor_file, now)
    if not known.rows or frame.empty:
        result = frame.copy()
        result.attrs = {**frame.attrs, "adjustment": mode}
        return result
    return adjust(frame, known, mode)


def _edge_lines(path: Path) -> tuple[str, str]:
    """The first and last data lines of a CSV file (after its header)."""
    with path.open("rb") as handle:
        handle.readline()
        first = handle.readline()
        handle.seek(0, 2)
        size = handle.tell()
        handle.seek(max(0, size - 4096))
        tail = [line for line in handle.read().splitlines() if line.strip()]
    return first.decode().strip(), tail[-1].decode().strip()


def _label(line: str) -> datetime:
    stamp = pd.Timestamp(line.split(",", 1)[0])
    stamp = stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")
    return stamp.to_pydatetime()


@functools.cache
def _bundled_series() -> tuple[SeriesInfo, ...]:
    found: list[SeriesInfo] = []
    for item in bundled_files():
        try:
            preferred = find_bundled(item.symbol, item.timeframe)
        except UnknownNameError:
            continue
        if preferred != item.path:
            continue  # the file get_bars would not serve (another file of the series wins)
        first, last = _edge_lines(item.path)
        found.append(
            SeriesInfo(
                symbol=item.symbol,
                timeframe=item.timeframe,
                first=_label(first),
                last=_label(last),
                rows=item.rows,
                where="bundled",
                path=str(item.path),
            )
        )
    return tuple(found)


def bundled_series() -> list[SeriesInfo]:
    """The bundled series ``get_bars`` can serve (one file per symbol and timeframe)."""
    return list(_bundled_series())
