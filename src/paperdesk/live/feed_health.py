"""A live portfolio's feed health in the ledger: an event when it changes, read back for views.

Each refresh's state (``ok``, ``stale``, ``failing``) is compared with the portfolio's last
``feed.*`` event for the symbol; only a change is written (``feed.stale``, ``feed.failing``, or
``feed.recovered`` back to ok), with an audit entry, in one transaction holding the portfolio's
lock, so two workers refreshing at once announce a change once. The events leave through the
outbox after the commit like every other event (WebSocket clients, webhooks).
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from paperdesk.domain import FeedEvent, FeedFailing, FeedRecovered, FeedStale
from paperdesk.domain.records import OutboxEntry
from paperdesk.live.feed import FeedReport, FeedState
from paperdesk.store import Database

_STATE_OF_KIND = {
    "feed.stale": FeedState.STALE,
    "feed.failing": FeedState.FAILING,
    "feed.recovered": FeedState.OK,
}


def state_of(entry: OutboxEntry | None) -> FeedState:
    """The feed state a portfolio's last ``feed.*`` event left (ok when there is none)."""
    return FeedState.OK if entry is None else _STATE_OF_KIND[entry.kind]


def record_feed_state(
    database: Database, portfolio_id: int, report: FeedReport
) -> FeedEvent | None:
    """Write the event of a change of ``report.symbol``'s feed state (None: no change).

    The state is read first without a write transaction: a tick whose feed did not change (the
    usual case) takes no write lock for it."""
    with database.reading() as reader:
        latest = reader.latest_feed_events(portfolio_id).get(report.symbol)
    if state_of(latest) is report.state:
        return None
    with database.transaction() as repository:
        repository.portfolio(portfolio_id, lock=True)
        previous = state_of(repository.latest_feed_events(portfolio_id).get(report.symbol))
        if previous is report.state:
            return None
        event = feed_event(report)
        repository.writer.feed_event(portfolio_id, event, datetime.now(UTC))
        return event


def feed_event(report: FeedReport) -> FeedEvent:
    """The event announcing ``report``'s state."""
    age = report.age
    seconds = Decimal(0) if age is None else Decimal(int(age.total_seconds()))
    fields = (
        report.checked_at,
        report.symbol,
        report.timeframe,
        report.last_bar_close,
        seconds,
        report.reason,
    )
    if report.state is FeedState.STALE:
        return FeedStale(*fields)
    if report.state is FeedState.FAILING:
        return FeedFailing(*fields)
    return FeedRecovered(*fields)
