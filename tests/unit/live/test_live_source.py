"""``source=live``: a portfolio fed by the price providers (a local fake server speaking Yahoo's
and Polygon's formats) trades each bar once as it closes, rotates past an outage without
missing a bar, and reports a stale or failing feed (event and view), then recovers."""

from __future__ import annotations

import logging
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest

from live_harness import (
    AFTER_PUBLISH,
    MACD,
    SPY,
    close_of,
    live_desk,
    processed_bars,
    trade_dates,
)
from paperdesk.config import RunConfig, SourceConfig
from paperdesk.data.clock import SimulatedClock
from paperdesk.domain.ticks import TickStatus
from paperdesk.service.portfolios import PortfolioService
from paperdesk.store import Database

START = "2019-12-27"
DAYS = trade_dates("2019-12-30", "2020-01-09")


def test_each_new_bar_trades_once_as_it_closes_none_early_none_twice(
    database: Database, tmp_path: Path
) -> None:
    with live_desk(database, tmp_path, close_of(START) + AFTER_PUBLISH) as desk:
        desk.providers.yahoo.publish_delay = timedelta(seconds=30)  # late bars
        pid = desk.create()
        stored = desk.stored()
        assert stored.index[-1] == pd.Timestamp(START, tz="UTC")  # the warm-up, no later bar
        assert set(stored["source"]) == {"yahoo"}
        first = desk.tick_at(close_of(START) + AFTER_PUBLISH)
        assert processed_bars(first) == [START]
        for index, day in enumerate(DAYS):
            close = close_of(day)
            if index < 3:  # probe the first days before and around their close
                forming = desk.tick_at(close - timedelta(hours=2))  # the session is open
                late = desk.tick_at(close + timedelta(seconds=10))  # closed, not published
                assert processed_bars(forming) == processed_bars(late) == []
                assert [t.status for t in late] == [TickStatus.ALREADY_PROCESSED]
                assert desk.stored().index[-1] < pd.Timestamp(day, tz="UTC")  # none forming
            published = desk.tick_at(close + timedelta(seconds=40))
            assert processed_bars(published) == [day]
            assert published[0].ts_bar_close == close
            if index < 3:
                again = desk.tick_at(close + AFTER_PUBLISH)
                assert [t.status for t in again] == [TickStatus.ALREADY_PROCESSED]
        assert desk.processed() == [START, *DAYS]
        bars = desk.stored()
        assert set(bars["source"]) == {"yahoo"}
        for day in DAYS:  # provenance: each bar fetched after it closed and was published
            fetched = bars.loc[pd.Timestamp(day, tz="UTC"), "fetched_at"]
            assert fetched == close_of(day) + timedelta(seconds=40)
        live_fills = [
            (f.ts, f.side, f.quantity, f.price) for f in desk.services.portfolios.fills(pid)
        ]
    assert live_fills  # macd-cross trades in this window
    assert live_fills == _bundled_run_fills(tmp_path)  # the same bars, the same trades


def _bundled_run_fills(tmp_path: Path) -> list[tuple[object, ...]]:
    """The same strategy on the bundled SPY file, ticked after each close (the reference)."""
    clock = SimulatedClock(close_of(START) + AFTER_PUBLISH)
    reference = Database(f"sqlite:///{tmp_path / 'reference.db'}")
    service = PortfolioService(reference, clock=clock)
    settings = RunConfig(symbols=("SPY",), strategies=MACD, source=SourceConfig("bundled"))
    pid = service.create_portfolio("reference", Decimal(10000), settings=settings)
    service.tick(pid, "SPY")
    for day in DAYS:
        clock.set(close_of(day) + AFTER_PUBLISH)
        service.tick(pid, "SPY")
    fills = [(f.ts, f.side, f.quantity, f.price) for f in service.fills(pid)]
    reference.close()
    return fills


