"""Market calendars on known dates: NYSE 2024 holidays and early closes, the 2025-01-09
closure, the FX week boundary, DST changes, and the always-open crypto calendar."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from paperdesk.data import MarketCalendar, TradingHours, market_calendar
from paperdesk.data.calendars import daily_bar_start
from paperdesk.domain import InvalidInputError, UnknownNameError

NEW_YORK = ZoneInfo("America/New_York")

NYSE_2024_HOLIDAYS = [
    date(2024, 1, 1),  # New Year's Day
    date(2024, 1, 15),  # Martin Luther King Jr. Day
    date(2024, 2, 19),  # Washington's Birthday
    date(2024, 3, 29),  # Good Friday
    date(2024, 5, 27),  # Memorial Day
    date(2024, 6, 19),  # Juneteenth
    date(2024, 7, 4),  # Independence Day
    date(2024, 9, 2),  # Labor Day
    date(2024, 11, 28),  # Thanksgiving
    date(2024, 12, 25),  # Christmas
]


def ny(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=NEW_YORK)


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


@pytest.fixture(scope="module")
def xnys() -> MarketCalendar:
    return market_calendar("XNYS")


@pytest.fixture(scope="module")
def fx() -> MarketCalendar:
    return market_calendar("FX")


def test_names_and_aliases() -> None:
    assert market_calendar("nyse") is market_calendar("XNYS")
    assert market_calendar("crypto") is market_calendar("24/7")
    assert market_calendar("fx").name == "FX"
    with pytest.raises(UnknownNameError):
        market_calendar("XLON")


def test_nyse_2024_holidays_are_exactly_the_ten_full_closures(xnys: MarketCalendar) -> None:
    assert xnys.holidays(date(2024, 1, 1), date(2024, 12, 31)) == NYSE_2024_HOLIDAYS
    sessions = xnys.sessions(date(2024, 1, 1), date(2024, 12, 31))
    assert len(sessions) == 252
    for day in NYSE_2024_HOLIDAYS:
        assert xnys.trading_hours(day) is None
        assert not xnys.is_open(
            datetime.combine(day, datetime.min.time(), NEW_YORK).replace(hour=11)
        )


@pytest.mark.parametrize("day", [date(2024, 7, 3), date(2024, 11, 29), date(2024, 12, 24)])
def test_nyse_2024_early_closes_at_13_00_new_york(xnys: MarketCalendar, day: date) -> None:
    hours = xnys.trading_hours(day)
    assert hours == TradingHours(
        day, ny(day.year, day.month, day.day, 9, 30), ny(day.year, day.month, day.day, 13), True
    )
    assert xnys.is_open(ny(day.year, day.month, day.day, 12, 59))
    assert not xnys.is_open(ny(day.year, day.month, day.day, 13, 0))
    early = xnys.sessions(date(2024, 1, 1), date(2024, 12, 31))
    assert [ts.date() for ts in early.index[early["early_close"]]] == [
        date(2024, 7, 3),
        date(2024, 11, 29),
        date(2024, 12, 24),
    ]


def test_2025_01_09_national_day_of_mourning_is_a_closure(xnys: MarketCalendar) -> None:
    # exchange_calendars (4.13) lists it among XNYS ad-hoc holidays; no paperdesk override needed.
    assert xnys.trading_hours(date(2025, 1, 9)) is None
    assert date(2025, 1, 9) in xnys.holidays(date(2025, 1, 1), date(2025, 1, 31))
    assert not xnys.is_open(ny(2025, 1, 9, 11))
    assert xnys.is_open(ny(2025, 1, 8, 11))
    assert xnys.is_open(ny(2025, 1, 10, 11))


def test_regular_session_and_its_edges(xnys: MarketCalendar) -> None:
    hours = xnys.trading_hours(date(2024, 3, 6))
    assert hours is not None
    assert not hours.early_close
    assert hours.open.tzinfo is not None
    assert hours.open.utcoffset().total_seconds() == 0
    assert not xnys.is_open(ny(2024, 3, 6, 9, 29))
    assert xnys.is_open(ny(2024, 3, 6, 9, 30))
    assert xnys.is_open(ny(2024, 3, 6, 15, 59))
    assert not xnys.is_open(ny(2024, 3, 6, 16, 0))
    assert not xnys.is_open(ny(2024, 3, 9, 12))  # Saturday
    assert xnys.trading_hours(date(2024, 3, 9)) is None
    assert xnys.holidays(date(2024, 3, 9), date(2024, 3, 10)) == []  # weekends are not holidays


def test_xnys_open_in_utc_moves_with_dst(xnys: MarketCalendar) -> None:
    before = xnys.trading_hours(date(2024, 3, 8))  # EST
    after = xnys.trading_hours(date(2024, 3, 11))  # EDT from 2024-03-10
    november = xnys.trading_hours(date(2024, 11, 4))  # EST again from 2024-11-03
    assert before is not None
    assert after is not None
    assert november is not None
    assert (before.open, before.close) == (utc(2024, 3, 8, 14, 30), utc(2024, 3, 8, 21))
    assert (after.open, after.close) == (utc(2024, 3, 11, 13, 30), utc(2024, 3, 11, 20))
    assert november.open == utc(2024, 11, 4, 14, 30)


def test_xnys_outside_known_range_raises(xnys: MarketCalendar) -> None:
    with pytest.raises(InvalidInputError, match="exchange_calendars"):
        xnys.sessions(date(2099, 1, 1), date(2099, 1, 31))
    with pytest.raises(InvalidInputError, match="timezone-aware"):
        xnys.is_open(datetime(2024, 3, 6, 12))


def test_fx_week_boundary_friday_and_sunday_17_00_new_york(fx: MarketCalendar) -> None:
    assert fx.is_open(ny(2024, 3, 8, 16, 59))  # Friday
    assert not fx.is_open(ny(2024, 3, 8, 17, 0))
    assert not fx.is_open(ny(2024, 3, 9, 12))  # Saturday
    assert not fx.is_open(ny(2024, 3, 10, 16, 59))  # Sunday
    assert fx.is_open(ny(2024, 3, 10, 17, 0))
    assert fx.is_open(ny(2024, 3, 6, 17, 0))  # midweek roll-over stays open
    monday = fx.trading_hours(date(2024, 3, 11))
    assert monday == TradingHours(date(2024, 3, 11), ny(2024, 3, 10, 17), ny(2024, 3, 11, 17))
    assert fx.trading_hours(date(2024, 3, 9)) is None


def test_fx_open_in_utc_moves_between_march_and_november(fx: MarketCalendar) -> None:
    # US DST 2024: from 2024-03-10 to 2024-11-03. The FX week opens Sunday 17:00 New York.
    winter = fx.trading_hours(date(2024, 3, 4))
    summer = fx.trading_hours(date(2024, 3, 11))
    autumn = fx.trading_hours(date(2024, 11, 4))
    assert winter is not None
    assert summer is not None
    assert autumn is not None
    assert winter.open == utc(2024, 3, 3, 22)
    assert summer.open == utc(2024, 3, 10, 21)
    assert autumn.open == utc(2024, 11, 3, 22)
    assert summer.close == utc(2024, 3, 11, 21)
    assert fx.is_open(utc(2024, 3, 10, 21, 30))
    assert not fx.is_open(utc(2024, 3, 3, 21, 30))


def test_fx_christmas_and_new_year_are_closed(fx: MarketCalendar) -> None:
    assert fx.holidays(date(2024, 12, 1), date(2025, 1, 31)) == [
        date(2024, 12, 25),
        date(2025, 1, 1),
    ]
    assert not fx.is_open(ny(2024, 12, 24, 17, 0))
    assert not fx.is_open(ny(2024, 12, 25, 12))
    assert fx.is_open(ny(2024, 12, 25, 17, 0))  # the 26 December session opens
    assert fx.is_open(ny(2024, 12, 24, 16, 59))
    assert not fx.is_open(ny(2025, 1, 1, 9))


def test_crypto_is_always_open() -> None:
    crypto = market_calendar("24/7")
    for moment in (utc(2024, 12, 25, 12), utc(2024, 3, 10, 7), ny(2024, 3, 9, 3)):
        assert crypto.is_open(moment)
    assert crypto.holidays(date(2024, 1, 1), date(2024, 12, 31)) == []
    hours = crypto.trading_hours(date(2024, 3, 9))
    assert hours == TradingHours(date(2024, 3, 9), utc(2024, 3, 9), utc(2024, 3, 10))
    assert len(crypto.sessions(date(2024, 1, 1), date(2024, 12, 31))) == 366


def test_a_daily_bar_starts_at_its_sessions_open_or_its_label() -> None:
    # the time a fill at a daily bar's open really happened (a plan row's hold counts from it)
    label = datetime(2021, 3, 2, tzinfo=UTC)
    assert daily_bar_start("XNYS", label) == datetime(2021, 3, 2, 14, 30, tzinfo=UTC)
    summer = datetime(2021, 7, 1, tzinfo=UTC)  # EDT: 09:30 New York is 13:30 UTC
    assert daily_bar_start("XNYS", summer) == datetime(2021, 7, 1, 13, 30, tzinfo=UTC)
    # FX and 24/7 daily bars start at their label; a time past the open, or a day without a
    # session, is kept
    assert daily_bar_start("FX", label) == label
    assert daily_bar_start("24/7", label) == label
    later = datetime(2021, 3, 2, 20, 0, tzinfo=UTC)
    assert daily_bar_start("XNYS", later) == later
    sunday = datetime(2021, 3, 7, tzinfo=UTC)
    assert daily_bar_start("XNYS", sunday) == sunday
