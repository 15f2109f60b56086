"""A feed's change of state is announced once: only a change writes an event, and two workers
recording the same change at once write one (the portfolio's lock)."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from paperdesk.domain import FeedRecovered, FeedStale
from paperdesk.live.feed import FeedReport, FeedState
from paperdesk.live.feed_health import record_feed_state
from paperdesk.service.portfolios import PortfolioService
from paperdesk.store import Database

CHECKED = datetime(2020, 1, 6, 22, tzinfo=UTC)
LAST_CLOSE = datetime(2020, 1, 3, 21, tzinfo=UTC)


def _report(state: FeedState) -> FeedReport:
    late = timedelta(hours=1) if state is FeedState.STALE else timedelta(0)
    return FeedReport("SPY", "1d", CHECKED, state, LAST_CLOSE, late, 0, None, f"{state} feed")


def _feed_kinds(database: Database, portfolio_id: int) -> list[str]:
    with database.reading() as repository:
        entries = repository.outbox(portfolio_id=portfolio_id)
    return [entry.kind for entry in entries if entry.kind.startswith("feed.")]


def test_only_a_change_of_state_writes_an_event(database: Database) -> None:
    pid = PortfolioService(database).create_portfolio("feeds", Decimal(1000))
    assert record_feed_state(database, pid, _report(FeedState.OK)) is None  # ok from the start
    stale = record_feed_state(database, pid, _report(FeedState.STALE))
    assert isinstance(stale, FeedStale)
    assert stale.age_seconds == Decimal((CHECKED - LAST_CLOSE).total_seconds())
    assert record_feed_state(database, pid, _report(FeedState.STALE)) is None
    assert isinstance(record_feed_state(database, pid, _report(FeedState.OK)), FeedRecovered)
    assert _feed_kinds(database, pid) == ["feed.stale", "feed.recovered"]
    with database.reading() as repository:
        audited = [entry.kind for entry in repository.audit(pid)]
    assert audited.count("feed.stale") == audited.count("feed.recovered") == 1


def test_two_workers_recording_the_same_change_write_one_event(database: Database) -> None:
    pid = PortfolioService(database).create_portfolio("feeds", Decimal(1000))
    start = threading.Barrier(2)
    results: list[object] = []

    def record() -> None:
        start.wait()
        results.append(record_feed_state(database, pid, _report(FeedState.STALE)))

    workers = [threading.Thread(target=record) for _ in range(2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert sorted(type(result).__name__ for result in results) == ["FeedStale", "NoneType"]
    assert _feed_kinds(database, pid) == ["feed.stale"]
