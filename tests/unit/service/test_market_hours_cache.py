"""The kept session tables of ``service.market_hours``: a check answers exactly what a table
built afresh for that instant answers (holidays, early closes, DST changes, week ends, the
extended hours), from any thread, and a second check of the same day builds nothing."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from paperdesk.data.calendars import NEW_YORK, MarketCalendar, market_calendar
from paperdesk.data.sessions import extended_hours
from paperdesk.service.market_hours import LOOK_AHEAD, MarketHours, market_hours, session_table

# Instants around the calendars' hard cases (UTC): US holidays, early closes, both DST changes,
# a week end, the FX year end, and the edges of sessions (the open itself, a close itself).
HARD_INSTANTS = (
    datetime(2024, 7, 3, 16, 59, tzinfo=UTC),  # the 13:00 New York early close, a minute before
    datetime(2024, 7, 3, 17, 0, tzinfo=UTC),  # ... and at it
    datetime(2024, 7, 4, 15, 0, tzinfo=UTC),  # Independence Day
    datetime(2024, 11, 29, 18, 0, tzinfo=UTC),  # the day after Thanksgiving, after the early close
    datetime(2024, 12, 24, 17, 59, tzinfo=UTC),
    datetime(2024, 12, 25, 12, 0, tzinfo=UTC),  # Christmas: XNYS and FX both shut
    datetime(2024, 12, 31, 22, 0, tzinfo=UTC),
    datetime(2025, 1, 1, 21, 59, tzinfo=UTC),
    datetime(2025, 1, 9, 15, 0, tzinfo=UTC),  # the ad-hoc closure of 2025-01-09
    datetime(2024, 3, 8, 21, 0, tzinfo=UTC),  # Friday before the spring DST change
    datetime(2024, 3, 10, 21, 0, tzinfo=UTC),  # Sunday 17:00 New York in EDT: FX opens
    datetime(2024, 3, 10, 22, 0, tzinfo=UTC),
    datetime(2024, 3, 11, 13, 30, tzinfo=UTC),  # the first EDT open
    datetime(2024, 3, 11, 14, 30, tzinfo=UTC),
    datetime(2024, 11, 3, 21, 30, tzinfo=UTC),  # Sunday after the autumn change (EST)
    datetime(2024, 11, 3, 22, 0, tzinfo=UTC),
    datetime(2024, 11, 4, 14, 30, tzinfo=UTC),  # the first EST open
    datetime(2024, 12, 6, 21, 59, 59, 999999, tzinfo=UTC),  # Friday, FX's last microsecond
    datetime(2024, 12, 7, 15, 0, tzinfo=UTC),  # Saturday
    datetime(2024, 12, 9, 9, 0, tzinfo=UTC),  # Monday 04:00 New York: the extended open
    datetime(2024, 12, 10, 1, 0, tzinfo=UTC),  # Monday 20:00 New York: the extended close
)


def fresh_hours(calendar: str, extended: bool, at: datetime) -> MarketHours:
    """The answer computed the way the check did before it kept tables: the calendar's
    session table built for this one instant, searched with pandas."""
    market: MarketCalendar = market_calendar(calendar)
    table = market.sessions(at - timedelta(days=1), at + LOOK_AHEAD)
    widened = extended and market.name == "XNYS"
    if widened:
        table = extended_hours(table)
    moment = pd.Timestamp(at.astimezone(UTC))
    inside = bool(((table["open"] <= moment) & (moment < table["close"])).any())
    later = table["open"][table["open"] > moment]
    next_open = None if later.empty else pd.Timestamp(later.iloc[0]).to_pydatetime()
    return MarketHours(inside, next_open, widened)


@pytest.mark.parametrize("extended", [False, True])
@pytest.mark.parametrize("calendar", ["XNYS", "FX"])
@pytest.mark.parametrize("at", HARD_INSTANTS, ids=lambda at: at.isoformat())
def test_a_kept_table_answers_as_a_fresh_one_at_the_hard_instants(
    calendar: str, extended: bool, at: datetime
) -> None:
    for moment in (at, at - timedelta(microseconds=1), at + timedelta(microseconds=1)):
        assert market_hours(calendar, extended, moment) == fresh_hours(calendar, extended, moment)


@settings(max_examples=300, deadline=None)
@given(
    calendar=st.sampled_from(["XNYS", "FX", "nyse", "fx"]),
    extended=st.booleans(),
    at=st.datetimes(
        min_value=datetime(2019, 1, 1), max_value=datetime(2027, 11, 1), timezones=st.just(UTC)
    ),
)
def test_a_kept_table_answers_as_a_fresh_one_at_any_instant(
    calendar: str, extended: bool, at: datetime
) -> None:
    assert market_hours(calendar, extended, at) == fresh_hours(calendar, extended, at)
    # the same instant in New York time reads the same kept table
    local = at.astimezone(NEW_YORK)
    assert market_hours(calendar, extended, local) == fresh_hours(calendar, extended, at)


def test_request_threads_share_the_kept_tables() -> None:
    instants = [
        datetime(2024, 12, 2, tzinfo=UTC) + timedelta(minutes=37 * step) for step in range(400)
    ]
    expected = [fresh_hours("XNYS", step % 2 == 0, at) for step, at in enumerate(instants)]
    session_table.cache_clear()
    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(
            pool.map(
                lambda pair: market_hours("XNYS", pair[0] % 2 == 0, pair[1]), enumerate(instants)
            )
        )
    assert answers == expected


def test_a_second_check_of_the_same_day_builds_no_table(monkeypatch: pytest.MonkeyPatch) -> None:
    morning = datetime(2024, 12, 9, 15, 0, tzinfo=UTC)
    expected = {calendar: fresh_hours(calendar, False, morning) for calendar in ("XNYS", "FX")}
    session_table.cache_clear()
    built: list[str] = []
    original = MarketCalendar.sessions

    def counted(self: MarketCalendar, start: object, end: object) -> pd.DataFrame:
        built.append(self.name)
        return original(self, start, end)  # type: ignore[arg-type]

    monkeypatch.setattr(MarketCalendar, "sessions", counted)
    for calendar in ("XNYS", "FX"):
        first = market_hours(calendar, False, morning)
        again = market_hours(calendar, False, morning + timedelta(hours=3))
        assert first == expected[calendar]
        assert again == first  # both in Monday's session, both naming the same next open
    assert built == ["XNYS", "FX"]
    assert market_hours("24/7", False, morning) is None
    assert built == ["XNYS", "FX"]
