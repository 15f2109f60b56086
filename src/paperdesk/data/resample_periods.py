"""Weekly, monthly and n-day bars from daily (or finer) bars, along the market calendar.

A week is a trading week and a month a trading month: the sessions of the calendar whose trade
dates fall in the same ISO week (or calendar month), ``count`` of them together for ``2w`` or
``3mo``. Holidays simply have no session. An ``nd`` bar (``2d``, ``3d``) is ``n`` consecutive
sessions of the calendar (a weekend or a holiday is not a session, so it is no part of a bar),
counted from a fixed epoch: the calendar's first session on or after 1970-01-01 starts the
first bar (``sessions_before``), so adding later bars or earlier history never moves a bar's
boundaries. Each bar is labelled with its first session's daily
label and closes at the close of the LAST session of its period in the calendar, so a bar is
visible only once the whole period has traded: with ``now``, every bar closing after it is
dropped, and a last period the data stops inside of is dropped too.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import numpy as np
import pandas as pd

from paperdesk.data.calendars import (
    MONDAY,
    calendar_name,
    calendar_period_keys,
    market_calendar,
    sessions_before,
)
from paperdesk.data.resample import OHLCV, _result, aggregate, resample
from paperdesk.data.session_grid import NANOSECONDS, SessionGrid
from paperdesk.domain import InvalidInputError, Timeframe

DAY_NS = 86400 * NANOSECONDS
SLACK_NS = 40 * DAY_NS  # the calendar is read this far past the data: a period's last session


def is_period(target: Timeframe) -> bool:
    """Whether ``target`` is grouped from daily bars here: weeks, months and ``nd`` (n > 1)."""
    return target.unit in ("w", "mo") or (target.unit == "d" and target.count > 1)


def period_keys(
    days: pd.DatetimeIndex, target: Timeframe, calendar: str | None = None
) -> np.ndarray:
    """Which ``target`` period (weeks, months or days, ``count`` at a time) each trade date is
    in. Days count the sessions of ``calendar`` from its epoch (``sessions_before``): ``days``
    must then be consecutive sessions of it, as a ``SessionGrid``'s are."""
    dates = days.to_numpy(dtype="datetime64[D]")
    if target.unit in ("w", "mo"):
        return calendar_period_keys(dates, target.unit, target.count)
    if target.unit == "d" and calendar is not None:
        first = sessions_before(calendar, dates[0].item()) if len(dates) else 0
        raw = first + np.arange(len(dates), dtype=np.int64)
        return np.asarray(raw // target.count, dtype=np.int64)
    raise InvalidInputError(f"not a weekly, monthly or n-day timeframe: {target}")


def period_start(day: date, target: Timeframe, calendar: str | None = None) -> date:
    """The first calendar day of the ``target`` period holding ``day``, as ``period_keys``
    counts the periods (weeks from a Monday, months from January 1970, ``count`` at a time;
    ``nd`` periods from the epoch session of ``calendar``: their first session's trade date,
    ``day`` itself when it is no session of the calendar)."""
    if target.unit == "d":
        if calendar is None:
            raise InvalidInputError(f"{target} periods are counted along a calendar; none given")
        ordinal = sessions_before(calendar, day)
        offset = ordinal - ordinal // target.count * target.count
        if offset == 0:
            return day
        sessions = market_calendar(calendar).sessions(day - timedelta(days=3 * offset + 10), day)
        earlier = sessions.index[sessions.index < pd.Timestamp(day)]
        opening: date = earlier[len(earlier) - offset].date()
        return opening
    first = int(period_keys(pd.DatetimeIndex([day]), target)[0]) * target.count
    if target.unit == "w":
        start = MONDAY + np.timedelta64(7 * first, "D")
    else:
        start = np.datetime64(first, "M").astype("datetime64[D]")
    found: date = start.item()
    return found


def resample_periods(
    frame: pd.DataFrame,
    timeframe: str,
    calendar: str | None = None,
    *,
    now: datetime | None = None,
) -> pd.DataFrame:
    """``frame`` (daily or intraday bars) as ``timeframe`` (``2d``, ``1w``, ``2w``, ``1mo``...)
    bars."""
    target = Timeframe.parse(timeframe)
    name = calendar_name(calendar or str(frame.attrs.get("calendar") or ""))
    source = str(frame.attrs.get("timeframe") or "")
    daily = frame if source == "1d" else resample(frame, "1d", name, now=now)
    attrs = {**frame.attrs, "timeframe": str(target), "calendar": name, "resampled_from": source}
    index = pd.DatetimeIndex(daily.index).tz_convert("UTC").as_unit("ns")
    starts = index.asi8
    if len(starts) == 0:
        return _result(starts, {}, starts, attrs)
    # the calendar is read far enough past the data to hold its last period's last session
    slack = max(SLACK_NS, (2 * target.count + 10) * DAY_NS) if target.unit == "d" else SLACK_NS
    grid = SessionGrid.covering(
        market_calendar(name), int(starts[0]), int(starts[-1]) + DAY_NS + slack
    )
    session = grid.locate(starts, starts + DAY_NS)
    keep = session >= 0
    starts, session = starts[keep], session[keep]
    values = {column: daily[column].to_numpy(dtype=np.float64)[keep] for column in OHLCV}
    if len(starts) == 0:
        return _result(starts, {}, starts, attrs)
    grid_keys = period_keys(grid.days, target, name)
    keys = grid_keys[session]
    first = np.flatnonzero(np.concatenate([[True], keys[1:] != keys[:-1]]))
    last = np.concatenate([first[1:], [len(keys)]]) - 1
    # the close of each period: its last session in the calendar (the grid runs past the data)
    period_close = {int(key): int(close) for key, close in zip(grid_keys, grid.closes, strict=True)}
    closes = np.array([period_close[int(key)] for key in keys[first]], dtype=np.int64)
    aggregated = aggregate(values, first, last)
    complete = np.ones(len(first), dtype=bool)
    if now is not None:
        complete &= closes <= pd.Timestamp(now).tz_convert("UTC").as_unit("ns").value
    if grid.closes[session[-1]] < closes[-1]:
        complete[-1] = False  # the data stops inside its last period: not a whole period
    aggregated = {column: array[complete] for column, array in aggregated.items()}
    return _result(starts[first][complete], aggregated, closes[complete], attrs)
