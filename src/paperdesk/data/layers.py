"""Where the DataManager finds bars: the recent-bars cache, the Parquet cache, the store, then
the bundled sample file, in that order.

The first layer holding bars in the asked range wins. A frame read from a slower layer is put
in the recent-bars cache with the range it covers (``covers_start``/``covers_end`` in its
attrs, None for an open bound), so a later request inside that range is a cache hit; bundled
files are cached whole. Nothing here filters by time: the manager keeps only closed bars.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

import pandas as pd

from paperdesk.data.bar_store import BarStore, copied_to_cache
from paperdesk.data.bundled import find_bundled, find_bundled_quotes
from paperdesk.data.cache import DEFAULT_BARS_TTL, MarketCache
from paperdesk.data.csv_source import load_bars
from paperdesk.data.instruments import calendar_or_default
from paperdesk.data.parquet_cache import ParquetBarCache
from paperdesk.data.quote_csv import merge_quotes, read_quotes
from paperdesk.data.series import bundled_series, closed_bars, empty_bars, series_key, utc
from paperdesk.domain import UnknownNameError

if TYPE_CHECKING:
    from paperdesk.data.providers.aggregator import Fallback

LAYERS = ("cache", "parquet", "store", "bundled")


@dataclass(frozen=True)
class Found:
    """A lookup's bars (unfiltered), the layer that served them (``origin``: one of
    ``LAYERS`` or None when nothing was found) and, for a cache hit, the layer behind it."""

    frame: pd.DataFrame
    origin: str | None
    loaded_from: str | None


class BarLayers:
    """The lookup chain over whichever layers are present."""

    def __init__(
        self,
        *,
        store: BarStore | None = None,
        parquet: ParquetBarCache | None = None,
        cache: MarketCache | None = None,
        bundled: bool = True,
        cache_ttl: float = DEFAULT_BARS_TTL,
    ) -> None:
        self.store = store
        self.parquet = parquet
        self.cache = cache
        self.bundled = bundled
        self.cache_ttl = cache_ttl

    def lookup(
        self, name: str, timeframe: str, start: datetime | None, end: datetime | None
    ) -> Found:
        """The bars of series (``name``, ``timeframe``) with ``start <= ts <= end`` from the
        first layer that has any (the frame may hold more bars than asked for)."""
        # read before the bars: a write landing in between makes the copy look older, never newer
        current = self.store.series_version(name, timeframe) if self.store is not None else None
        if self.cache is not None:
            cached = self.cache.recent_bars(name, timeframe)
            if (
                cached is not None
                and covers(cached, start, end)
                and (current is None or cached.attrs.get("series_version") == current)
            ):
                return Found(cached, "cache", str(cached.attrs.get("loaded_from")))
        layers: list[tuple[str, Callable[[], pd.DataFrame]]] = []
        parquet = self.parquet
        if (
            parquet is not None
            and current is not None
            and parquet.version(name, timeframe) != current
        ):
            parquet.clear(name, timeframe)  # a copy of an older version of the store's bars
        if parquet is not None:
            layers.append(("parquet", lambda: parquet.read(name, timeframe, start, end)))
        if self.store is not None:
            store = self.store
            layers.append(("store", lambda: store.read_bars(name, timeframe, start, end)))
        for origin, read in layers:
            frame = read()
            if (
                len(frame)
                and origin == "parquet"
                and not self._parquet_complete(frame, name, timeframe, start, end)
            ):
                continue  # the Parquet copy misses bars the store holds: the store answers
            if len(frame):
                if origin == "store" and parquet is not None and copied_to_cache(frame):
                    parquet.write(frame, name, timeframe)  # re-fill the cache
                    if current is not None:
                        parquet.set_version(name, timeframe, current)
                self._remember(frame, origin, start, end, current)
                return Found(frame, origin, origin)
        bundled = self.bundled_frame(name, timeframe) if self.bundled else None
        if bundled is not None:
            self._remember(bundled, "bundled", None, None, current)
            return Found(bundled, "bundled", "bundled")
        return Found(empty_bars(name, timeframe, calendar_or_default(name)), None, None)

    def _parquet_complete(
        self,
        frame: pd.DataFrame,
        name: str,
        timeframe: str,
        start: datetime | None,
        end: datetime | None,
    ) -> bool:
        """The Parquet cache is a copy of the store: trusted only when it holds every stored
        bar of the range (a write interrupted between the two, or a ledger shared by several
        homes, would otherwise hide bars)."""
        if self.store is None:
            return True
        index = frame.index
        inside = (index >= pd.Timestamp(start)) if start is not None else None
        mask = pd.Series(True, index=index) if inside is None else pd.Series(inside, index=index)
        if end is not None:
            mask &= index <= pd.Timestamp(end)
        return int(mask.sum()) >= self.store.count_bars(name, timeframe, start, end)

    def bundled_frame(self, name: str, timeframe: str) -> pd.DataFrame | None:
        """The whole bundled file of a series (``source`` names the file), with the quotes of
        its bundled quote file when it has one (``lean_SPY_1m_quotes.csv``), or None."""
        try:
            path = find_bundled(name, timeframe)
        except UnknownNameError:
            return None
        frame = load_bars(path, symbol=name, timeframe=timeframe)
        quotes = find_bundled_quotes(name, timeframe)
        if quotes is not None:
            frame = merge_quotes(frame, read_quotes(quotes))
        frame["source"] = f"bundled:{path.name}"
        return frame

    def date_range(self, name: str, timeframe: str) -> tuple[datetime, datetime] | None:
        """The first and last bar labels held for a series: the store's, else the Parquet
        cache's, else the bundled file's (not limited to closed bars); None when none."""
        if self.store is not None:
            found = self.store.date_range(name, timeframe)
            if found is not None:
                return found
        months = self.parquet.months(name, timeframe) if self.parquet is not None else []
        if self.parquet is not None and months:
            first = self.parquet.read(name, timeframe, *_month_span(months[0]))
            last = self.parquet.read(name, timeframe, *_month_span(months[-1]))
            if len(first) and len(last):
                return first.index[0].to_pydatetime(), last.index[-1].to_pydatetime()
        for info in bundled_series() if self.bundled else []:
            if series_key(info.symbol, info.timeframe) == (name, timeframe):
                return info.first, info.last
        return None

    def stored_fallback(self, now: Callable[[], datetime]) -> Fallback:
        """The aggregator's fallback: the store's bars in range closed at ``now()`` (with a
        ``provider`` column naming their original source), or None when it has none."""

        def fallback(
            symbol: str, timeframe: str, start: datetime, end: datetime
        ) -> pd.DataFrame | None:
            if self.store is None:
                return None
            name, frame_timeframe = series_key(symbol, timeframe)
            stored = self.store.read_bars(name, frame_timeframe, start, end)
            frame = closed_bars(stored, now(), start, end)
            if frame.empty:
                return None
            frame["provider"] = frame["source"].astype(str)
            return frame

        return fallback

    def invalidate(self, name: str, timeframe: str) -> None:
        if self.cache is not None:
            self.cache.invalidate(name, timeframe)

    def _remember(
        self,
        frame: pd.DataFrame,
        origin: str,
        start: datetime | None,
        end: datetime | None,
        version: int | None,
    ) -> None:
        """Put a frame in the recent-bars cache, tagged with the store's series version it
        was read at: a hit is served only while that version is still the store's."""
        frame.attrs["series_version"] = version
        if self.cache is None:
            return
        frame.attrs.update(
            loaded_from=origin,
            covers_start=None if start is None else utc(start).isoformat(),
            covers_end=None if end is None else utc(end).isoformat(),
        )
        attrs = frame.attrs
        self.cache.put_recent_bars(attrs["symbol"], attrs["timeframe"], frame, self.cache_ttl)


def covers(cached: pd.DataFrame, start: datetime | None, end: datetime | None) -> bool:
    """Whether a cached frame's range contains ``[start, end]``."""
    low, high = cached.attrs.get("covers_start"), cached.attrs.get("covers_end")
    if low is not None and (start is None or utc(start) < pd.Timestamp(low)):
        return False
    return high is None or (end is not None and utc(end) <= pd.Timestamp(high))


def _month_span(month: str) -> tuple[datetime, datetime]:
    first = pd.Timestamp(f"{month}-01", tz="UTC")
    last = first + pd.DateOffset(months=1) - pd.Timedelta(1, "us")
    return first.to_pydatetime(), pd.Timestamp(last).to_pydatetime()
