"""A live portfolio's feed card in a real browser, against its own ``paperdesk serve`` whose
only provider is the local fake Yahoo (``tests/provider_server.py``, serving the bundled SPY
days moved by whole weeks to run past today): the card shows the API's feed state, last bar
close and age, and follows the stream's ``feed_alert`` events with no reload (ok, then stale,
then failing); a replay portfolio has no card (docs/dashboard.md)."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pandas as pd
import pytest
from browser_support import DashboardServer, running_server, screenshot, sign_in
from playwright.sync_api import Locator, Page, expect
from trading_support import choose_portfolio

from market_fakes import bundled
from provider_server import FakeProviders, Series, provider_server


@dataclasses.dataclass
class LiveServer:
    server: DashboardServer
    providers: FakeProviders
    live: int
    replay: int


def spy_days_to_come() -> pd.DataFrame:
    """The bundled SPY days moved by whole weeks (weekdays kept) to end a month from now: the
    fake provider publishes each as the wall clock passes its close, as a live feed's would."""
    bars = bundled("SPY", "1d")
    weeks = (pd.Timestamp.now(tz="UTC") - bars["ts_close"].iloc[-1]).days // 7 + 4
    shift = pd.Timedelta(weeks=weeks)
    moved = bars.assign(ts_close=bars["ts_close"] + shift)
    moved.index = bars.index + shift
    return moved


@pytest.fixture(scope="module")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    providers = FakeProviders(
        lambda: datetime.now(UTC), {"SPY": Series(spy_days_to_come(), daily=True)}
    )
    providers.yahoo.frozen_at = datetime.now(UTC) - timedelta(days=7)  # the feed stopped
    home = tmp_path_factory.mktemp("live-home")
    with (
        provider_server(providers) as url,
        running_server(
            home, PAPERDESK_PROVIDERS="yahoo", PAPERDESK_YAHOO_URL=f"{url}/yahoo"
        ) as server,
    ):
        desk = {"cash": "25000", "symbols": ["SPY"], "strategies": ["macd-cross"]}
        live = server.post("/portfolios", {**desk, "name": "live", "settings": {"source": "live"}})
        replay = server.post(
            "/portfolios",
            {
                **desk,
                "name": "replay",
                "settings": {"source": "replay", "replay_from": "2020-01-02"},
            },
        )
        yield LiveServer(server, providers, live["summary"]["id"], replay["summary"]["id"])


def feed_of(live: LiveServer) -> dict[str, Any]:
    [feed] = live.server.get(f"/portfolios/{live.live}", live.server.reader)["feeds"]
    assert feed["symbol"] == "SPY"
    return dict(feed)


def tick(live: LiveServer) -> None:
    """A tick of the live portfolio: its feed is refreshed first (docs/live-data.md)."""
    answer = live.server.api("POST", f"/portfolios/{live.live}/ticks", live.server.trader, json={})
    assert answer.status_code == 200, answer.text


def utc_text(iso: str) -> str:
    """How the page writes a time: ``2021-03-31 20:00 UTC``."""
    moment = datetime.fromisoformat(iso.replace("Z", "+00:00")).astimezone(UTC)
    return moment.strftime("%Y-%m-%d %H:%M UTC")


def expect_card(card: Locator, feed: dict[str, Any]) -> None:
    """The card shows ``feed`` (the API's): state, last bar close, reason, since when, and the
    age the API gave when the page read it (the test's own read came a moment apart)."""
    expect(card).to_have_attribute("data-state", feed["state"], timeout=15_000)
    expect(card.locator("[data-field='last-bar']")).to_have_text(
        f"last bar {utc_text(feed['last_bar_close'])}"
    )
    if feed["reason"]:
        expect(card.locator("[data-field='reason']")).to_have_text(feed["reason"])
    if feed["since"] is not None:
        expect(card.locator("[data-field='since']")).to_have_text(
            f"since {utc_text(feed['since'])}"
        )
    shown = card.locator("[data-field='age']").get_attribute("title") or ""
    assert shown.endswith(" s"), shown
    assert abs(int(shown[:-2]) - int(feed["age_seconds"])) <= 120


def test_the_feed_card_follows_the_feeds_state_over_the_stream(
    page: Page, live_server: LiveServer
) -> None:
    server = live_server.server
    sign_in(page, server, server.reader, "orders")
    choose_portfolio(page, live_server.live, "orders")
    page.wait_for_selector("#connection[data-state='open']")
    card = page.locator("#feeds .feed[data-symbol='SPY']")
    first = feed_of(live_server)
    assert first["state"] == "ok"  # no feed event yet
    expect_card(card, first)

    tick(live_server)  # no bar for a week: the calendar expected some
    stale = feed_of(live_server)
    assert stale["state"] == "stale"
    expect_card(card, stale)  # from the stream's feed_alert, no reload

    live_server.providers.yahoo.outage = True  # every provider failing
    tick(live_server)
    failing = feed_of(live_server)
    assert failing["state"] == "failing"
    expect_card(card, failing)
    screenshot(page, "feeds", "desktop", "light")

    choose_portfolio(page, live_server.replay, "orders")  # a replay has no feed: no card
    page.wait_for_selector("#view[data-loaded='true']")
    expect(page.locator("#feeds")).to_have_count(0)