def test_an_outage_of_the_first_provider_rotates_to_the_second_missing_no_bar(
    database: Database, tmp_path: Path
) -> None:
    with live_desk(
        database,
        tmp_path,
        close_of(START) + AFTER_PUBLISH,
        provider_timeout=2.0,  # a loaded machine answers in time
    ) as desk:
        desk.create()
        desk.tick_at(close_of(START) + AFTER_PUBLISH)
        yahoo, polygon = desk.providers.yahoo, desk.providers.polygon
        yahoo.outage = True  # HTTP 500
        assert processed_bars(desk.tick_at(close_of(DAYS[0]) + AFTER_PUBLISH)) == [DAYS[0]]
        yahoo.outage, yahoo.stall = False, 60.0  # answers too late: a timeout
        assert processed_bars(desk.tick_at(close_of(DAYS[1]) + AFTER_PUBLISH)) == [DAYS[1]]
        yahoo.stall, yahoo.retry_after = None, 3600  # rate limited for an hour
        assert processed_bars(desk.tick_at(close_of(DAYS[2]) + AFTER_PUBLISH)) == [DAYS[2]]
        asked = len(yahoo.requests)
        yahoo.retry_after = None  # Yahoo would answer again, but its Retry-After still holds
        assert processed_bars(desk.tick_at(close_of(DAYS[2]) + timedelta(minutes=30))) == []
        assert len(yahoo.requests) == asked  # not asked again within Retry-After
        assert processed_bars(desk.tick_at(close_of(DAYS[3]) + AFTER_PUBLISH)) == [DAYS[3]]
        assert desk.processed() == [START, *DAYS[:4]]
        sources = desk.stored()["source"]
        by_day = {day: sources[pd.Timestamp(day, tz="UTC")] for day in DAYS[:4]}
        assert by_day == {
            DAYS[0]: "polygon",
            DAYS[1]: "polygon",
            DAYS[2]: "polygon",
            DAYS[3]: "yahoo",
        }
        assert len(polygon.requests) == 4  # each tick Yahoo could not serve, and only those
        assert desk.feed_events() == []  # a rotation is not a failing feed
        assert desk.services.portfolios.show(desk.portfolio_id).feeds[0].state == "ok"


def test_a_stopped_feed_is_reported_stale_then_failing_and_recovers(
    database: Database, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with live_desk(database, tmp_path, close_of(START) + AFTER_PUBLISH) as desk:
        pid = desk.create(stale_after="30m")
        desk.tick_at(close_of(START) + AFTER_PUBLISH)
        frozen = close_of(DAYS[0])
        desk.providers.yahoo.frozen_at = desk.providers.polygon.frozen_at = frozen
        desk.tick_at(frozen + AFTER_PUBLISH)
        within = desk.tick_at(close_of(DAYS[1]) + timedelta(minutes=20))  # not yet 30m late
        assert processed_bars(within) == []
        assert desk.feed_events() == []
        with caplog.at_level(logging.WARNING, logger="paperdesk.live.feed"):
            stale = desk.tick_at(close_of(DAYS[1]) + timedelta(minutes=31))
        assert processed_bars(stale) == []
        assert "SPY 1d feed is stale" in caplog.text
        [event] = desk.feed_events()
        assert event.kind == "feed.stale"
        assert event.payload["symbol"] == "SPY"
        assert event.payload["last_bar_close"] == frozen.isoformat()
        expected_age = close_of(DAYS[1]) + timedelta(minutes=31) - frozen
        assert Decimal(event.payload["age_seconds"]) == int(expected_age.total_seconds())
        view = desk.services.portfolios.show(pid).feeds[0]
        assert (view.state, view.last_bar_close) == ("stale", frozen)
        desk.tick_at(close_of(DAYS[1]) + timedelta(minutes=40))  # still stale: no new event
        assert len(desk.feed_events()) == 1

        desk.providers.yahoo.outage = desk.providers.polygon.outage = True
        desk.tick_at(close_of(DAYS[2]) + AFTER_PUBLISH)
        assert [e.kind for e in desk.feed_events()] == ["feed.stale", "feed.failing"]
        assert desk.services.portfolios.show(pid).feeds[0].state == "failing"

        for script in (desk.providers.yahoo, desk.providers.polygon):
            script.outage, script.frozen_at = False, None
        caught_up = desk.tick_at(close_of(DAYS[3]) + AFTER_PUBLISH)
        assert processed_bars(caught_up) == DAYS[1:4]  # every missed bar, in order, once
        assert desk.processed() == [START, *DAYS[:4]]
        kinds = [e.kind for e in desk.feed_events()]
        assert kinds == ["feed.stale", "feed.failing", "feed.recovered"]
        assert desk.services.portfolios.show(pid).feeds[0].state == "ok"


def test_marking_between_bars_uses_the_providers_last_price(
    database: Database, tmp_path: Path
) -> None:
    with live_desk(database, tmp_path, close_of(START) + AFTER_PUBLISH) as desk:
        pid = desk.create()
        for day in (START, *DAYS[:4]):  # macd-cross buys on 2020-01-02, filled on the 3rd
            desk.tick_at(close_of(day) + AFTER_PUBLISH)
        [position] = desk.services.portfolios.show(pid).positions
        forming = DAYS[4]
        desk.clock.set(close_of(forming) - timedelta(hours=3))  # its session is open
        point = desk.services.portfolios.mark_to_market(pid)
        last_trade = Decimal(str(SPY.loc[pd.Timestamp(forming, tz="UTC"), "open"]))
        assert point.positions_value == position.quantity * last_trade
        assert last_trade != position.last_price  # not the last bar's close
        entry = desk.services.portfolios.audit(pid)[-1]
        assert entry.kind == "portfolio.marked"
        assert entry.details["between_bars"]["SPY"]["provider"] == "yahoo"
        assert desk.processed() == [START, *DAYS[:4]]  # marking trades nothing
