"""How late a live feed is, on the calendar: no bar is due over a weekend, a holiday or the
night; a missing bar is late from when it should have closed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from paperdesk.data.feed_age import default_stale_after, overdue


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)  # type: ignore[misc]


FRIDAY_CLOSE = utc(2021, 1, 8, 21)  # 16:00 New York


@pytest.mark.parametrize(
    ("now", "late"),
    [
        (utc(2021, 1, 8, 23), timedelta(0)),  # the same evening: Monday's bar is not due
        (utc(2021, 1, 10, 12), timedelta(0)),  # Sunday
        (utc(2021, 1, 11, 20, 59), timedelta(0)),  # Monday, before its close
        (utc(2021, 1, 11, 22, 30), timedelta(hours=1, minutes=30)),  # Monday's bar missing
    ],
)
def test_daily_bars_are_due_at_the_next_session_close(now: datetime, late: timedelta) -> None:
    assert overdue(FRIDAY_CLOSE, now, "1d", "XNYS") == late


def test_no_daily_bar_is_due_on_a_holiday() -> None:
    new_years_eve = utc(2019, 12, 31, 21)
    assert overdue(new_years_eve, utc(2020, 1, 1, 23), "1d", "XNYS") == timedelta(0)
    assert overdue(new_years_eve, utc(2020, 1, 2, 21, 30), "1d", "XNYS") == timedelta(minutes=30)


@pytest.mark.parametrize(
    ("last_close", "now", "late"),
    [
        (utc(2021, 1, 8, 15), utc(2021, 1, 8, 15, 0, 50), timedelta(0)),  # the next is forming
        (utc(2021, 1, 8, 15), utc(2021, 1, 8, 15, 3), timedelta(minutes=2)),
        (FRIDAY_CLOSE, utc(2021, 1, 9, 12), timedelta(0)),  # Saturday: the market is closed
        (FRIDAY_CLOSE, utc(2021, 1, 11, 14, 30), timedelta(0)),  # Monday's open
        (FRIDAY_CLOSE, utc(2021, 1, 11, 14, 35), timedelta(minutes=4)),
        (utc(2021, 1, 8, 20, 59), utc(2021, 1, 11, 14, 33), timedelta(minutes=3)),  # overnight
    ],
)
def test_intraday_bars_are_due_on_the_session_clock(
    last_close: datetime, now: datetime, late: timedelta
) -> None:
    assert overdue(last_close, now, "1m", "XNYS") == late


def test_a_crypto_feed_is_due_around_the_clock() -> None:
    saturday = utc(2021, 1, 9, 12)
    assert overdue(saturday, saturday + timedelta(minutes=10), "1m", "24/7") == timedelta(minutes=9)


def test_the_default_tolerance_is_a_bar_intraday_and_an_hour_daily() -> None:
    assert default_stale_after("1m") == timedelta(minutes=1)
    assert default_stale_after("15m") == timedelta(minutes=15)
    assert default_stale_after("1h") == timedelta(hours=1)
    assert default_stale_after("1d") == timedelta(hours=1)
