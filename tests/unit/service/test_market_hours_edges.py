"""The "market closed" rule at its edges, against the exchanges' published hours (not the
calendars' tables): a session is open from its open instant inclusive to its close exclusive,
an early close ends the regular session (and, extended, four hours later), the FX week opens
on Sunday and closes on Friday at 17:00 New York in winter and summer, and 25 December has no
FX session."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from paperdesk.domain import TimeInForce
from paperdesk.service.market_hours import MarketClosedError, check_market_open

MICROSECOND = timedelta(microseconds=1)
NYSE_OPEN = datetime(2024, 12, 9, 14, 30, tzinfo=UTC)  # Monday 09:30 New York (EST)
NYSE_CLOSE = datetime(2024, 12, 9, 21, 0, tzinfo=UTC)  # 16:00
EARLY_CLOSE = datetime(2024, 11, 29, 18, 0, tzinfo=UTC)  # the day after Thanksgiving, 13:00
SUMMER_OPEN = datetime(2024, 3, 11, 13, 30, tzinfo=UTC)  # the Monday after DST began: 09:30 EDT
FX_WEEK_CLOSE = datetime(2024, 12, 6, 22, 0, tzinfo=UTC)  # Friday 17:00 New York (EST)
FX_WEEK_OPEN = datetime(2024, 12, 8, 22, 0, tzinfo=UTC)  # Sunday 17:00
FX_SUMMER_OPEN = datetime(2024, 7, 7, 21, 0, tzinfo=UTC)  # Sunday 17:00 EDT
FX_CHRISTMAS = datetime(2024, 12, 25, 12, 0, tzinfo=UTC)


def is_open(at: datetime, calendar: str = "XNYS", *, extended: bool = False) -> bool:
    try:
        check_market_open(
            "SYM", TimeInForce.IOC, calendar=calendar, timeframe="5m", extended=extended, at=at
        )
    except MarketClosedError:
        return False
    return True


@pytest.mark.parametrize(
    ("at", "calendar", "extended", "expected"),
    [
        (NYSE_OPEN - MICROSECOND, "XNYS", False, False),
        (NYSE_OPEN, "XNYS", False, True),
        (NYSE_CLOSE - MICROSECOND, "XNYS", False, True),
        (NYSE_CLOSE, "XNYS", False, False),
        (SUMMER_OPEN - MICROSECOND, "XNYS", False, False),
        (SUMMER_OPEN, "XNYS", False, True),
        (EARLY_CLOSE - MICROSECOND, "XNYS", False, True),
        (EARLY_CLOSE, "XNYS", False, False),
        (EARLY_CLOSE + timedelta(hours=4) - MICROSECOND, "XNYS", True, True),
        (EARLY_CLOSE + timedelta(hours=4), "XNYS", True, False),
        (NYSE_OPEN - timedelta(hours=5, minutes=30), "XNYS", True, True),  # 04:00 New York
        (NYSE_OPEN - timedelta(hours=5, minutes=30) - MICROSECOND, "XNYS", True, False),
        (FX_WEEK_CLOSE - MICROSECOND, "FX", False, True),
        (FX_WEEK_CLOSE, "FX", False, False),
        (FX_WEEK_OPEN - MICROSECOND, "FX", False, False),
        (FX_WEEK_OPEN, "FX", False, True),
        (FX_SUMMER_OPEN - MICROSECOND, "FX", False, False),
        (FX_SUMMER_OPEN, "FX", False, True),
        (FX_CHRISTMAS, "FX", False, False),
        (FX_CHRISTMAS, "NYSE", False, False),  # an alias: the same calendar as XNYS
    ],
)
def test_the_edges_of_a_session(
    at: datetime, calendar: str, extended: bool, expected: bool
) -> None:
    assert is_open(at, calendar, extended=extended) is expected


def test_a_time_in_another_zone_is_the_same_instant() -> None:
    new_york = NYSE_OPEN.astimezone(ZoneInfo("America/New_York"))
    assert is_open(new_york)
    assert not is_open(new_york - MICROSECOND)
