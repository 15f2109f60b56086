"""Trading calendars: session closes for XNYS, the FX week and 24/7 crypto markets."""

from __future__ import annotations

import functools
import warnings
from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import exchange_calendars
import numpy as np
import pandas as pd

from paperdesk.domain import InvalidInputError, Timeframe, UnknownNameError

CALENDARS = ("XNYS", "FX", "24/7")
NEW_YORK = ZoneInfo("America/New_York")
FX_CLOSE_TIME = time(17, 0)
CALENDAR_START = "1970-01-01"
_ALIASES = {"XNYS": "XNYS", "NYSE": "XNYS", "FX": "FX", "24/7": "24/7", "CRYPTO": "24/7"}
_ONE_DAY = pd.Timedelta(days=1)


def calendar_name(calendar: str) -> str:
    """The canonical name of ``calendar`` (case-insensitive; NYSE and CRYPTO are aliases)."""
    name = _ALIASES.get(calendar.strip().upper())
    if name is None:
        raise UnknownNameError(
            f"calendar {calendar!r} is not known; expected one of {', '.join(CALENDARS)}"
        )
    return name


@functools.cache
def exchange_calendar(name: str) -> Any:
    """The cached exchange_calendars object for ``name`` (slow to build, so built once)."""
    with warnings.catch_warnings():
        # exchange_calendars 4.13 still reads Series.values, which pandas 3.1 deprecates.
        warnings.filterwarnings("ignore", message="Series.values returning")
        return exchange_calendars.get_calendar(name, start=CALENDAR_START)


@functools.cache
def _xnys_closes() -> pd.Series:
    """XNYS session closes (UTC, ns) indexed by naive session date."""
    closes = exchange_calendar("XNYS").closes
    result = pd.Series(
        pd.DatetimeIndex(closes.to_numpy()).tz_localize(None).as_unit("ns"),
        index=pd.DatetimeIndex(closes.index).as_unit("ns"),
    )
    return result


def _utc(ts: datetime) -> pd.Timestamp:
    if ts.tzinfo is None or ts.tzinfo.utcoffset(ts) is None:
        raise InvalidInputError(f"time {ts!r} must be timezone-aware")
    return pd.Timestamp(ts).tz_convert("UTC").as_unit("ns")


def session_close(calendar: str, ts: datetime) -> datetime:
    """The close of the session in force at or after ``ts`` (the next one if ``ts`` is at or
    past a close), as a timezone-aware UTC datetime.

    ``XNYS`` uses exchange_calendars (holidays, early closes); ``FX`` closes at 17:00
    America/New_York Monday to Friday (the week runs Sunday 17:00 to Friday 17:00; FX holidays
    are not modelled); ``24/7`` closes every day at 00:00 UTC.
    """
    name = calendar_name(calendar)
    moment = _utc(ts)
    if name == "XNYS":
        closes = _xnys_closes()
        close_nanoseconds = pd.DatetimeIndex(closes.to_numpy()).asi8
        position = int(np.searchsorted(close_nanoseconds, moment.value, side="right"))
        if position >= len(close_nanoseconds):
            raise InvalidInputError(
                f"time {ts.isoformat()} is after the last XNYS session exchange_calendars knows "
                f"({closes.index[-1].date()})"
            )
        if position == 0 and moment.tz_localize(None) < closes.index[0]:
            raise InvalidInputError(
                f"time {ts.isoformat()} is before the first XNYS session ({CALENDAR_START})"
            )
        return pd.Timestamp(int(close_nanoseconds[position]), tz="UTC").to_pydatetime()
    if name == "FX":
        local = moment.tz_convert(NEW_YORK).to_pydatetime()
        day = local.date()
        while True:
            close = datetime.combine(day, FX_CLOSE_TIME, tzinfo=NEW_YORK)
            if day.weekday() < 5 and close > local:
                return close.astimezone(UTC)
            day += timedelta(days=1)
    day_start = moment.floor("D")
    return (day_start + _ONE_DAY).to_pydatetime()


def bar_close_times(ts_open: pd.DatetimeIndex, timeframe: str, calendar: str) -> pd.DatetimeIndex:
    """When each bar closes (becomes visible), as a UTC nanosecond DatetimeIndex.

    Intraday bars close at ``ts_open + timeframe``. Daily bars are date labels: on ``XNYS`` they
    close at that date's session close (early closes included; a date that is not a session falls
    back to the next 00:00 UTC), on ``24/7`` at the next 00:00 UTC. Daily ``FX`` bars are labelled
    with the instant they start (Lean: 00:00 UTC, others: 17:00 New York), and a bar is never
    visible before its whole day has passed, so they close at ``label + 1 day``. Weekly and
    monthly bars close at ``label + timeframe`` (calendar months).
    """
    name = calendar_name(calendar)
    frame = Timeframe.parse(timeframe)
    index = pd.DatetimeIndex(ts_open)
    if index.tz is None:
        raise InvalidInputError("bar open times must be timezone-aware")
    index = index.tz_convert("UTC").as_unit("ns")
    if frame.is_intraday:
        return pd.DatetimeIndex(index + pd.Timedelta(seconds=frame.seconds), name="ts_close")
    if frame.unit == "mo":
        return pd.DatetimeIndex(index + pd.DateOffset(months=frame.count), name="ts_close")
    if frame.unit == "w" or frame.count != 1:
        return pd.DatetimeIndex(index + pd.Timedelta(seconds=frame.seconds), name="ts_close")
    dates = index.tz_localize(None).normalize()
    if name == "XNYS":
        closes = _xnys_closes().reindex(dates)
        fallback = pd.Series(dates + _ONE_DAY, index=dates)
        filled = closes.where(closes.notna(), fallback)
        result = pd.DatetimeIndex(filled.to_numpy()).tz_localize("UTC")
    elif name == "FX":
        result = index + _ONE_DAY
    else:
        result = (dates + _ONE_DAY).tz_localize("UTC")
    return pd.DatetimeIndex(result.as_unit("ns"), name="ts_close")
