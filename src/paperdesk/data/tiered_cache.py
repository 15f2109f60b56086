"""A near in-process cache in front of a shared one (Redis): hot reads skip the decoding.

A process that reads the same history every tick (the live runner) gets it from memory; other
processes still share the far cache. The near entries live a few seconds at most, so an import
made by another process (which invalidates the far cache) is seen almost at once; an
invalidation made here clears both.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import pandas as pd

from paperdesk.data.cache import (
    DEFAULT_BARS_TTL,
    DEFAULT_PRICE_TTL,
    CachedPrice,
    InProcessCache,
    MarketCache,
)

NEAR_TTL_SECONDS = 5.0


class TieredCache:
    """``near`` (in-process, short-lived) over ``far`` (shared); both hold every entry."""

    def __init__(
        self,
        far: MarketCache,
        near: InProcessCache | None = None,
        near_ttl: float = NEAR_TTL_SECONDS,
    ) -> None:
        self.far = far
        self.near = near or InProcessCache()
        self.near_ttl = near_ttl

    def latest_price(self, symbol: str) -> CachedPrice | None:
        found = self.near.latest_price(symbol)
        return found if found is not None else self.far.latest_price(symbol)

    def put_latest_price(
        self,
        symbol: str,
        price: Decimal,
        at: datetime,
        source: str,
        ttl_seconds: float = DEFAULT_PRICE_TTL,
    ) -> None:
        self.far.put_latest_price(symbol, price, at, source, ttl_seconds)
        self.near.put_latest_price(symbol, price, at, source, min(ttl_seconds, self.near_ttl))

    def recent_bars(self, symbol: str, timeframe: str) -> pd.DataFrame | None:
        found = self.near.recent_bars(symbol, timeframe)
        if found is not None:
            return found
        frame = self.far.recent_bars(symbol, timeframe)
        if frame is not None:
            self.near.put_recent_bars(symbol, timeframe, frame, self.near_ttl)
        return frame

    def put_recent_bars(
        self,
        symbol: str,
        timeframe: str,
        frame: pd.DataFrame,
        ttl_seconds: float = DEFAULT_BARS_TTL,
    ) -> None:
        self.far.put_recent_bars(symbol, timeframe, frame, ttl_seconds)
        self.near.put_recent_bars(symbol, timeframe, frame, min(ttl_seconds, self.near_ttl))

    def invalidate(self, symbol: str, timeframe: str | None = None) -> None:
        self.near.invalidate(symbol, timeframe)
        self.far.invalidate(symbol, timeframe)
