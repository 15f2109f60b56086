"""Tests for session closes and bar close times on XNYS, FX and 24/7 calendars."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pandas as pd
import pytest

from paperdesk.data import bar_close_times, market_calendar, session_close
from paperdesk.data.calendars import exchange_calendar
from paperdesk.domain import InvalidInputError, UnknownNameError

NEW_YORK = ZoneInfo("America/New_York")


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


def new_york(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=NEW_YORK)


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (new_york(2024, 7, 3, 10), new_york(2024, 7, 3, 13)),  # early close before the 4th
        (new_york(2024, 7, 3, 13), new_york(2024, 7, 5, 16)),  # at the close: next session
        (new_york(2024, 7, 4, 12), new_york(2024, 7, 5, 16)),  # Independence Day holiday
        (new_york(2024, 7, 5, 15, 59), new_york(2024, 7, 5, 16)),
        (new_york(2024, 7, 6, 12), new_york(2024, 7, 8, 16)),  # Saturday
        (new_york(2019, 11, 29, 9), new_york(2019, 11, 29, 13)),  # day after Thanksgiving
        (new_york(2024, 3, 8, 17), new_york(2024, 3, 11, 16)),  # across the DST change
    ],
)
def test_xnys_session_close(moment: datetime, expected: datetime) -> None:
    assert session_close("XNYS", moment) == expected
    assert session_close("XNYS", moment).tzinfo is not None


def test_xnys_2025_01_09_national_day_of_mourning_is_closed() -> None:
    # exchange_calendars 4.13 lists 2025-01-09 (President Carter's funeral) as an ad-hoc holiday.
    assert not exchange_calendar("XNYS").is_session("2025-01-09")
    assert session_close("XNYS", new_york(2025, 1, 9, 12)) == new_york(2025, 1, 10, 16)
    assert session_close("XNYS", new_york(2025, 1, 8, 16)) == new_york(2025, 1, 10, 16)


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (new_york(2024, 3, 6, 12), new_york(2024, 3, 6, 17)),
        (new_york(2024, 3, 6, 17), new_york(2024, 3, 7, 17)),
        (new_york(2024, 3, 8, 16, 59), new_york(2024, 3, 8, 17)),  # Friday before the close
        (new_york(2024, 3, 8, 17), new_york(2024, 3, 11, 17)),  # Friday close -> Monday
        (new_york(2024, 3, 9, 12), new_york(2024, 3, 11, 17)),  # Saturday -> Monday
        (new_york(2024, 3, 10, 18), new_york(2024, 3, 11, 17)),  # Sunday open -> Monday
    ],
)
def test_fx_session_close(moment: datetime, expected: datetime) -> None:
    assert session_close("FX", moment) == expected


def test_fx_close_follows_new_york_daylight_saving() -> None:
    # 17:00 New York is 22:00 UTC in winter and 21:00 UTC in summer (US DST from 2024-03-10).
    assert session_close("FX", utc(2024, 3, 8, 12)) == utc(2024, 3, 8, 22)
    assert session_close("FX", utc(2024, 3, 8, 22)) == utc(2024, 3, 11, 21)
    assert session_close("FX", utc(2024, 11, 1, 21)) == utc(2024, 11, 4, 22)


def test_twenty_four_seven_closes_at_midnight_utc() -> None:
    assert session_close("24/7", utc(2024, 3, 9, 12, 30)) == utc(2024, 3, 10)
    assert session_close("24/7", utc(2024, 3, 9)) == utc(2024, 3, 10)
    assert session_close("24/7", utc(2024, 12, 31, 23, 59)) == utc(2025, 1, 1)


def test_unknown_calendar_and_naive_time() -> None:
    with pytest.raises(UnknownNameError, match="XLON"):
        session_close("XLON", utc(2024, 1, 2))
    with pytest.raises(InvalidInputError, match="timezone-aware"):
        session_close("XNYS", datetime(2024, 1, 2))


def test_daily_xnys_bar_close_times() -> None:
    labels = pd.DatetimeIndex(
        ["2019-11-29", "2020-03-09", "2020-01-06", "2025-01-09", "2001-09-11"], tz="UTC"
    )
    closes = bar_close_times(labels, "1d", "XNYS")
    assert list(closes) == [
        pd.Timestamp("2019-11-29 18:00", tz="UTC"),  # early close 13:00 ET
        pd.Timestamp("2020-03-09 20:00", tz="UTC"),  # 16:00 EDT
        pd.Timestamp("2020-01-06 21:00", tz="UTC"),  # 16:00 EST
        pd.Timestamp("2025-01-10 00:00", tz="UTC"),  # not a session: date + 1 day
        pd.Timestamp("2001-09-12 00:00", tz="UTC"),  # market closed after 9/11
    ]
    assert str(closes.dtype) == "datetime64[ns, UTC]"


def test_daily_fx_and_crypto_bar_close_times() -> None:
    labels = pd.DatetimeIndex(["2024-03-08", "2024-03-11"], tz="UTC")
    # a daily FX bar labelled with its start instant is visible only once its 24 hours passed
    # (closing it at 17:00 New York on the label date would show Lean's 00:00 UTC bars early)
    assert list(bar_close_times(labels, "1d", "FX")) == [
        pd.Timestamp("2024-03-09", tz="UTC"),
        pd.Timestamp("2024-03-12", tz="UTC"),
    ]
    ny_labels = pd.DatetimeIndex(["2024-03-07 22:00", "2024-03-10 21:00"], tz="UTC")
    assert list(bar_close_times(ny_labels, "1d", "FX")) == [
        pd.Timestamp("2024-03-08 22:00", tz="UTC"),
        pd.Timestamp("2024-03-11 21:00", tz="UTC"),
    ]
    assert list(bar_close_times(labels, "1d", "24/7")) == [
        pd.Timestamp("2024-03-09", tz="UTC"),
        pd.Timestamp("2024-03-12", tz="UTC"),
    ]


def test_intraday_weekly_and_monthly_bar_close_times() -> None:
    labels = pd.DatetimeIndex(["2024-01-31 14:00", "2024-02-29 15:00"], tz="UTC")
    assert list(bar_close_times(labels, "1h", "XNYS")) == list(labels + pd.Timedelta(hours=1))
    assert list(bar_close_times(labels, "1w", "XNYS")) == list(labels + pd.Timedelta(days=7))
    assert list(bar_close_times(labels, "1mo", "24/7")) == [
        pd.Timestamp("2024-02-29 14:00", tz="UTC"),
        pd.Timestamp("2024-03-29 15:00", tz="UTC"),
    ]


def test_intraday_bar_close_times_are_vectorised() -> None:
    labels = pd.date_range("2020-01-01", periods=1_000_000, freq="min", tz="UTC")
    closes = bar_close_times(labels, "1m", "24/7")
    assert closes[-1] == labels[-1] + pd.Timedelta(minutes=1)


def test_fx_session_close_skips_christmas_and_new_year() -> None:
    # the 25 December and 1 January sessions do not exist (market_calendar("FX")), so a DAY
    # order placed on the 24th after 17:00 New York lives until the 26th's close
    assert session_close("FX", new_york(2024, 12, 24, 16)) == new_york(2024, 12, 24, 17)
    assert session_close("FX", new_york(2024, 12, 24, 17)) == new_york(2024, 12, 26, 17)
    assert session_close("FX", new_york(2024, 12, 25, 12)) == new_york(2024, 12, 26, 17)
    assert session_close("FX", new_york(2024, 12, 31, 18)) == new_york(2025, 1, 2, 17)
    assert session_close("FX", new_york(2022, 12, 23, 18)) == new_york(2022, 12, 26, 17)


@pytest.mark.parametrize("calendar", ["XNYS", "FX", "24/7"])
def test_session_close_is_the_first_close_of_the_calendars_sessions_after_the_moment(
    calendar: str,
) -> None:
    # one answer: the session closes the engine expires DAY orders at are those of the
    # calendar that resampling, quality checks and the DataManager use
    start, end = pd.Timestamp("2023-12-20", tz="UTC"), pd.Timestamp("2025-01-10", tz="UTC")
    sessions = market_calendar(calendar).sessions(
        start - pd.Timedelta(days=1), end + pd.Timedelta(days=7)
    )
    closes = pd.DatetimeIndex(sessions["close"])
    moments = pd.date_range(start, end, freq="97min").append(closes[:-5])  # and exactly at closes
    for moment in moments:
        expected = closes[closes > moment][0]
        assert session_close(calendar, moment.to_pydatetime()) == expected, moment


def test_daily_bar_closes_follow_the_same_calendar() -> None:
    days = pd.DatetimeIndex(["2024-12-24", "2024-12-25", "2024-12-26"], tz="UTC")
    xnys = market_calendar("XNYS").sessions("2024-12-24", "2024-12-26")
    assert list(bar_close_times(days[[0, 2]], "1d", "XNYS")) == list(xnys["close"])
    # a daily FX bar covers the 24 hours after its label, whatever the holidays
    assert list(bar_close_times(days, "1d", "FX")) == list(days + pd.Timedelta(days=1))


def test_exchange_calendars_is_loaded_only_for_a_calendar_that_needs_it() -> None:
    """Bar close times on 24/7 and FX need no exchange_calendars (an import of crypto bars is
    spared loading it); XNYS loads it. A fresh interpreter, as this one has it loaded."""
    script = (
        "import sys, pandas as pd\n"
        "from paperdesk.data.calendars import bar_close_times\n"
        "labels = pd.date_range('2024-03-04', periods=3, freq='1min', tz='UTC')\n"
        "bar_close_times(labels, '1m', '24/7'); bar_close_times(labels, '1m', 'FX')\n"
        "print('exchange_calendars' in sys.modules)\n"
        "bar_close_times(labels, '1d', 'XNYS')\n"
        "print('exchange_calendars' in sys.modules)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=120
    )
    assert done.stdout.split() == ["False", "True"]
