"""The "market closed" rule by itself, calendar by calendar (the API, Alpaca and CLI tests
prove it is the one every door uses): only IOC and FOK on intraday bars are refused, and only
while the instrument's calendar has no session; the expected opens come from the calendars'
own session tables."""

from __future__ import annotations

from datetime import UTC, datetime

import pandas as pd
import pytest

from paperdesk.data.calendars import market_calendar
from paperdesk.domain import TimeInForce
from paperdesk.service.market_hours import MARKET_CLOSED, MarketClosedError, check_market_open

SATURDAY = datetime(2024, 12, 7, 15, 0, tzinfo=UTC)
MONDAY_IN_SESSION = datetime(2024, 12, 9, 15, 0, tzinfo=UTC)


def check(
    time_in_force: TimeInForce,
    at: datetime,
    *,
    calendar: str = "XNYS",
    timeframe: str = "1h",
    extended: bool = False,
) -> None:
    check_market_open(
        "SYM", time_in_force, calendar=calendar, timeframe=timeframe, extended=extended, at=at
    )


@pytest.mark.parametrize("time_in_force", [TimeInForce.IOC, TimeInForce.FOK])
@pytest.mark.parametrize("calendar", ["XNYS", "FX"])
def test_immediate_orders_are_refused_on_a_closed_weekend_naming_the_next_open(
    time_in_force: TimeInForce, calendar: str
) -> None:
    sessions = market_calendar(calendar).sessions(SATURDAY, datetime(2024, 12, 12, tzinfo=UTC))
    first_open = pd.Timestamp(sessions["open"][sessions["open"] > SATURDAY].iloc[0])
    with pytest.raises(MarketClosedError) as refused:
        check(time_in_force, SATURDAY, calendar=calendar)
    assert refused.value.code == MARKET_CLOSED
    message = str(refused.value)
    assert f"its {calendar} calendar" in message
    assert f"next opens at {first_open:%Y-%m-%d %H:%M} UTC" in message
    assert f"An {time_in_force.value} order" in message


@pytest.mark.parametrize("time_in_force", [TimeInForce.DAY, TimeInForce.GTC])
def test_day_and_gtc_orders_wait_for_the_open(time_in_force: TimeInForce) -> None:
    with pytest.raises(MarketClosedError):
        check(TimeInForce.IOC, SATURDAY)
    check(time_in_force, SATURDAY)


def test_a_24_7_calendar_daily_bars_and_an_open_session_refuse_nothing() -> None:
    with pytest.raises(MarketClosedError):
        check(TimeInForce.FOK, SATURDAY, timeframe="4h")
    check(TimeInForce.FOK, SATURDAY, calendar="24/7", timeframe="1m")
    check(TimeInForce.FOK, SATURDAY, timeframe="1d")
    check(TimeInForce.FOK, SATURDAY, timeframe="1w")
    check(TimeInForce.FOK, MONDAY_IN_SESSION)
    check(TimeInForce.FOK, MONDAY_IN_SESSION, calendar="FX")


def test_the_extended_session_counts_only_on_xnys() -> None:
    """06:00 New York: XNYS's extended hours are open; FX's week does not change with it."""
    pre_market = datetime(2024, 12, 9, 11, 0, tzinfo=UTC)
    with pytest.raises(MarketClosedError):
        check(TimeInForce.IOC, pre_market)
    check(TimeInForce.IOC, pre_market, extended=True)
    with pytest.raises(MarketClosedError, match="extended hours"):
        check(TimeInForce.IOC, datetime(2024, 12, 10, 2, 0, tzinfo=UTC), extended=True)
    with pytest.raises(MarketClosedError) as refused:
        check(TimeInForce.IOC, SATURDAY, calendar="FX", extended=True)
    assert "extended hours" not in str(refused.value)
