"""Live market data for ``source=live`` portfolios: refresh before a tick, warn, show health.

The portfolio service calls ``refresh_live_feed`` before each tick of a live portfolio (the CLI's
``tick`` and ``run`` and the worker all tick through it): the feed fetches the new closed bars
into the bar store, and a feed that is stale or failing is logged as a warning, counted by the
feed hooks (metrics) and, when its state changed, announced by a ``feed.*`` event. The
portfolio's view reads the last state of each symbol's feed back (``feed_health``).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime, timedelta
from decimal import Decimal

from paperdesk.config import RunConfig
from paperdesk.data.feed_age import default_stale_after
from paperdesk.live.feed import FeedReport, FeedState, LiveFeed
from paperdesk.live.feed_health import record_feed_state, state_of
from paperdesk.service.views import FeedHealth
from paperdesk.store import Database, LedgerRepository

log = logging.getLogger("paperdesk.live.feed")


def live_portfolios_on(database: Database, symbol: str, timeframe: str) -> tuple[int, ...]:
    """The live portfolios (not archived) trading ``symbol`` on ``timeframe`` bars: those for
    which the series is a feed meant to be current; any other series is history, whatever its
    age (``QualityReport.of_feed``)."""
    from paperdesk.domain import Timeframe

    wanted, name = Timeframe.parse(timeframe), symbol.strip().upper()
    with database.reading() as repository:
        records = repository.portfolios()
    found = []
    for record in records:
        settings = RunConfig.from_json(record.settings)
        if (
            settings.source.kind == "live"
            and name in {watched.strip().upper() for watched in settings.symbols}
            and Timeframe.parse(settings.bar_timeframe) == wanted
        ):
            found.append(record.id)
    return tuple(found)


def stale_after(settings: RunConfig) -> timedelta:
    """The portfolio's tolerated lag (``--stale-after``), else the timeframe's default."""
    seconds = settings.source.stale_after
    if seconds is None:
        return default_stale_after(settings.bar_timeframe)
    return timedelta(seconds=float(seconds))


def fetch_live_bars(feed: LiveFeed, settings: RunConfig, symbol: str) -> FeedReport:
    """Refresh ``symbol``'s bars for ``settings`` (no portfolio yet: nothing is recorded)."""
    return feed.refresh(
        symbol,
        settings.bar_timeframe,
        stale_after=stale_after(settings),
        asset_class=settings.source.asset_class_of(symbol),
    )


def refresh_live_feed(
    database: Database, feed: LiveFeed, portfolio_id: int, settings: RunConfig, symbol: str
) -> FeedReport:
    """Refresh, warn when the feed is not ok, and record a change of its state."""
    report = fetch_live_bars(feed, settings, symbol)
    if report.state is not FeedState.OK:
        log.warning(
            "portfolio %s: the live %s %s feed is %s: %s",
            portfolio_id, report.symbol, report.timeframe, report.state.value, report.reason,
        )  # fmt: skip
    event = record_feed_state(database, portfolio_id, report)
    if event is not None:
        log.info("portfolio %s: live %s feed is now %s", portfolio_id, symbol, report.state.value)
    return report


def feed_health(
    repository: LedgerRepository,
    portfolio_id: int,
    settings: RunConfig,
    symbols: Sequence[str],
    now: datetime,
) -> tuple[FeedHealth, ...]:
    """The feed of each of ``symbols`` (the watched ones and those traded outside the watch
    list): its state as its last ``feed.*`` event left it (ok when it never changed), and the
    newest stored bar's close and its age at ``now`` from the bar store (one read), so a feed
    that never changed state shows its last bar too. A live portfolio only; other sources
    have no feed."""
    if settings.source.kind != "live":
        return ()
    latest = repository.latest_feed_events(portfolio_id)
    closes = repository.newest_bar_closes(symbols, settings.bar_timeframe, now)
    views = []
    for symbol in symbols:
        entry = latest.get(symbol)
        last_close = closes.get(symbol.strip().upper())
        age = None if last_close is None else Decimal(int((now - last_close).total_seconds()))
        if entry is None:
            views.append(FeedHealth(symbol, FeedState.OK.value, None, last_close, age, ""))
            continue
        views.append(
            FeedHealth(
                symbol=symbol,
                state=state_of(entry).value,
                since=entry.ts_event,
                last_bar_close=last_close,
                age_seconds=age,
                reason=str(entry.payload.get("reason", "")),
            )
        )
    return tuple(views)
