"""Turn provider rows into the project's bar frame (see ``paperdesk.data.csv_source.load_bars``).

The frame is indexed by ``ts``, the bar's open label in UTC (daily bars: the trading date at
00:00 UTC), with float64 ``open, high, low, close, volume``, ``ts_close`` (when the bar becomes
visible, from the symbol's calendar) and ``provider`` (which provider gave the bar).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Literal

import numpy as np
import pandas as pd

from paperdesk.data.bar_rule import BarColumns, first_failure, row_problems
from paperdesk.data.calendars import bar_close_times
from paperdesk.data.instruments import calendar_or_default
from paperdesk.data.providers.errors import BadResponse
from paperdesk.domain import Timeframe
from paperdesk.domain.bar_rule import SUMMARIES

PRICE_COLUMNS = ("open", "high", "low", "close", "volume")
FRAME_COLUMNS = (*PRICE_COLUMNS, "ts_close", "provider")


def empty_frame() -> pd.DataFrame:
    """A bar frame with no rows (the right columns and dtypes)."""
    index = pd.DatetimeIndex([], tz="UTC", name="ts").as_unit("ns")
    frame = pd.DataFrame({name: np.array([], dtype="float64") for name in PRICE_COLUMNS}, index)
    frame["ts_close"] = pd.DatetimeIndex([], tz="UTC").as_unit("ns")
    frame["provider"] = pd.Series([], dtype="object", index=index)
    return frame


def epoch_index(
    seconds: Sequence[float] | np.ndarray, unit: Literal["s", "ms"] = "s"
) -> pd.DatetimeIndex:
    """UTC instants from epoch numbers (``unit`` ``s`` or ``ms``)."""
    values = np.asarray(seconds, dtype="int64")
    return pd.DatetimeIndex(pd.to_datetime(values, unit=unit, utc=True))


def local_index(texts: Sequence[str], tz: str) -> pd.DatetimeIndex:
    """UTC instants from wall-clock strings in time zone ``tz`` (DST-aware)."""
    naive = pd.DatetimeIndex(pd.to_datetime(list(texts)))
    return naive.tz_localize(tz, ambiguous="NaT", nonexistent="NaT").tz_convert("UTC")


def date_labels(instants: pd.DatetimeIndex, tz: str = "UTC") -> pd.DatetimeIndex:
    """Daily labels: the date each instant falls on in ``tz``, at 00:00 UTC."""
    local = instants.tz_convert(tz) if instants.tz is not None else instants.tz_localize(tz)
    dates = local.tz_localize(None).normalize()
    return pd.DatetimeIndex(dates).tz_localize("UTC")


def build_frame(
    ts_open: pd.DatetimeIndex,
    columns: Mapping[str, Sequence[object] | np.ndarray],
    *,
    symbol: str,
    timeframe: str,
    provider: str,
    start: datetime | None = None,
    end: datetime | None = None,
) -> pd.DataFrame:
    """The bar frame for ``symbol``: sorted, de-duplicated, rows with a missing value dropped,
    limited to bars opening within ``[start, end]``; ``volume`` may be absent (0)."""
    size = len(ts_open)
    data = {
        name: pd.to_numeric(pd.Series(list(columns.get(name, [0.0] * size))), errors="coerce")
        .astype("float64")
        .to_numpy()
        for name in PRICE_COLUMNS
    }
    index = pd.DatetimeIndex(ts_open, name="ts").tz_convert("UTC").as_unit("ns")
    frame = pd.DataFrame(data, index=index)
    frame = frame[frame.index.notna()].dropna()
    frame = frame[~frame.index.duplicated(keep="last")].sort_index()
    parsed = Timeframe.parse(timeframe)
    if start is not None:
        lower = pd.Timestamp(start).tz_convert("UTC")
        if not parsed.is_intraday:
            lower = lower.normalize()
        frame = frame[frame.index >= lower]
    if end is not None:
        frame = frame[frame.index <= pd.Timestamp(end)]
    _refuse_impossible_bars(frame, provider, symbol)
    calendar = calendar_or_default(symbol)
    normalised = str(parsed)
    frame["ts_close"] = bar_close_times(pd.DatetimeIndex(frame.index), normalised, calendar)
    frame["provider"] = provider
    frame.index.name = "ts"
    frame.attrs.update(symbol=symbol, timeframe=normalised, calendar=calendar, provider=provider)
    return frame


def _refuse_impossible_bars(frame: pd.DataFrame, provider: str, symbol: str) -> None:
    """A provider's bars pass the bar rule (``paperdesk.domain.bar_rule``), or the whole answer is
    refused (and the next provider is tried): nothing impossible reaches the store."""
    columns = BarColumns(*(frame[name].to_numpy(dtype=np.float64) for name in PRICE_COLUMNS))
    failure = first_failure(columns)
    if failure is not None:
        check, row = failure
        reason = next(p.reason for p in row_problems(columns, row) if p.check == check)
        at = frame.index[row].isoformat()
        raise BadResponse(
            provider, f"{symbol} bars with {SUMMARIES[check]} (first at {at}: {reason})"
        )
