"""The live feed of a ``source=live`` portfolio: the newest closed bars, fetched from the price
providers before each tick and kept in the bar store with their provenance.

``LiveFeed.refresh`` asks the DataManager's provider rotation (priority, quotas, circuit
breakers) for the bars after the last one stored (the first time, a window of history for the
strategies' warm-up), keeps only bars closed on the clock (a forming bar is never stored, so it
never trades), writes the new ones through the store and the Parquet copy with the provider
that gave them and the fetch time, and says how healthy the feed is:

* ``failing``: every provider failed (outage, rate limit, bad answers);
* ``stale``: the calendar expected a bar after the last stored one more than ``stale_after``
  ago (see ``paperdesk.data.feed_age``), yet none came;
* ``ok`` otherwise.

The runner then trades the stored bars exactly once, as for any other source.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

import pandas as pd

from paperdesk.data.feed_age import overdue
from paperdesk.data.instruments import instrument_for
from paperdesk.data.manager import DataManager
from paperdesk.data.parquet_cache import write_through
from paperdesk.data.providers.aggregator import AllProvidersFailed
from paperdesk.data.providers.base import LatestPrice
from paperdesk.data.series import series_key
from paperdesk.domain import DataError, Timeframe

WARMUP_BARS = 300  # the history fetched for a series the store does not hold yet
DAILY_WARMUP = timedelta(days=450)  # ~300 sessions of daily bars


class FeedState(StrEnum):
    OK = "ok"
    STALE = "stale"
    FAILING = "failing"


@dataclass(frozen=True, slots=True)
class FeedReport:
    """What one refresh found (``stored``: new bars written; ``provider``: who answered)."""

    symbol: str
    timeframe: str
    checked_at: datetime
    state: FeedState
    last_bar_close: datetime | None
    overdue: timedelta
    stored: int
    provider: str | None
    reason: str

    @property
    def age(self) -> timedelta | None:
        """How old the newest stored bar is (None: no bar stored)."""
        if self.last_bar_close is None:
            return None
        return self.checked_at - self.last_bar_close


FeedHook = Callable[[FeedReport], None]
FEED_HOOKS: list[FeedHook] = []
"""Called with every refresh's report (metrics: see docs/live-data.md for the names)."""


class LiveFeed:
    """Fetches a live series' new closed bars into the store (see the module docstring)."""

    def __init__(self, manager: DataManager) -> None:
        if manager.store is None or manager.aggregator is None:
            raise DataError("a live feed needs a bar store and price providers")
        self.manager = manager

    def refresh(
        self,
        symbol: str,
        timeframe: str,
        *,
        stale_after: timedelta,
        asset_class: str | None = None,
    ) -> FeedReport:
        """Fetch and store ``symbol``'s bars closed since the last stored one; the report."""
        manager = self.manager
        store = manager.store
        assert store is not None
        name, frame_timeframe = series_key(symbol, timeframe)
        now = manager.now()
        held = store.date_range(name, frame_timeframe)
        start = held[1] if held is not None else now - _warmup(frame_timeframe)
        stored, provider, failure = 0, None, None
        try:
            result = manager.fetch_bars(name, frame_timeframe, start, now)
        except AllProvidersFailed as error:
            failure = error.reason
        else:
            attempts = result.attempts
            if result.stale:
                failure = "; ".join(f"{a.provider} {a.outcome}: {a.reason}" for a in attempts)
            else:
                provider = result.provider
                fresh = result.bars
                if held is not None:
                    fresh = fresh[fresh.index > pd.Timestamp(held[1])]
                if len(fresh) and provider is not None:
                    stored = write_through(
                        store, manager.parquet, fresh.drop(columns=["provider"], errors="ignore"),
                        symbol=name, timeframe=frame_timeframe, source=provider, fetched_at=now,
                        asset_class=asset_class,
                    )  # fmt: skip
                    manager.layers.invalidate(name, frame_timeframe)
        report = self._assess(
            name, frame_timeframe, now, stale_after, stored, provider, failure, asset_class
        )
        for hook in FEED_HOOKS:
            hook(report)
        return report

    def latest_prices(self, symbols: Iterable[str], timeframe: str) -> dict[str, LatestPrice]:
        """Each symbol's last price from the providers when it is newer than its last stored
        bar's close and not after the clock (marking between bars); a symbol no provider can
        price now is left out (it stays marked at its last close)."""
        aggregator = self.manager.aggregator
        assert aggregator is not None
        now = self.manager.now()
        prices: dict[str, LatestPrice] = {}
        for symbol in symbols:
            try:
                latest = aggregator.latest_price(symbol).price
            except DataError:
                continue
            last_close = self._last_close(*series_key(symbol, timeframe))
            if latest.ts <= now and (last_close is None or latest.ts > last_close):
                prices[symbol] = latest
        return prices

    def _assess(
        self,
        name: str,
        timeframe: str,
        now: datetime,
        stale_after: timedelta,
        stored: int,
        provider: str | None,
        failure: str | None,
        asset_class: str | None,
    ) -> FeedReport:
        last_close = self._last_close(name, timeframe)
        late = timedelta(0)
        if last_close is not None:
            calendar = instrument_for(name, asset_class).calendar
            late = overdue(last_close, now, timeframe, calendar)
        if failure is not None:
            state, reason = FeedState.FAILING, f"every provider failed: {failure}"
        elif last_close is None:
            state, reason = FeedState.STALE, f"no closed {name} {timeframe} bar is available yet"
        elif late > stale_after:
            state = FeedState.STALE
            reason = (
                f"no new {name} {timeframe} bar: the calendar expected one {_text(late)} ago "
                f"(last bar closed {last_close.isoformat()})"
            )
        else:
            state, reason = FeedState.OK, f"{stored} new bar(s) from {provider or 'no provider'}"
        return FeedReport(name, timeframe, now, state, last_close, late, stored, provider, reason)

    def _last_close(self, name: str, timeframe: str) -> datetime | None:
        """The close of the newest stored bar closed on the clock."""
        store = self.manager.store
        assert store is not None
        held = store.date_range(name, timeframe)
        if held is None:
            return None
        frame = store.read_bars(name, timeframe, held[1], held[1])
        if frame.empty:
            return None
        close = pd.Timestamp(frame["ts_close"].iloc[-1]).to_pydatetime()
        if close <= self.manager.now():
            return close
        # bars stored after the clock's time (a clock set back): the last closed one counts
        latest = self.manager.latest_bar(name, timeframe)
        return None if latest is None else latest.ts_close


def _warmup(timeframe: str) -> timedelta:
    parsed = Timeframe.parse(timeframe)
    return parsed.delta * WARMUP_BARS if parsed.is_intraday else DAILY_WARMUP


def _text(span: timedelta) -> str:
    seconds = int(span.total_seconds())
    if seconds >= 3600:
        return f"{seconds // 3600}h{seconds % 3600 // 60:02d}m"
    if seconds >= 60:
        return f"{seconds // 60}m{seconds % 60:02d}s"
    return f"{seconds}s"
