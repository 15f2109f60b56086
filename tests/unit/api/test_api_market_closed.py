"""The "market closed" refusal through the real application, on SQLite and PostgreSQL, with a
fixed clock: an IOC or FOK order on intraday bars while its symbol's market is closed at the
portfolio's clock is 409 ``market_closed`` and changes nothing; DAY and GTC orders are
accepted and wait for the open; a 24/7 market and a portfolio of daily bars are never refused.

The expected sessions come from exchange_calendars itself (the library paperdesk's XNYS
calendar wraps), so the tests do not restate the rule's own answers."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import exchange_calendars
import pandas as pd
import pytest
from api_fixtures import Harness, assert_refused, harness_of

from paperdesk.data.clock import FixedClock
from paperdesk.service import Services
from paperdesk.store import Database

SATURDAY = datetime(2024, 12, 7, 15, 0, tzinfo=UTC)
MONDAY_IN_SESSION = datetime(2024, 12, 9, 15, 0, tzinfo=UTC)  # 10:00 New York
CLOSED = {
    "weekend": SATURDAY,
    "overnight": datetime(2024, 12, 10, 3, 0, tzinfo=UTC),  # Monday 22:00 New York
    "holiday": datetime(2024, 11, 28, 16, 0, tzinfo=UTC),  # Thanksgiving, 11:00 New York
    "early close": datetime(2024, 11, 29, 18, 30, tzinfo=UTC),  # 13:30, after the 13:00 close
}
MARKET = {"symbol": "SPY", "side": "buy", "quantity": "1", "type": "market"}
XNYS = exchange_calendars.get_calendar("XNYS", start="2020-01-01", end="2025-12-31")


def utc_text(moment: datetime | pd.Timestamp) -> str:
    return pd.Timestamp(moment).tz_convert("UTC").strftime("%Y-%m-%d %H:%M UTC")


def next_open(moment: datetime) -> pd.Timestamp:
    """The next XNYS open after ``moment``, as exchange_calendars computes it."""
    return XNYS.next_open(pd.Timestamp(moment))


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(SATURDAY)


@pytest.fixture
def api(database: Database, clock: FixedClock) -> Iterator[Harness]:
    harness = harness_of(Services(database=database, clock=clock))
    with harness.client:
        yield harness


def portfolio(api: Harness, symbol: str = "SPY", **settings: object) -> int:
    """A portfolio of ``symbol`` (hourly bars unless told otherwise; ``settings`` are run-file
    keys)."""
    return api.create_portfolio(
        name=symbol, symbols=[symbol], settings={"timeframe": "1h", **settings}
    )


def orders_path(portfolio_id: int) -> str:
    return f"/portfolios/{portfolio_id}/orders"


@pytest.mark.parametrize("when", list(CLOSED), ids=list(CLOSED))
def test_ioc_and_fok_are_refused_while_the_market_is_closed(
    api: Harness, clock: FixedClock, when: str
) -> None:
    moment = CLOSED[when]
    assert not XNYS.is_open_on_minute(pd.Timestamp(moment))
    if when == "holiday":
        assert moment.weekday() < 5
        assert not XNYS.is_session(pd.Timestamp(moment.date()))
    clock.set(moment)
    path = orders_path(portfolio(api))
    before = api.dump()
    for time_in_force in ("ioc", "fok"):
        refused = api.post(path, {**MARKET, "time_in_force": time_in_force})
        assert_refused(
            api,
            refused,
            409,
            "market_closed",
            "SPY",
            "XNYS",
            f"at {utc_text(moment)}",
            f"next opens at {utc_text(next_open(moment))}",
            f"{time_in_force} order",
            before=before,
        )


def test_ioc_and_fok_are_accepted_in_session_and_refused_after_the_close(
    api: Harness, clock: FixedClock
) -> None:
    clock.set(MONDAY_IN_SESSION)
    path = orders_path(portfolio(api))
    for time_in_force in ("ioc", "fok"):
        placed = api.post(path, {**MARKET, "time_in_force": time_in_force})
        assert placed.status_code == 201, placed.text
        assert placed.json()["orders"][0]["status"] == "accepted"
    close = XNYS.session_close(pd.Timestamp(MONDAY_IN_SESSION.date()))
    clock.set(close.to_pydatetime())  # the close itself is outside the session
    before = api.dump()
    refused = api.post(path, {**MARKET, "time_in_force": "ioc"})
    assert_refused(api, refused, 409, "market_closed", f"at {utc_text(close)}", before=before)


def test_day_and_gtc_orders_are_accepted_while_closed_and_wait_for_the_open(
    api: Harness,
) -> None:
    portfolio_id = portfolio(api)
    path = orders_path(portfolio_id)
    before = api.dump()
    refused = api.post(path, {**MARKET, "time_in_force": "ioc"})
    assert_refused(api, refused, 409, "market_closed", before=before)
    day = api.post(path, {**MARKET, "time_in_force": "day"})
    gtc = api.post(path, {**MARKET, "time_in_force": "gtc", "client_order_id": "queued"})
    assert (day.status_code, gtc.status_code) == (201, 201), (day.text, gtc.text)
    day_order, gtc_order = day.json()["orders"][0], gtc.json()["orders"][0]
    assert (day_order["status"], gtc_order["status"]) == ("accepted", "accepted")
    # a DAY order placed on Saturday lives until the close of Monday's session, its first
    first_session = XNYS.date_to_session(pd.Timestamp(SATURDAY.date()), direction="next")
    expected_close = XNYS.session_close(first_session)
    assert pd.Timestamp(day_order["ts_expire"]) == expected_close
    assert gtc_order["ts_expire"] is None
    listed = api.get(path, params={"status": "open"}).json()["items"]
    assert [o["time_in_force"] for o in listed] == ["day", "gtc"]


def test_a_24_7_market_is_never_closed(api: Harness) -> None:
    """The same Saturday that refuses SPY's IOC takes BTCUSD's (a 24/7 calendar)."""
    equity, crypto = portfolio(api), portfolio(api, "BTCUSD", timeframe="1m")
    before = api.dump()
    refused = api.post(orders_path(equity), {**MARKET, "time_in_force": "ioc"})
    assert_refused(api, refused, 409, "market_closed", before=before)
    coin = {**MARKET, "symbol": "BTCUSD", "quantity": "0.01"}
    for time_in_force in ("ioc", "fok"):
        placed = api.post(orders_path(crypto), {**coin, "time_in_force": time_in_force})
        assert placed.status_code == 201, placed.text


def test_daily_portfolios_keep_ioc_the_next_bar_including_a_replay_whose_clock_is_a_close(
    api: Harness,
) -> None:
    """A daily bar is a session: between two of them the market is always closed, so IOC on
    daily bars keeps meaning "the next bar, or cancel" (a replay's clock too: its last bar's
    close, outside the session by definition)."""
    hourly, daily = portfolio(api), portfolio(api, timeframe="1d")
    replay = portfolio(api, timeframe="1d", source="replay", replay_from="2021-03-01")
    api.services.portfolios.tick(replay, "SPY")
    before = api.dump()
    refused = api.post(orders_path(hourly), {**MARKET, "time_in_force": "ioc"})
    assert_refused(api, refused, 409, "market_closed", before=before)
    for portfolio_id in (daily, replay):
        placed = api.post(orders_path(portfolio_id), {**MARKET, "time_in_force": "ioc"})
        assert placed.status_code == 201, placed.text
    replayed_at = pd.Timestamp(placed.json()["orders"][0]["ts_submitted"])
    assert not XNYS.is_open_on_minute(replayed_at)  # the replay's clock, a daily close


def test_an_intraday_replay_is_judged_at_its_own_clock(api: Harness) -> None:
    """Ticked through 2021-03-30 on hourly bars (the service's clock a Saturday in 2024): in
    session at the first bar's close, closed at the last one's (16:00 New York)."""
    replay = portfolio(api, source="replay", replay_from="2021-03-30")
    path = orders_path(replay)
    limit = {**MARKET, "type": "limit", "limit_price": "1", "time_in_force": "ioc"}
    session = pd.Timestamp("2021-03-30")
    bars = 0
    while True:
        (tick,) = api.services.portfolios.tick(replay, "SPY")
        bars += 1
        if tick.ts_bar_close >= XNYS.session_close(session):
            break
        placed = api.post(path, limit)
        assert placed.status_code == 201, placed.text
        assert pd.Timestamp(placed.json()["orders"][0]["ts_submitted"]) == tick.ts_bar_close
    assert bars > 1
    before = api.dump()
    refused = api.post(path, limit)
    closed_at = tick.ts_bar_close
    assert_refused(
        api,
        refused,
        409,
        "market_closed",
        f"at {utc_text(closed_at)}",
        f"next opens at {utc_text(next_open(closed_at))}",
        before=before,
    )


def test_a_retried_refusal_stays_refused_and_is_not_kept_for_the_key(
    api: Harness, clock: FixedClock
) -> None:
    """A refused request stores nothing under its Idempotency-Key: the retry is judged
    afresh (refused again while closed), and once the market opens the same key places it."""
    path = orders_path(portfolio(api))
    body = {**MARKET, "time_in_force": "fok", "client_order_id": "retry-1"}
    key = {"Idempotency-Key": "closed-1"}
    before = api.dump()
    for _attempt in range(2):
        refused = api.client.post(
            "/api/v1" + path, json=body, headers=api.headers(api.trader, **key)
        )
        assert_refused(api, refused, 409, "market_closed", before=before)
        assert "Idempotent-Replayed" not in refused.headers
    clock.set(MONDAY_IN_SESSION)
    placed = api.post(path, body, **key)
    assert placed.status_code == 201, placed.text
    assert placed.json()["orders"][0]["client_order_id"] == "retry-1"
    again = api.post(path, body, **key)
    assert (again.status_code, again.json()) == (201, placed.json())
    assert again.headers["Idempotent-Replayed"] == "true"


def test_extended_hours_portfolios_are_judged_by_the_extended_session(
    api: Harness, clock: FixedClock
) -> None:
    """07:00 New York is outside the regular session but inside the extended one (from
    04:00); 21:00 is outside both, and the next open named is the next 04:00."""
    regular, extended = portfolio(api), portfolio(api, session="extended")
    pre_market = datetime(2024, 12, 9, 12, 0, tzinfo=UTC)
    clock.set(pre_market)
    before = api.dump()
    refused = api.post(orders_path(regular), {**MARKET, "time_in_force": "ioc"})
    assert_refused(api, refused, 409, "market_closed", before=before)
    placed = api.post(orders_path(extended), {**MARKET, "time_in_force": "ioc"})
    assert placed.status_code == 201, placed.text
    evening = datetime(2024, 12, 10, 2, 0, tzinfo=UTC)  # Monday 21:00 New York
    clock.set(evening)
    before = api.dump()
    refused = api.post(orders_path(extended), {**MARKET, "time_in_force": "ioc"})
    four_am = pd.Timestamp("2024-12-10 04:00", tz="America/New_York")
    assert_refused(
        api,
        refused,
        409,
        "market_closed",
        "extended hours",
        f"next opens at {utc_text(four_am)}",
        before=before,
    )


def test_the_openapi_document_names_market_closed_among_a_placements_conflicts(
    api: Harness,
) -> None:
    document = api.get("/openapi.json").json()
    placement = document["paths"]["/api/v1/portfolios/{portfolio_id}/orders"]["post"]
    conflict = placement["responses"]["409"]
    assert "market_closed" in conflict["description"]
    assert conflict["content"]["application/json"]["schema"]["$ref"].endswith("/ErrorOut")
