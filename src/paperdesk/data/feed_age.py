"""How late a live feed is: the time since the calendar first expected a bar that has not come.

A feed is not late just because the last bar is old: over a weekend or a holiday no bar is due.
``overdue`` asks the symbol's calendar when the bar after the last stored one should have
closed, and measures from there (intraday bars on the calendar's session clock, which does not
tick while the market is closed; daily bars from the next session's close).
"""

from __future__ import annotations

from datetime import datetime, timedelta

import numpy as np
import pandas as pd

from paperdesk.data.calendars import market_calendar
from paperdesk.data.session_grid import NANOSECONDS, SessionGrid
from paperdesk.domain import Timeframe

ZERO = timedelta(0)
DAILY_STALE_AFTER = timedelta(hours=1)
SHORTEST_STALE_AFTER = timedelta(minutes=1)


def default_stale_after(timeframe: str) -> timedelta:
    """The lag tolerated when a portfolio names none: one bar intraday (at least a minute, so
    a provider publishing a bar some seconds late is not called stale), an hour for daily and
    longer bars (providers publish the day's bar some minutes after the close)."""
    parsed = Timeframe.parse(timeframe)
    if not parsed.is_intraday:
        return DAILY_STALE_AFTER
    return max(parsed.delta, SHORTEST_STALE_AFTER)


def overdue(last_close: datetime, now: datetime, timeframe: str, calendar: str) -> timedelta:
    """How long a bar closing after ``last_close`` has been expected at ``now`` (zero when the
    calendar expects none yet)."""
    last = pd.Timestamp(last_close).tz_convert("UTC").as_unit("ns").value
    moment = pd.Timestamp(now).tz_convert("UTC").as_unit("ns").value
    if moment <= last:
        return ZERO
    parsed = Timeframe.parse(timeframe)
    day = 86_400 * NANOSECONDS
    grid = SessionGrid.covering(market_calendar(calendar), last - day, moment + day)
    if parsed.is_intraday:
        elapsed = grid.clock(np.array([last, moment], dtype=np.int64))
        behind = int(elapsed[1] - elapsed[0]) - parsed.seconds * NANOSECONDS
        return timedelta(microseconds=behind // 1000) if behind > 0 else ZERO
    due = grid.closes[(grid.closes > last) & (grid.closes <= moment)]
    if len(due) == 0:
        return ZERO
    return timedelta(microseconds=(moment - int(due[0])) // 1000)
