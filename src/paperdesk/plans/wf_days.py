"""The days of a walk-forward: each trading session of the period from the market calendar,
with the instant its plan is made (the previous session's close) and its own open and close.

A day's plan may use only what was known at ``as_of`` (the previous session's close: the last
daily bar visible then is the previous day's); the simulator may use candles from ``open`` on.
"""

from __future__ import annotations

import calendar as month_calendar
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import pandas as pd

from paperdesk.data.calendars import market_calendar
from paperdesk.domain.errors import InvalidInputError, OptionError
from paperdesk.domain.fields import field_mark, marked

_LOOK_BACK = timedelta(days=14)  # enough to find the session before any period's first day


@dataclass(frozen=True, slots=True)
class TradingDay:
    """One session of the period: its date, its open and close (UTC), ``as_of``, the close of
    the session before it (the moment its plan is made), and ``previous_from``, the close of
    the session before that one: the previous session's daily bar closes after it (at
    ``as_of`` for a US equity; a forex or crypto day, which ends at 17:00 New York or midnight
    UTC, before ``as_of``)."""

    day: date
    open: datetime
    close: datetime
    as_of: datetime
    previous_from: datetime

    @property
    def name(self) -> str:
        return self.day.isoformat()


def month_period(text: str) -> tuple[date, date]:
    """The first and last date of ``YYYY-MM`` (``--month``)."""
    try:
        year, month = (int(part) for part in text.strip().split("-"))
        first = date(year, month, 1)
    except ValueError:
        raise OptionError(
            f"invalid value for {field_mark('month')}: '{text}' (expected a month such as 2021-03)"
        ) from None
    last_day = month_calendar.monthrange(first.year, first.month)[1]
    return first, first.replace(day=last_day)


def parse_day(text: str, option: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise OptionError(
            f"invalid value for {option}: '{text}' (expected a date such as 2021-03-01)"
        ) from None


def trading_days(calendar: str, first: date, last: date) -> list[TradingDay]:
    """Every session of ``calendar`` with a trade date in ``[first, last]``, oldest first; an
    empty period or one without a session is refused (there would be nothing to test)."""
    if last < first:
        raise OptionError(
            f"invalid period: {field_mark('end', '--to')} {last.isoformat()} is before "
            f"{field_mark('start', '--from')} {first.isoformat()}"
        )
    try:
        sessions = market_calendar(calendar).sessions(first - _LOOK_BACK, last)
    except InvalidInputError as error:
        raise OptionError(f"invalid period {first} to {last}: {marked(error)}") from None
    except (OverflowError, pd.errors.OutOfBoundsDatetime):  # year 1 or 9999: no calendar
        raise OptionError(
            f"invalid period {first} to {last}: outside the dates the {calendar} calendar knows"
        ) from None
    days: list[TradingDay] = []
    previous_close: datetime | None = None
    before_previous: datetime | None = None
    for label, row in sessions.iterrows():
        stamp = pd.Timestamp(str(label))
        opened = pd.Timestamp(row["open"]).to_pydatetime()
        closed = pd.Timestamp(row["close"]).to_pydatetime()
        if stamp.date() >= first and previous_close is not None and before_previous is not None:
            days.append(TradingDay(stamp.date(), opened, closed, previous_close, before_previous))
        before_previous, previous_close = previous_close, closed
    if not days:
        raise OptionError(
            f"invalid period: no {calendar} session from {first.isoformat()} to {last.isoformat()}"
        )
    return days
