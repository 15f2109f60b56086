"""Market calendars: sessions, trading hours and holidays for XNYS, the FX week and 24/7 markets.

Every calendar describes its trading as a table of *sessions*: one row per trade date with the
session's open and close (UTC instants). Conventions:

* ``XNYS``: exchange_calendars' XNYS (regular hours 09:30-16:00 America/New_York, holidays,
  early closes at 13:00, ad-hoc closures such as 2025-01-09). Extended hours are not sessions.
* ``FX``: the session of trade date D (Monday to Friday) runs from 17:00 America/New_York on
  the day before D to 17:00 New York on D, so the week opens Sunday 17:00 and closes Friday
  17:00 New York time (DST-aware: 21:00/22:00 UTC). Holiday rule: the sessions whose trade date
  is 25 December or 1 January are removed when that date is a weekday (the market is shut from
  17:00 New York the evening before to 17:00 New York on the holiday). No early closes on
  24/31 December and no "observed" shifting when the holiday falls on a weekend.
* ``24/7``: always open; for resampling and daily bars a session is one UTC calendar day.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import date, datetime

import numpy as np
import pandas as pd

from paperdesk.data.calendars import NEW_YORK, calendar_name, exchange_calendar
from paperdesk.domain import InvalidInputError

SESSION_COLUMNS = ("open", "close", "early_close")
FX_HOLIDAYS = ((12, 25), (1, 1))
_FX_OPEN_OFFSET = pd.Timedelta(hours=-7)  # 17:00 on the previous day
_FX_CLOSE_OFFSET = pd.Timedelta(hours=17)


@dataclass(frozen=True, slots=True)
class TradingHours:
    """One session: its trade date, open and close (aware UTC) and whether it closes early."""

    day: date
    open: datetime
    close: datetime
    early_close: bool = False


def _day(value: date | datetime | str | pd.Timestamp) -> pd.Timestamp:
    """A naive midnight Timestamp for a date-like value (aware datetimes use their UTC date)."""
    stamp = pd.Timestamp(value)
    if stamp.tzinfo is not None:
        stamp = stamp.tz_convert("UTC").tz_localize(None)
    return stamp.normalize().as_unit("ns")


def _aware(ts: datetime | pd.Timestamp) -> pd.Timestamp:
    stamp = pd.Timestamp(ts)
    if stamp.tzinfo is None:
        raise InvalidInputError(f"time {ts!r} must be timezone-aware")
    return stamp.tz_convert("UTC").as_unit("ns")


def _empty_sessions() -> pd.DataFrame:
    return _session_frame(
        pd.DatetimeIndex([], dtype="datetime64[ns]"),
        pd.DatetimeIndex([], dtype="datetime64[ns, UTC]"),
        pd.DatetimeIndex([], dtype="datetime64[ns, UTC]"),
        np.zeros(0, dtype=bool),
    )


def _session_frame(
    days: pd.DatetimeIndex, opens: pd.DatetimeIndex, closes: pd.DatetimeIndex, early: np.ndarray
) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "open": pd.DatetimeIndex(opens).as_unit("ns"),
            "close": pd.DatetimeIndex(closes).as_unit("ns"),
            "early_close": np.asarray(early, dtype=bool),
        },
        index=pd.DatetimeIndex(days, name="session").as_unit("ns"),
    )


class MarketCalendar:
    """Sessions of one calendar; subclasses implement :meth:`_sessions`."""

    name: str = ""

    def sessions(self, start: date | datetime | str, end: date | datetime | str) -> pd.DataFrame:
        """Sessions whose trade date is in ``[start, end]`` (inclusive), ascending.

        Index ``session`` (naive midnight of the trade date); columns ``open`` and ``close``
        (UTC) and ``early_close`` (bool).
        """
        first, last = _day(start), _day(end)
        if last < first:
            return _empty_sessions()
        return self._sessions(first, last)

    def _sessions(self, first: pd.Timestamp, last: pd.Timestamp) -> pd.DataFrame:
        raise NotImplementedError

    def trading_hours(self, day: date) -> TradingHours | None:
        """The session of trade date ``day``, or None when the market does not trade that day."""
        table = self.sessions(day, day)
        if table.empty:
            return None
        row = table.iloc[0]
        return TradingHours(
            day=table.index[0].date(),
            open=pd.Timestamp(row["open"]).to_pydatetime(),
            close=pd.Timestamp(row["close"]).to_pydatetime(),
            early_close=bool(row["early_close"]),
        )

    def holidays(self, start: date, end: date) -> list[date]:
        """Weekdays (Monday to Friday) in ``[start, end]`` with no session."""
        weekdays = pd.bdate_range(_day(start), _day(end))
        trading = self.sessions(start, end).index
        return [stamp.date() for stamp in weekdays.difference(pd.DatetimeIndex(trading))]

    def is_open(self, ts: datetime) -> bool:
        """Whether ``ts`` (timezone-aware) falls inside a session (open inclusive, close not)."""
        moment = _aware(ts)
        day = moment.tz_localize(None).normalize()
        table = self.sessions(day - pd.Timedelta(days=1), day + pd.Timedelta(days=1))
        inside = (table["open"] <= moment) & (moment < table["close"])
        return bool(inside.any())

    def session_of(self, ts: datetime) -> TradingHours | None:
        """The session in force at ``ts``, or None while the market is closed."""
        moment = _aware(ts)
        day = moment.tz_localize(None).normalize()
        table = self.sessions(day - pd.Timedelta(days=1), day + pd.Timedelta(days=1))
        inside = table[(table["open"] <= moment) & (moment < table["close"])]
        return None if inside.empty else self.trading_hours(inside.index[0].date())

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.name!r})"


class XnysCalendar(MarketCalendar):
    """New York Stock Exchange regular sessions from exchange_calendars."""

    name = "XNYS"

    def _sessions(self, first: pd.Timestamp, last: pd.Timestamp) -> pd.DataFrame:
        calendar = exchange_calendar("XNYS")
        known_first = pd.Timestamp(calendar.first_session).tz_localize(None)
        known_last = pd.Timestamp(calendar.last_session).tz_localize(None)
        if first < known_first or last > known_last:
            raise InvalidInputError(
                f"XNYS sessions are known from {known_first.date()} to {known_last.date()} "
                f"(exchange_calendars); asked for {first.date()}..{last.date()}"
            )
        schedule = _xnys_schedule()
        table = schedule.loc[first:last]
        return table.copy()


@functools.cache
def _xnys_schedule() -> pd.DataFrame:
    calendar = exchange_calendar("XNYS")
    schedule = calendar.schedule
    days = pd.DatetimeIndex(schedule.index).tz_localize(None)
    early = days.isin(pd.DatetimeIndex(calendar.early_closes).tz_localize(None))
    opens = pd.DatetimeIndex(schedule["open"]).tz_convert("UTC")
    closes = pd.DatetimeIndex(schedule["close"]).tz_convert("UTC")
    return _session_frame(days, opens, closes, early)


class FxCalendar(MarketCalendar):
    """The FX week: Sunday 17:00 to Friday 17:00 New York, closed on 25 December and 1 January."""

    name = "FX"

    def _sessions(self, first: pd.Timestamp, last: pd.Timestamp) -> pd.DataFrame:
        days = pd.bdate_range(first, last).as_unit("ns")
        holiday = np.zeros(len(days), dtype=bool)
        for month, day_of_month in FX_HOLIDAYS:
            holiday |= (days.month == month) & (days.day == day_of_month)
        days = days[~holiday]
        opens = (days + _FX_OPEN_OFFSET).tz_localize(NEW_YORK).tz_convert("UTC")
        closes = (days + _FX_CLOSE_OFFSET).tz_localize(NEW_YORK).tz_convert("UTC")
        return _session_frame(days, opens, closes, np.zeros(len(days), dtype=bool))


class AlwaysOpenCalendar(MarketCalendar):
    """24/7 markets (crypto): always open; a session is one UTC calendar day."""

    name = "24/7"

    def _sessions(self, first: pd.Timestamp, last: pd.Timestamp) -> pd.DataFrame:
        days = pd.date_range(first, last, freq="D").as_unit("ns")
        opens = days.tz_localize("UTC")
        closes = (days + pd.Timedelta(days=1)).tz_localize("UTC")
        return _session_frame(days, opens, closes, np.zeros(len(days), dtype=bool))

    def is_open(self, ts: datetime) -> bool:
        _aware(ts)
        return True


_CALENDAR_TYPES: dict[str, type[MarketCalendar]] = {
    "XNYS": XnysCalendar,
    "FX": FxCalendar,
    "24/7": AlwaysOpenCalendar,
}


@functools.cache
def _market_calendar(name: str) -> MarketCalendar:
    return _CALENDAR_TYPES[name]()


def market_calendar(name: str) -> MarketCalendar:
    """The calendar called ``name`` (XNYS/NYSE, FX, 24/7/CRYPTO; case-insensitive), cached."""
    return _market_calendar(calendar_name(name))


def sessions_covering(
    calendar: MarketCalendar, start: pd.Timestamp, end: pd.Timestamp
) -> pd.DataFrame:
    """Sessions that may overlap the UTC instants ``[start, end]``: two days of margin each side
    (the margin, not the range itself, is clipped to the dates exchange_calendars knows)."""
    first, last = _day(start), _day(end)
    margin = pd.Timedelta(days=2)
    if isinstance(calendar, XnysCalendar):
        schedule = _xnys_schedule()
        return calendar.sessions(
            min(first, max(first - margin, schedule.index[0])),
            max(last, min(last + margin, schedule.index[-1])),
        )
    return calendar.sessions(first - margin, last + margin)
