"""Trading calendars, one family: sessions, session closes and bar close times for XNYS, the FX
week and 24/7 markets.

Every calendar describes its trading as a table of *sessions*: one row per trade date with the
session's open and close (UTC instants); ``session_close`` and daily ``bar_close_times`` answer
from the same calendar. Conventions:

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
import warnings
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd

from paperdesk.domain import InvalidInputError, Timeframe, UnknownNameError

CALENDARS = ("XNYS", "FX", "24/7")
NEW_YORK = ZoneInfo("America/New_York")
FX_CLOSE_TIME = time(17, 0)
CALENDAR_START = "1970-01-01"
_ALIASES = {"XNYS": "XNYS", "NYSE": "XNYS", "FX": "FX", "24/7": "24/7", "CRYPTO": "24/7"}
_ONE_DAY = pd.Timedelta(days=1)
MONDAY = np.datetime64("1970-01-05", "D")  # weekly periods are counted from a Monday


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
    """The cached exchange_calendars object for ``name`` (slow to build, so built once).

    The package is imported here, on first use: a process that needs no exchange calendar
    (an import of crypto or FX bars) is spared its 7 MB and 0.15 s of CPU."""
    import exchange_calendars

    with warnings.catch_warnings():
        # exchange_calendars 4.13 still reads Series.values, which pandas 3.1 deprecates.
        warnings.filterwarnings("ignore", message="Series.values returning")
        return exchange_calendars.get_calendar(name, start=CALENDAR_START)


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
    if ts.tzinfo is None or ts.tzinfo.utcoffset(ts) is None:
        raise InvalidInputError(f"time {ts!r} must be timezone-aware")
    return pd.Timestamp(ts).tz_convert("UTC").as_unit("ns")


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


_HOURS_KEPT = 4096  # trade dates whose session ``trading_hours`` keeps (about 16 years)


class MarketCalendar:
    """Sessions of one calendar, and the session closes and daily bar closes they imply;
    subclasses implement :meth:`_sessions`, :meth:`session_close` and
    :meth:`daily_bar_closes`, each from the same rules."""

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

    def session_close(self, ts: datetime) -> datetime:
        """The first session close strictly after ``ts`` (timezone-aware): the close of the
        session in force at ``ts``, or of the next one while the market is closed; aware UTC."""
        raise NotImplementedError

    def daily_bar_closes(self, labels: pd.DatetimeIndex) -> pd.DatetimeIndex:
        """When daily bars labelled ``labels`` (UTC, nanoseconds) close; see ``bar_close_times``."""
        raise NotImplementedError

    def trading_hours(self, day: date) -> TradingHours | None:
        """The session of trade date ``day``, or None when the market does not trade that day.

        Kept per day (a calendar's sessions never change while a process runs): a live tick
        rejecting an intraday bar outside the session names the session in its reason."""
        kept: dict[date, TradingHours | None] = self.__dict__.setdefault("_hours_of_day", {})
        if day in kept:
            return kept[day]
        if len(kept) >= _HOURS_KEPT:
            kept.clear()
        table = self.sessions(day, day)
        hours = None
        if not table.empty:
            row = table.iloc[0]
            hours = TradingHours(
                day=table.index[0].date(),
                open=pd.Timestamp(row["open"]).to_pydatetime(),
                close=pd.Timestamp(row["close"]).to_pydatetime(),
                early_close=bool(row["early_close"]),
            )
        kept[day] = hours
        return hours

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

    def session_close(self, ts: datetime) -> datetime:
        moment = _aware(ts)
        closes = _xnys_close_nanoseconds()
        position = int(np.searchsorted(closes, moment.value, side="right"))
        days = _xnys_schedule().index
        if position >= len(closes):
            raise InvalidInputError(
                f"time {ts.isoformat()} is after the last XNYS session exchange_calendars knows "
                f"({days[-1].date()})"
            )
        if position == 0 and moment.tz_localize(None) < days[0]:
            raise InvalidInputError(
                f"time {ts.isoformat()} is before the first XNYS session ({CALENDAR_START})"
            )
        return pd.Timestamp(int(closes[position]), tz="UTC").to_pydatetime()

    def daily_bar_closes(self, labels: pd.DatetimeIndex) -> pd.DatetimeIndex:
        """The session close of each label's date (early closes included); a date that is not a
        session falls back to the next 00:00 UTC."""
        dates = labels.tz_localize(None).normalize()
        closes = pd.Series(
            pd.DatetimeIndex(_xnys_schedule()["close"]).tz_localize(None),
            index=_xnys_schedule().index,
        ).reindex(dates)
        fallback = pd.Series(dates + _ONE_DAY, index=dates)
        filled = closes.where(closes.notna(), fallback)
        return pd.DatetimeIndex(filled.to_numpy()).tz_localize("UTC")


@functools.cache
def _xnys_schedule() -> pd.DataFrame:
    calendar = exchange_calendar("XNYS")
    schedule = calendar.schedule
    days = pd.DatetimeIndex(schedule.index).tz_localize(None)
    early = days.isin(pd.DatetimeIndex(calendar.early_closes).tz_localize(None))
    opens = pd.DatetimeIndex(schedule["open"]).tz_convert("UTC")
    closes = pd.DatetimeIndex(schedule["close"]).tz_convert("UTC")
    return _session_frame(days, opens, closes, early)


@functools.cache
def _xnys_close_nanoseconds() -> np.ndarray:
    return np.asarray(pd.DatetimeIndex(_xnys_schedule()["close"]).asi8, dtype=np.int64)


class FxCalendar(MarketCalendar):
    """The FX week: Sunday 17:00 to Friday 17:00 New York, closed on 25 December and 1 January."""

    name = "FX"

    @staticmethod
    def trades_on(day: date) -> bool:
        """Whether ``day`` is a trade date: Monday to Friday, not a holiday of ``FX_HOLIDAYS``."""
        return day.weekday() < 5 and (day.month, day.day) not in FX_HOLIDAYS

    def _sessions(self, first: pd.Timestamp, last: pd.Timestamp) -> pd.DataFrame:
        days = pd.bdate_range(first, last).as_unit("ns")  # the rule of trades_on, vectorised
        holiday = np.zeros(len(days), dtype=bool)
        for month, day_of_month in FX_HOLIDAYS:
            holiday |= (days.month == month) & (days.day == day_of_month)
        days = days[~holiday]
        opens = (days + _FX_OPEN_OFFSET).tz_localize(NEW_YORK).tz_convert("UTC")
        closes = (days + _FX_CLOSE_OFFSET).tz_localize(NEW_YORK).tz_convert("UTC")
        return _session_frame(days, opens, closes, np.zeros(len(days), dtype=bool))

    def session_close(self, ts: datetime) -> datetime:
        local = _aware(ts).tz_convert(NEW_YORK).to_pydatetime()
        day = local.date()
        while True:
            close = datetime.combine(day, FX_CLOSE_TIME, tzinfo=NEW_YORK)
            if close > local and self.trades_on(day):
                return close.astimezone(UTC)
            day += timedelta(days=1)

    def daily_bar_closes(self, labels: pd.DatetimeIndex) -> pd.DatetimeIndex:
        """Daily FX bars are labelled with the instant they start (Lean: 00:00 UTC, others:
        17:00 New York) and are never visible before their whole day has passed: label + 1 day
        (a bar the data holds traded, so no holiday moves its close)."""
        return labels + _ONE_DAY


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

    def session_close(self, ts: datetime) -> datetime:
        day_start = _aware(ts).floor("D")
        return (day_start + _ONE_DAY).to_pydatetime()

    def daily_bar_closes(self, labels: pd.DatetimeIndex) -> pd.DatetimeIndex:
        """The next 00:00 UTC after each label's date."""
        return (labels.tz_localize(None).normalize() + _ONE_DAY).tz_localize("UTC")


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


@functools.lru_cache(maxsize=4096)
def sessions_before(calendar: str, day: date) -> int:
    """How many sessions of ``calendar`` have a trade date from ``CALENDAR_START`` (1970-01-01)
    up to the day before ``day``; negative for a day before it (minus the sessions from ``day``
    to 1969-12-31). The session count of a day, from a fixed epoch: what ``nd`` bars (``2d``,
    ``3d``) are grouped by, so that no later or earlier data moves a bar's boundaries."""
    market = market_calendar(calendar)
    epoch = _day(CALENDAR_START)
    moment = _day(day)
    if moment >= epoch:
        if isinstance(market, XnysCalendar):
            return int(_xnys_schedule().index.searchsorted(moment))
        return len(market.sessions(epoch, moment - _ONE_DAY))
    return -len(market.sessions(moment, epoch - _ONE_DAY))


def session_close(calendar: str, ts: datetime) -> datetime:
    """The close of the session in force at or after ``ts`` (the next one if ``ts`` is at or
    past a close), as a timezone-aware UTC datetime: ``market_calendar(calendar)``'s sessions
    (XNYS holidays and early closes; the FX week without 25 December and 1 January; 24/7 days
    closing at 00:00 UTC)."""
    return market_calendar(calendar).session_close(ts)


def daily_bar_start(calendar: str, label: datetime) -> datetime:
    """When trading in the daily bar labelled ``label`` begins: the open of its date's session
    when that is later than the label (an XNYS bar labelled 00:00 UTC trades from 14:30 or
    13:30 UTC), else the label itself (FX and 24/7 daily bars start at their label, and a
    time already past the open is kept)."""
    start = _aware(label)
    sessions = market_calendar(calendar).sessions(start.date(), start.date())
    if sessions.empty:
        return start.to_pydatetime()
    opened = pd.Timestamp(sessions["open"].iloc[0])
    return max(start, opened).to_pydatetime()


def bar_close_times(ts_open: pd.DatetimeIndex, timeframe: str, calendar: str) -> pd.DatetimeIndex:
    """When each bar closes (becomes visible), as a UTC nanosecond DatetimeIndex.

    Intraday bars close at ``ts_open + timeframe``. Daily bars are date labels closed by the
    calendar (``MarketCalendar.daily_bar_closes``): on ``XNYS`` at that date's session close
    (early closes included; a date that is not a session falls back to the next 00:00 UTC), on
    ``24/7`` at the next 00:00 UTC, on ``FX`` at ``label + 1 day``. An ``nd`` bar (``2d``,
    ``3d``) is n consecutive sessions from its label's (``nd_bar_closes``): it closes as the
    daily bar of its last session does. Weekly and monthly bars (``1w``, ``2w``, ``1mo``,
    ``3mo``) are the calendar's periods as the resampler groups them (``period_bar_closes``):
    they close with the last session of their period.
    """
    market = market_calendar(calendar)
    frame = Timeframe.parse(timeframe)
    index = pd.DatetimeIndex(ts_open)
    if index.tz is None:
        raise InvalidInputError("bar open times must be timezone-aware")
    index = index.tz_convert("UTC").as_unit("ns")
    if frame.is_intraday:
        return pd.DatetimeIndex(index + pd.Timedelta(seconds=frame.seconds), name="ts_close")
    if frame.unit in ("w", "mo"):
        return pd.DatetimeIndex(period_bar_closes(market, index, frame), name="ts_close")
    if frame.unit == "d" and frame.count > 1:
        return pd.DatetimeIndex(nd_bar_closes(market, index, frame.count), name="ts_close")
    if frame.count != 1:
        return pd.DatetimeIndex(index + pd.Timedelta(seconds=frame.seconds), name="ts_close")
    closes = market.daily_bar_closes(index)
    return pd.DatetimeIndex(closes.as_unit("ns"), name="ts_close")


def nd_bar_closes(market: MarketCalendar, labels: pd.DatetimeIndex, count: int) -> pd.DatetimeIndex:
    """When ``count``-session bars labelled ``labels`` (UTC, nanoseconds) close: a bar holds
    the session in force at its label (or the next one: the first closing after it) and the
    ``count - 1`` sessions after it, and closes when the last of them closes, or when a daily
    bar labelled as it is, moved on to that session, would close if that is later (an FX bar
    labelled 00:00 UTC, as Lean's are, spans to the next midnight): never before its last
    session has closed. On XNYS the ``2d`` bar of a Wednesday before Thanksgiving closes at
    Friday's early close, not on Friday at 00:00 UTC. A label outside the sessions the calendar
    knows keeps ``label + count days``."""
    if len(labels) == 0:
        return labels
    if isinstance(market, XnysCalendar):
        table = _xnys_schedule()  # the whole known range: labels outside it fall back below
    else:
        before, after = pd.Timedelta(days=7), pd.Timedelta(days=3 * count + 10)
        table = market.sessions(_day(labels[0]) - before, _day(labels[-1]) + after)
    closes = pd.DatetimeIndex(table["close"]).as_unit("ns").asi8
    days = pd.DatetimeIndex(table.index).as_unit("ns").asi8
    stamps = labels.asi8
    first = np.searchsorted(closes, stamps, side="right")
    last = first + count - 1
    known = (first > 0) & (last < len(closes))  # the table holds the label and the sessions
    first, last = np.minimum(first, len(closes) - 1), np.minimum(last, len(closes) - 1)
    fallback = stamps + count * _ONE_DAY.value
    return _last_session_closes(market, stamps, closes, days, first, last, known, fallback)


def _last_session_closes(
    market: MarketCalendar,
    stamps: np.ndarray,
    closes: np.ndarray,
    days: np.ndarray,
    first: np.ndarray,
    last: np.ndarray,
    known: np.ndarray,
    fallback: np.ndarray,
) -> pd.DatetimeIndex:
    """The close of each bar whose label ``stamps`` falls in session ``first`` and whose last
    session is ``last`` (indexes into the sessions' ``closes`` and trade dates ``days``, all
    nanoseconds): that session's close, or the close of a daily bar labelled as the bar is,
    moved on to it, when later; ``fallback`` where the sessions are not ``known``."""
    moved = pd.DatetimeIndex(stamps + (days[last] - days[first]), tz="UTC").as_unit("ns")
    daily = market.daily_bar_closes(moved).as_unit("ns").asi8
    closed = np.maximum(closes[last], daily)
    return pd.DatetimeIndex(np.where(known, closed, fallback), tz="UTC").as_unit("ns")


def calendar_period_keys(days: np.ndarray, unit: str, count: int) -> np.ndarray:
    """Which weekly (``unit`` ``w``) or monthly (``mo``) period each trade date of ``days``
    (``datetime64[D]``) is in: ISO weeks counted from Monday 1970-01-05, months from January
    1970, ``count`` at a time (a ``2w`` period is two weeks, a ``3mo`` one a quarter)."""
    if unit == "w":
        raw = (days - MONDAY).astype(np.int64) // 7
    elif unit == "mo":
        raw = days.astype("datetime64[M]").astype(np.int64)
    else:
        raise InvalidInputError(f"not a weekly or monthly unit: {unit!r}")
    return np.asarray(raw // count, dtype=np.int64)


def period_bar_closes(
    market: MarketCalendar, labels: pd.DatetimeIndex, frame: Timeframe
) -> pd.DatetimeIndex:
    """When weekly or monthly bars labelled ``labels`` (UTC, nanoseconds) close: a bar is the
    period (``calendar_period_keys``) of the first session closing after its label, and closes
    when that period's last session closes, or when a daily bar labelled as it is, moved on to
    that session, would close if that is later (FX and 24/7 labels at 00:00 UTC span to the
    next midnight): never before the period's last session has closed. The week of Good Friday
    2021 on XNYS closes on Thursday 1 April at 16:00 New York, not on Monday 5 April.

    The label must open its period: its first session is the period's first (a holiday Monday
    labelled or skipped alike). A label inside a period (a week labelled Wednesday, a month
    labelled on its last day) says nothing of where the file's period ends, so it keeps
    ``label + timeframe`` (late, never early), as does a label outside the sessions the
    calendar knows."""
    if len(labels) == 0:
        return labels
    if isinstance(market, XnysCalendar):  # the whole known range: labels outside it fall back
        closes, day_stamps, keys = _xnys_periods(frame.unit, frame.count)
    else:
        before, after = pd.Timedelta(days=7), pd.Timedelta(days=31 * frame.count + 10)
        table = market.sessions(_day(labels.min()) - before, _day(labels.max()) + after)
        closes, day_stamps, keys = _periods(table, frame.unit, frame.count)
    stamps = labels.asi8
    first = np.searchsorted(closes, stamps, side="right")
    inside = np.minimum(first, len(closes) - 1)
    period = keys[inside]
    after_period = np.searchsorted(keys, period, side="right")
    opens_period = keys[np.maximum(inside - 1, 0)] != period
    # the table holds a session before the label, and one after its period: the whole period
    known = (first > 0) & (first < len(closes)) & (after_period < len(closes)) & opens_period
    last = np.minimum(after_period, len(closes)) - 1
    if frame.unit == "mo":
        fallback = (labels + pd.DateOffset(months=frame.count)).as_unit("ns").asi8
    else:
        fallback = stamps + 7 * frame.count * _ONE_DAY.value
    return _last_session_closes(market, stamps, closes, day_stamps, inside, last, known, fallback)


def _periods(table: pd.DataFrame, unit: str, count: int) -> tuple[np.ndarray, ...]:
    """The sessions of ``table`` as arrays: closes and trade dates (nanoseconds), period keys."""
    closes = pd.DatetimeIndex(table["close"]).as_unit("ns").asi8
    days = pd.DatetimeIndex(table.index).as_unit("ns")
    keys = calendar_period_keys(days.to_numpy(dtype="datetime64[D]"), unit, count)
    return closes, days.asi8, keys


@functools.cache
def _xnys_periods(unit: str, count: int) -> tuple[np.ndarray, ...]:
    arrays = _periods(_xnys_schedule(), unit, count)
    for array in arrays:
        array.flags.writeable = False  # shared by every later call
    return arrays
