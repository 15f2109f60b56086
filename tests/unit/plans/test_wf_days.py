"""The walk-forward's days from the XNYS calendar: each session with its open, close and the
previous session's close (when its plan is made)."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime

import pytest

from paperdesk.domain.errors import OptionError
from paperdesk.plans.wf_days import month_period, trading_days


def test_march_2021_has_23_sessions_each_planned_at_the_previous_close() -> None:
    first, last = month_period("2021-03")
    assert (first, last) == (date(2021, 3, 1), date(2021, 3, 31))
    days = trading_days("XNYS", first, last)
    # 31 days less the 8 weekend days (6-7, 13-14, 20-21, 27-28); no NYSE holiday in March 2021
    assert len(days) == 23
    monday = days[0]
    assert monday.day == date(2021, 3, 1)
    # planned at Friday 02-26's close, 16:00 New York = 21:00Z (EST)
    assert monday.as_of == datetime(2021, 2, 26, 21, tzinfo=UTC)
    assert monday.open == datetime(2021, 3, 1, 14, 30, tzinfo=UTC)
    # New York moves to EDT on 03-14: Monday 03-15 opens 13:30Z, planned at Friday 21:00Z
    after = next(day for day in days if day.day == date(2021, 3, 15))
    assert after.as_of == datetime(2021, 3, 12, 21, tzinfo=UTC)
    assert after.open == datetime(2021, 3, 15, 13, 30, tzinfo=UTC)
    assert all(b.as_of == a.close for a, b in itertools.pairwise(days))


def test_a_holiday_is_skipped_and_the_next_day_planned_at_the_last_session() -> None:
    # Good Friday 2021-04-02: no session; Monday 04-05 is planned at Thursday 04-01's close
    days = trading_days("XNYS", date(2021, 4, 1), date(2021, 4, 5))
    assert [day.day for day in days] == [date(2021, 4, 1), date(2021, 4, 5)]
    assert days[1].as_of == datetime(2021, 4, 1, 20, tzinfo=UTC)


@pytest.mark.parametrize(
    ("first", "last", "message"),
    [
        (date(2021, 3, 6), date(2021, 3, 7), "no XNYS session"),
        (date(2021, 3, 9), date(2021, 3, 8), "before --from"),
    ],
)
def test_a_period_without_sessions_is_refused(first: date, last: date, message: str) -> None:
    with pytest.raises(OptionError, match=message):
        trading_days("XNYS", first, last)


@pytest.mark.parametrize("text", ["2021-13", "March", "2021"])
def test_a_bad_month_is_named(text: str) -> None:
    with pytest.raises(OptionError, match=f"--month: '{text}'"):
        month_period(text)
