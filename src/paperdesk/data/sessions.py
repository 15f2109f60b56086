"""Which intraday bars fall in the regular trading session, and why a bar does not.

The rule (one for backtests and paper portfolios): a bar ``[ts_open, ts_close)`` is in the
regular session when it overlaps one, ``ts_close > session open and ts_open < session close``,
with the sessions of the instrument's calendar (XNYS: 09:30-16:00 America/New_York, early closes
at 13:00 included, holidays without a session). So Lean's hourly bar labelled 09:00 New York
that holds the 09:30-10:00 trading is in the session, and the minute bar 09:29-09:30 is not.

Only intraday bars of instruments on the XNYS calendar are judged (US equities): daily and longer
bars, and instruments on the FX or 24/7 calendars, are always "in session".

The **extended session** (``session = extended``, which trades every bar) is defined here too,
once: on each XNYS trade date from 04:00 America/New_York (the pre-market's open) to four hours
after the regular close (20:00; 17:00 on an early close), 960 minutes on a full day. The
statistics annualise an extended run's intraday bars by it (``extended_hours``).
"""

from __future__ import annotations

import functools
from datetime import datetime, time
from typing import Protocol

import numpy as np
import numpy.typing as npt
import pandas as pd

from paperdesk.data.calendars import (
    NEW_YORK,
    calendar_name,
    exchange_calendar,
    market_calendar,
)
from paperdesk.data.session_grid import SessionGrid
from paperdesk.domain import Bar, Instrument, Timeframe

__all__ = [
    "JUDGED_CALENDAR",
    "RegularSession",
    "SessionRule",
    "extended_hours",
    "outside_reason",
    "overlaps_session",
]

JUDGED_CALENDAR = "XNYS"
OUTSIDE_SESSION = "outside_session"  # the rejection code, for machines
PRE_MARKET_OPEN = time(4, 0)  # New York: the extended session opens
POST_MARKET_LENGTH = pd.Timedelta(hours=4)  # the extended session closes this long after the close


class SessionRule(Protocol):
    """Why a bar is outside the session a run trades in (None: it is inside)."""

    def outside(self, bar: Bar) -> str | None: ...

    def inside_mask(
        self,
        symbol: str,
        timeframe: str,
        ts_open_ns: npt.NDArray[np.int64],
        ts_close_ns: npt.NDArray[np.int64],
    ) -> npt.NDArray[np.bool_]: ...


@functools.cache
def _xnys_grid() -> SessionGrid:
    """Every XNYS session exchange_calendars knows, as one grid (built once)."""
    known = exchange_calendar(JUDGED_CALENDAR)
    first = pd.Timestamp(known.first_session).tz_localize(None).tz_localize("UTC").value
    last = pd.Timestamp(known.last_session).tz_localize(None).tz_localize("UTC").value
    return SessionGrid.covering(market_calendar(JUDGED_CALENDAR), first, last)


def overlaps_session(
    ts_open_ns: npt.NDArray[np.int64], ts_close_ns: npt.NDArray[np.int64]
) -> npt.NDArray[np.bool_]:
    """For each bar, whether ``[ts_open, ts_close)`` overlaps a regular XNYS session (the
    data-quality report's off-session rule, ``SessionGrid.locate``, over every session)."""
    starts = np.asarray(ts_open_ns, dtype=np.int64)
    ends = np.asarray(ts_close_ns, dtype=np.int64)
    located: npt.NDArray[np.int64] = _xnys_grid().locate(starts, ends)
    return located >= 0


class RegularSession:
    """The regular session of each judged instrument (``session = regular``)."""

    __slots__ = ("_judged",)

    def __init__(self, instruments: dict[str, Instrument] | None = None) -> None:
        self._judged = {
            symbol
            for symbol, instrument in (instruments or {}).items()
            if calendar_name(instrument.calendar) == JUDGED_CALENDAR
        }

    @property
    def judged(self) -> frozenset[str]:
        """The symbols whose intraday bars this rule judges (those on the XNYS calendar)."""
        return frozenset(self._judged)

    def judges(self, symbol: str, timeframe: str) -> bool:
        """Whether bars of ``symbol`` in ``timeframe`` can fall outside the session."""
        return symbol in self._judged and Timeframe.parse(timeframe).is_intraday

    def outside(self, bar: Bar) -> str | None:
        if not self.judges(bar.symbol, bar.timeframe):
            return None
        starts = np.array([pd.Timestamp(bar.ts_open).value], dtype=np.int64)
        ends = np.array([pd.Timestamp(bar.ts_close).value], dtype=np.int64)
        if overlaps_session(starts, ends)[0]:
            return None
        return outside_reason(bar.symbol, bar.ts_open, bar.ts_close)

    def inside_mask(
        self,
        symbol: str,
        timeframe: str,
        ts_open_ns: npt.NDArray[np.int64],
        ts_close_ns: npt.NDArray[np.int64],
    ) -> npt.NDArray[np.bool_]:
        if not self.judges(symbol, timeframe):
            return np.ones(len(ts_open_ns), dtype=bool)
        return overlaps_session(ts_open_ns, ts_close_ns)


def extended_hours(sessions: pd.DataFrame) -> pd.DataFrame:
    """The extended session of each XNYS session in ``sessions`` (``MarketCalendar.sessions``'
    frame): the same frame with ``open`` at 04:00 New York of the trade date and ``close`` four
    hours after the regular close (see the module's docstring)."""
    days = pd.DatetimeIndex(sessions.index)
    opens = days + pd.Timedelta(hours=PRE_MARKET_OPEN.hour, minutes=PRE_MARKET_OPEN.minute)
    extended = sessions.copy()
    extended["open"] = opens.tz_localize(NEW_YORK).tz_convert("UTC").as_unit("ns")
    extended["close"] = pd.DatetimeIndex(sessions["close"]) + POST_MARKET_LENGTH
    return extended


def outside_reason(symbol: str, ts_open: datetime, ts_close: datetime) -> str:
    """The rejection reason of a bar outside the regular session, in New York time."""
    start, end = ts_open.astimezone(NEW_YORK), ts_close.astimezone(NEW_YORK)
    hours = market_calendar(JUDGED_CALENDAR).trading_hours(start.date())
    if hours is None:
        session = f"no regular session on {start.date()}"
    else:
        opens, closes = hours.open.astimezone(NEW_YORK), hours.close.astimezone(NEW_YORK)
        early = ", an early close" if hours.early_close else ""
        session = f"the regular session is {opens:%H:%M}-{closes:%H:%M}{early}"
    return (
        f"outside the regular session: {symbol} bar {start:%Y-%m-%d %H:%M}-{end:%H:%M} "
        f"America/New_York ({session}; --session extended trades it)"
    )
