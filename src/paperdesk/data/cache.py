"""A cache for latest prices and recent bars: Redis when a Redis URL is given, else in-process.

Both implementations keep prices exactly (``Decimal``) and bar frames whole (index, time zones,
dtypes, ``ts_close``, ``provider`` and ``attrs``), and both expire entries after a TTL. The
in-process cache is bounded (least recently used entries are evicted first) and takes an
injectable monotonic clock. ``RedisCache`` (in ``paperdesk.data.redis_cache``) degrades to a miss
and a logged warning when the server goes away; it never raises on a cache call.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Protocol, runtime_checkable

import pandas as pd

from paperdesk.domain import InvalidInputError

if TYPE_CHECKING:
    from paperdesk.data.redis_cache import RedisCache

log = logging.getLogger(__name__)

DEFAULT_PRICE_TTL = 15.0
DEFAULT_BARS_TTL = 300.0
DEFAULT_MAX_ENTRIES = 1024
MonotonicClock = Callable[[], float]


@dataclass(frozen=True)
class CachedPrice:
    """A latest price as it was cached: the exact value, when it was observed, who gave it."""

    symbol: str
    price: Decimal
    at: datetime
    source: str


@runtime_checkable
class MarketCache(Protocol):
    """Latest prices and recent bar frames, each with a time to live."""

    def latest_price(self, symbol: str) -> CachedPrice | None: ...

    def put_latest_price(
        self,
        symbol: str,
        price: Decimal,
        at: datetime,
        source: str,
        ttl_seconds: float = DEFAULT_PRICE_TTL,
    ) -> None: ...

    def recent_bars(self, symbol: str, timeframe: str) -> pd.DataFrame | None: ...

    def put_recent_bars(
        self,
        symbol: str,
        timeframe: str,
        frame: pd.DataFrame,
        ttl_seconds: float = DEFAULT_BARS_TTL,
    ) -> None: ...

    def invalidate(self, symbol: str, timeframe: str | None = None) -> None:
        """Forget ``symbol``'s bars at ``timeframe``; with no timeframe, its price and all bars."""
        ...


def check_price(price: Decimal, at: datetime, ttl_seconds: float) -> None:
    """Reject what must never be cached: non-Decimal or non-finite prices, naive times, bad TTLs."""
    if not isinstance(price, Decimal) or not price.is_finite():
        raise InvalidInputError(f"a cached price must be a finite Decimal, not {price!r}")
    if at.tzinfo is None:
        raise InvalidInputError("a cached price's time must be timezone-aware")
    check_ttl(ttl_seconds)


def check_ttl(ttl_seconds: float) -> None:
    if not ttl_seconds > 0:
        raise InvalidInputError(f"ttl_seconds must be positive, not {ttl_seconds!r}")


_Key = tuple[str, ...]


class InProcessCache:
    """A bounded LRU dictionary with per-entry expiry, safe to share between threads.

    Frames are copied on the way in and on the way out, so callers cannot change what is cached.
    """

    def __init__(
        self,
        max_entries: int = DEFAULT_MAX_ENTRIES,
        *,
        clock: MonotonicClock = time.monotonic,
    ) -> None:
        if max_entries < 1:
            raise InvalidInputError(f"max_entries must be at least 1, not {max_entries}")
        self.max_entries = max_entries
        self.clock = clock
        self._entries: OrderedDict[_Key, tuple[float, object]] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        with self._lock:
            self._purge_expired(self.clock())
            return len(self._entries)

    def latest_price(self, symbol: str) -> CachedPrice | None:
        value = self._get(("price", symbol))
        return value if isinstance(value, CachedPrice) else None

    def put_latest_price(
        self,
        symbol: str,
        price: Decimal,
        at: datetime,
        source: str,
        ttl_seconds: float = DEFAULT_PRICE_TTL,
    ) -> None:
        check_price(price, at, ttl_seconds)
        self._put(("price", symbol), CachedPrice(symbol, price, at, source), ttl_seconds)

    def recent_bars(self, symbol: str, timeframe: str) -> pd.DataFrame | None:
        value = self._get(("bars", symbol, timeframe))
        return value.copy(deep=True) if isinstance(value, pd.DataFrame) else None

    def put_recent_bars(
        self,
        symbol: str,
        timeframe: str,
        frame: pd.DataFrame,
        ttl_seconds: float = DEFAULT_BARS_TTL,
    ) -> None:
        check_ttl(ttl_seconds)
        self._put(("bars", symbol, timeframe), frame.copy(deep=True), ttl_seconds)

    def invalidate(self, symbol: str, timeframe: str | None = None) -> None:
        with self._lock:
            if timeframe is not None:
                self._entries.pop(("bars", symbol, timeframe), None)
                return
            doomed = [key for key in self._entries if key[1] == symbol]
            for key in doomed:
                del self._entries[key]

    def ttl_left(self, symbol: str, timeframe: str | None = None) -> float | None:
        """Seconds until the price (or the bars at ``timeframe``) expire; None if not cached."""
        key = ("price", symbol) if timeframe is None else ("bars", symbol, timeframe)
        with self._lock:
            entry = self._entries.get(key)
            left = None if entry is None else entry[0] - self.clock()
            return left if left is not None and left > 0 else None

    def _get(self, key: _Key) -> object | None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            expires, value = entry
            if self.clock() >= expires:
                del self._entries[key]
                return None
            self._entries.move_to_end(key)
            return value

    def _put(self, key: _Key, value: object, ttl_seconds: float) -> None:
        with self._lock:
            now = self.clock()
            self._entries[key] = (now + ttl_seconds, value)
            self._entries.move_to_end(key)
            if len(self._entries) > self.max_entries:
                self._purge_expired(now)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)

    def _purge_expired(self, now: float) -> None:
        expired = [key for key, (expires, _) in self._entries.items() if now >= expires]
        for key in expired:
            del self._entries[key]


def open_market_cache(redis_url: str | None, *, prefix: str = "paperdesk:") -> MarketCache:
    """``RedisCache`` on ``redis_url`` (keys under ``prefix``) when it is given and answers a
    ping, else ``InProcessCache`` (an unreachable Redis is logged as a warning, not an error)."""
    url = (redis_url or "").strip()
    if not url:
        return InProcessCache()
    from paperdesk.data.redis_cache import RedisCache

    try:
        cache = RedisCache(url, prefix=prefix)
    except ValueError as error:  # a malformed URL
        log.warning("REDIS_URL is not usable (%s); using the in-process cache", error)
        return InProcessCache()
    if not cache.ping():
        log.warning("Redis at %s does not answer; using the in-process cache", cache.location)
        cache.close()
        return InProcessCache()
    return cache


def __getattr__(name: str) -> type[RedisCache]:
    """``from paperdesk.data.cache import RedisCache`` works without importing redis eagerly."""
    if name == "RedisCache":
        from paperdesk.data.redis_cache import RedisCache

        return RedisCache
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
