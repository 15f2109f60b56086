"""How many return periods make a year: from the bar length and the market calendar's sessions."""

from __future__ import annotations

import functools
import math
from datetime import datetime

import pandas as pd

from paperdesk.data.calendars import calendar_name, market_calendar
from paperdesk.data.sessions import JUDGED_CALENDAR, extended_hours
from paperdesk.domain import InvalidInputError, Timeframe


def periods_per_year(
    timeframe: str, calendar: str, start: datetime, end: datetime, *, extended: bool = False
) -> float | None:
    """The average number of ``timeframe`` bars the calendar holds in a year, over the whole
    calendar years from ``start`` to ``end`` (the years the calendar knows; None if none).

    A session counts once for ``1d`` (252 a year for XNYS in 2019, 365 or 366 for 24/7, about
    260 for FX), ``n`` sessions make an ``nd`` bar, an intraday bar is ``ceil(session length /
    bar length)`` bars per session (390 one-minute bars in a regular XNYS session, 210 on an
    early close, 7 one-hour bars, 2 four-hour bars), a week or a month counts when it holds a
    session (52 or 53 ISO weeks, 12 months). ``extended``: intraday bars of the XNYS calendar
    count in its extended session instead (``data.sessions.extended_hours``: 960 one-minute
    bars a full day), the hours an extended run trades.
    """
    frame = Timeframe.parse(timeframe)
    extended = extended and frame.is_intraday and calendar_name(calendar) == JUDGED_CALENDAR
    counts = [
        count
        for year in range(start.year, end.year + 1)
        if (count := _bars_in_year(str(frame), calendar, year, extended)) is not None
    ]
    if not counts or sum(counts) <= 0:
        return None
    return sum(counts) / len(counts)


@functools.cache
def _bars_in_year(timeframe: str, calendar: str, year: int, extended: bool) -> float | None:
    try:
        sessions = market_calendar(calendar).sessions(f"{year}-01-01", f"{year}-12-31")
    except InvalidInputError:  # a year outside the calendar's known range
        return None
    if sessions.empty:
        return None
    frame = Timeframe.parse(timeframe)
    if frame.is_intraday:
        if extended:
            sessions = extended_hours(sessions)
        lengths = (sessions["close"] - sessions["open"]).dt.total_seconds().to_numpy()
        return float(sum(math.ceil(length / frame.seconds) for length in lengths))
    days = pd.DatetimeIndex(sessions.index)
    if frame.unit == "w":
        weeks = {iso.week for iso in days.isocalendar().itertuples() if iso.year == year}
        return len(weeks) / frame.count  # the ISO weeks of the year that hold a session
    if frame.unit == "mo":
        return len(set(days.month)) / frame.count
    return len(days) / frame.count
