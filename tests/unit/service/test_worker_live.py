"""A ``source=live`` portfolio run by the worker (``paperdesk worker``'s rounds) against the
local fake provider server: each new bar trades once as it closes, an outage of the first
provider rotates to the second without a missed bar, and a stopped feed is reported stale."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from pathlib import Path

from live_harness import AFTER_PUBLISH, MACD, LiveDesk, close_of, live_desk, trade_dates
from paperdesk.config import RunConfig, SourceConfig
from paperdesk.domain import Side
from paperdesk.service.order_requests import OrderRequest
from paperdesk.service.worker import Worker
from paperdesk.store import Database

START = "2019-12-27"
DAYS = trade_dates("2019-12-30", "2020-01-10")


def _round(desk: LiveDesk, worker: Worker, moment: object) -> int:
    """One worker round at ``moment``; how many bars it traded."""
    desk.clock.set(moment)  # type: ignore[arg-type]
    return sum(done.bars for done in worker.run_round().portfolios)


def test_the_worker_trades_each_live_bar_once_rotates_past_an_outage_and_reports_staleness(
    database: Database, tmp_path: Path
) -> None:
    with live_desk(database, tmp_path, close_of(START) + AFTER_PUBLISH) as desk:
        pid = desk.create(stale_after="10m")
        worker = Worker(desk.services.portfolios, clock=desk.clock, interval=60.0)
        yahoo, polygon = desk.providers.yahoo, desk.providers.polygon

        assert _round(desk, worker, close_of(START) + AFTER_PUBLISH) == 1
        for index, day in enumerate(DAYS[:6]):
            close = close_of(day)
            # while the session runs, the forming bar never trades
            assert _round(desk, worker, close - timedelta(hours=1)) == 0
            yahoo.outage = index in (2, 3)  # HTTP 500 from the first provider on two days
            assert _round(desk, worker, close + AFTER_PUBLISH) == 1
            assert _round(desk, worker, close + AFTER_PUBLISH + timedelta(minutes=2)) == 0
        assert desk.processed() == [START, *DAYS[:6]]  # each bar once, in order
        sources = desk.stored()["source"]
        assert {sources[close_of(day).strftime("%Y-%m-%d")] for day in DAYS[2:4]} == {"polygon"}
        assert desk.feed_events() == []

        yahoo.frozen_at = polygon.frozen_at = close_of(DAYS[5])  # no provider has a new bar
        # the worker still ticks within the grace after the close, so it sees the bar is late
        assert _round(desk, worker, close_of(DAYS[6]) + timedelta(minutes=12)) == 0
        assert [event.kind for event in desk.feed_events()] == ["feed.stale"]
        assert desk.services.portfolios.show(pid).feeds[0].state == "stale"


def test_a_live_portfolio_without_a_watch_list_is_fed_and_ticked_for_what_it_holds(
    database: Database, tmp_path: Path
) -> None:
    with live_desk(database, tmp_path, close_of(START) + AFTER_PUBLISH) as desk:
        portfolios = desk.services.portfolios
        settings = RunConfig(symbols=(), strategies=MACD, source=SourceConfig("live"))
        pid = portfolios.create_portfolio("by hand", Decimal(10000), settings=settings)
        portfolios.tick(pid, "SPY")  # the trader's own tick fetches SPY's bars
        portfolios.place_order(pid, OrderRequest("SPY", Side.BUY, Decimal(2)))
        worker = Worker(portfolios, clock=desk.clock, interval=60.0)

        assert _round(desk, worker, close_of(DAYS[0]) + AFTER_PUBLISH) == 1
        assert [(p.symbol, p.quantity) for p in portfolios.show(pid).positions] == [
            ("SPY", Decimal(2))
        ]
        assert _round(desk, worker, close_of(DAYS[1]) + AFTER_PUBLISH) == 1
        runs = portfolios.tick_runs(pid)
        assert [run.ts_bar.date().isoformat() for run in runs] == [START, *DAYS[:2]]
        assert [feed.symbol for feed in portfolios.show(pid).feeds] == ["SPY"]
