"""The DataManager: the only door to market data (time, sessions and bars).

Everything is injected: the ``clock`` (wall time live, the current bar's time in a backtest),
the bar ``store`` (the database), the ``parquet`` cache, the recent-bars ``cache`` and the
provider ``aggregator``; any of the last four may be missing. Rules every read obeys:

* **No look-ahead.** ``get_bars`` (and everything built on it: ``latest_bar``,
  ``stream_bars``, ``check_quality``) returns only bars with ``ts_close <= now()``, whatever
  the layers hold, so a backtest clock never sees a bar before it has closed.
* **Lookup order.** The recent-bars cache, then the Parquet cache, then the store, then the
  bundled sample file: the first layer holding bars in the range wins (imports and backfills
  write the store and the Parquet cache together and drop the cached entry). The result says
  where it came from: ``attrs["origin"]`` (``cache``, ``parquet``, ``store`` or ``bundled``),
  ``attrs["loaded_from"]`` (the layer behind a cache hit) and, per bar, ``source`` (which
  provider or file gave it).
* **Stale fallback.** The aggregator's fallback is the store: when every provider fails, the
  last stored bars are served with ``stale=True``.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from paperdesk.data import importer, quality
from paperdesk.data.bar_convert import bar_at
from paperdesk.data.bar_store import BarStore, SeriesInfo
from paperdesk.data.cache import DEFAULT_BARS_TTL, MarketCache
from paperdesk.data.calendars import MarketCalendar, TradingHours, market_calendar
from paperdesk.data.clock import Clock, WallClock
from paperdesk.data.corporate_actions import AdjustmentMode, bundled_factor_file
from paperdesk.data.derived_bars import derive, source_timeframes
from paperdesk.data.instruments import instrument_for
from paperdesk.data.layers import BarLayers, Found
from paperdesk.data.parquet_cache import ParquetBarCache
from paperdesk.data.quality_report import QualityReport
from paperdesk.data.series import (
    adjust_as_of,
    bundled_series,
    closed_bars,
    series_key,
    utc,
)
from paperdesk.data.streaming import stream_closed_bars
from paperdesk.domain import AssetClass, Bar, DataError, UnknownNameError

if TYPE_CHECKING:  # the providers (httpx, Prometheus) load when a provider is first asked
    from paperdesk.data.backfill import BackfillProgress, BackfillReport
    from paperdesk.data.providers.aggregator import FetchResult, ProviderAggregator

DEFAULT_CALENDAR = "XNYS"
DEFAULT_POLL_SECONDS = 5.0
Sleep = Callable[[float], Awaitable[Any]]


class DataManager:
    """Time, sessions and bars from one place (see the module docstring for the rules)."""

    def __init__(
        self,
        *,
        clock: Clock | None = None,
        store: BarStore | None = None,
        parquet: ParquetBarCache | None = None,
        cache: MarketCache | None = None,
        aggregator: ProviderAggregator | None = None,
        aggregator_factory: Callable[[], ProviderAggregator] | None = None,
        bundled: bool = True,
        cache_ttl: float = DEFAULT_BARS_TTL,
    ) -> None:
        """``aggregator_factory`` (instead of ``aggregator``) makes the aggregator when it is
        first asked for: a process that never asks a provider loads none of them."""
        self.clock: Clock = clock or WallClock()
        self.store = store
        self.parquet = parquet
        self.cache = cache
        self._aggregator: ProviderAggregator | None = None
        self._aggregator_factory = aggregator_factory if aggregator is None else None
        self._aggregator_lock = threading.Lock()
        self.bundled = bundled
        self.layers = BarLayers(
            store=store, parquet=parquet, cache=cache, bundled=bundled, cache_ttl=cache_ttl
        )
        if aggregator is not None:
            self._aggregator = self._with_fallback(aggregator)

    @property
    def aggregator(self) -> ProviderAggregator | None:
        """The provider aggregator (None without providers), made on first use when the
        manager was given a factory."""
        if self._aggregator is None and self._aggregator_factory is not None:
            with self._aggregator_lock:  # two threads asking at once make one aggregator
                if self._aggregator is None and self._aggregator_factory is not None:
                    self._aggregator = self._with_fallback(self._aggregator_factory())
                    self._aggregator_factory = None
        return self._aggregator

    @aggregator.setter
    def aggregator(self, aggregator: ProviderAggregator | None) -> None:
        self._aggregator = aggregator
        self._aggregator_factory = None

    def _with_fallback(self, aggregator: ProviderAggregator) -> ProviderAggregator:
        """The aggregator's stale fallback is the store (unless it has one already)."""
        if self.store is not None and aggregator.fallback is None:
            aggregator.fallback = self.layers.stored_fallback(self.now)
        return aggregator

    # ------------------------------------------------------------------- time and sessions

    def now(self) -> datetime:
        """The run's current time (aware, UTC). A plain aware ``datetime`` (what the clocks
        give) is taken to UTC by ``astimezone``, which gives what the pandas round trip
        gives in about 0.05 us against 14 (an order's reference price asks the time once);
        anything else (a naive time, a pandas ``Timestamp``) takes the round trip, which
        refuses a naive time."""
        moment = self.clock.now()
        if type(moment) is datetime and moment.utcoffset() is not None:
            return moment.astimezone(UTC)
        return utc(moment, "the clock's time").to_pydatetime()

    def calendar(self, *, symbol: str | None = None, calendar: str | None = None) -> MarketCalendar:
        """``calendar`` by name, else ``symbol``'s instrument calendar, else XNYS."""
        if calendar is not None:
            return market_calendar(calendar)
        if symbol is not None:
            return market_calendar(instrument_for(symbol).calendar)
        return market_calendar(DEFAULT_CALENDAR)

    def is_market_open(
        self, ts: datetime | None = None, *, symbol: str | None = None, calendar: str | None = None
    ) -> bool:
        """Whether the market is in session at ``ts`` (default: ``now()``)."""
        moment = self.now() if ts is None else ts
        return self.calendar(symbol=symbol, calendar=calendar).is_open(moment)

    def trading_hours(
        self, day: date, *, symbol: str | None = None, calendar: str | None = None
    ) -> TradingHours | None:
        """The session of trade date ``day`` (open, close, early close), or None if closed."""
        return self.calendar(symbol=symbol, calendar=calendar).trading_hours(day)

    def holidays(
        self, start: date, end: date, *, symbol: str | None = None, calendar: str | None = None
    ) -> list[date]:
        """Weekdays in ``[start, end]`` without a session."""
        return self.calendar(symbol=symbol, calendar=calendar).holidays(start, end)

    # ----------------------------------------------------------------------------- bars

    def get_bars(
        self,
        symbol: str,
        timeframe: str,
        start: datetime | None = None,
        end: datetime | None = None,
        *,
        adjusted: bool | AdjustmentMode = False,
    ) -> pd.DataFrame:
        """The closed bars of a series with ``start <= ts <= end`` (bar open labels), oldest
        first; an empty frame when no layer holds any.

        ``adjusted=True`` (or ``"split_and_dividend"``) applies the bundled Lean factor file of
        a US equity, Lean's ``Adjusted`` mode; ``"split"`` removes splits only. Only the
        corporate actions known at ``now()`` are applied.
        """
        name, frame_timeframe = series_key(symbol, timeframe)
        now = self.now()
        found = self.layers.lookup(name, frame_timeframe, start, end)
        if found.origin is None:  # no stored series: resampled from a finer one, if any
            found = self._derived(name, frame_timeframe, now) or found
        result = closed_bars(found.frame, now, start, end)
        if adjusted:
            result = self._adjusted(result, name, now, adjusted)
        result.attrs.update(
            origin=found.origin, loaded_from=found.loaded_from, as_of=now.isoformat()
        )
        return result

    def _derived(self, name: str, timeframe: str, now: datetime) -> Found | None:
        """Series (``name``, ``timeframe``) resampled from the coarsest finer series stored
        (see ``derived_bars``), or None when there is none."""
        for source in source_timeframes(timeframe):
            found = self.layers.lookup(name, source, None, None)
            if found.origin is None:
                continue
            bars = closed_bars(found.frame, now, None, None)
            calendar = str(bars.attrs.get("calendar") or instrument_for(name).calendar)
            return Found(derive(bars, timeframe, calendar, now), found.origin, found.loaded_from)
        return None

    def series_token(
        self, symbol: str, within: object | None = None
    ) -> tuple[tuple[str, int], ...] | None:
        """What ``get_bars`` of any of ``symbol``'s timeframes answers from, as a value that
        changes whenever it may answer differently at the same clock time: the stored version
        of each of the symbol's series (one indexed query; a derived series follows its finer
        ones, so every timeframe counts). None without a store (nothing to compare: no
        answer may be kept). The bundled files do not change while a process runs.
        ``within``: the unit of work asking, which the store may read in
        (``BarStore.series_versions``)."""
        if self.store is None:
            return None
        return self.store.series_versions(symbol, within)

    def pending_close(self, symbol: str, timeframe: str) -> datetime | None:
        """The close of the first bar the layers hold that has not closed at ``now()`` (the
        next bar ``get_bars`` will serve without any write), None when they hold none; a
        series derived from a finer one answers ``now()`` (its next bar grows with every
        closed finer bar)."""
        name, frame_timeframe = series_key(symbol, timeframe)
        now = self.now()
        found = self.layers.lookup(name, frame_timeframe, None, None)
        if found.origin is None:
            return now
        closes = pd.DatetimeIndex(found.frame["ts_close"])
        after = int(closes.searchsorted(pd.Timestamp(now), side="right"))
        if after >= len(closes):
            return None
        pending: datetime = utc(closes[after:].min(), "a bar's close").to_pydatetime()
        return pending

    def latest_bar(self, symbol: str, timeframe: str) -> Bar | None:
        """The last bar closed at ``now()``, or None."""
        frame = self.get_bars(symbol, timeframe)
        return bar_at(frame, len(frame) - 1) if len(frame) else None

    async def stream_bars(
        self,
        symbols: Iterable[str],
        timeframe: str,
        *,
        poll_seconds: float = DEFAULT_POLL_SECONDS,
        sleep: Sleep = asyncio.sleep,
        since: datetime | None = None,
        until: datetime | None = None,
    ) -> AsyncIterator[Bar]:
        """Each bar that closes after ``since`` (default: ``now()`` at the first poll), once,
        as the clock passes its close: ordered by close time (then by the order of
        ``symbols``) within each poll, polling every ``poll_seconds`` with ``sleep``. Stops
        once the clock has passed ``until``; otherwise runs until the caller stops iterating.
        """
        async for bar in stream_closed_bars(
            self.get_bars, self.now, symbols, timeframe,
            poll_seconds=poll_seconds, sleep=sleep, since=since, until=until,
        ):  # fmt: skip
            yield bar

    def fetch_bars(
        self, symbol: str, timeframe: str, start: datetime, end: datetime
    ) -> FetchResult:
        """Ask the providers now (nothing is written; ``backfill`` keeps bars). Only closed
        bars are returned; when every provider fails the stored bars come back stale."""
        aggregator = self._need_aggregator()
        name, frame_timeframe = series_key(symbol, timeframe)
        now = self.now()
        upper = min(utc(end, "end"), pd.Timestamp(now)).to_pydatetime()
        result = aggregator.fetch_bars(name, frame_timeframe, start, upper)
        return replace(result, bars=closed_bars(result.bars, now, start, upper))

    # --------------------------------------------------------------------------- series

    def symbols(self) -> list[SeriesInfo]:
        """Every stored series (``where="store"``), then the bundled ones (``"bundled"``)."""
        stored = self.store.series() if self.store is not None else []
        return [*stored, *(bundled_series() if self.bundled else [])]

    def holds(self, symbol: str) -> bool:
        """Whether any layer holds bars of ``symbol``, of any timeframe: the store (the Parquet
        cache mirrors it) or a bundled file. One read of the store's series versions."""
        name = symbol.strip().upper()
        if self.store is not None and self.store.series_versions(name):
            return True
        return self.bundled and any(series.symbol == name for series in bundled_series())

    def date_range(self, symbol: str, timeframe: str) -> tuple[datetime, datetime] | None:
        """The first and last bar labels held for a series (store, Parquet, then bundled),
        not limited to closed bars; None when nothing is held."""
        return self.layers.date_range(*series_key(symbol, timeframe))

    # ------------------------------------------------------------------ writing and checks

    def import_csv(
        self,
        path: str | Path,
        symbol: str,
        timeframe: str,
        *,
        timezone: str | None = None,
        sort: bool = False,
        drop_duplicates: bool = False,
        calendar: str | None = None,
        adjusted: bool = False,
        asset_class: str | None = None,
    ) -> importer.ImportReport:
        """Validate and import a CSV file into the store and the Parquet cache (all or
        nothing: a ``CsvImportError`` lists the problems), dropping the cached series."""
        store = self._need_store()
        report = importer.import_csv(
            path, store, self.parquet, symbol=symbol, timeframe=timeframe, timezone=timezone,
            sort=sort, drop_duplicates=drop_duplicates, calendar=calendar, adjusted=adjusted,
            asset_class=asset_class,
        )  # fmt: skip
        self.layers.invalidate(report.symbol, report.timeframe)
        return report

    def import_quotes(
        self, path: str | Path, symbol: str, timeframe: str, *, timezone: str | None = None
    ) -> importer.ImportReport:
        """Add a quote file's bid and ask to the stored bars of the series (matched by
        timestamp; all or nothing), dropping the cached series."""
        store = self._need_store()
        report = importer.import_quotes(
            path, store, self.parquet, symbol=symbol, timeframe=timeframe, timezone=timezone
        )
        self.layers.invalidate(report.symbol, report.timeframe)
        return report

    def check_quality(
        self,
        symbol: str,
        timeframe: str,
        start: datetime | None = None,
        end: datetime | None = None,
        **thresholds: Any,
    ) -> QualityReport:
        """The quality report of the closed bars in range, with feed age against ``now()``
        (``thresholds``: ``outlier_threshold``, ``stale_run``, ``zero_volume_run``)."""
        frame = self.get_bars(symbol, timeframe, start, end)
        if frame.empty and frame.attrs.get("origin") is None:
            raise UnknownNameError(f"no {symbol.upper()} {timeframe} bars are held anywhere")
        return quality.check_quality(frame, timeframe=timeframe, now=self.now(), **thresholds)

    def backfill(
        self,
        symbol: str,
        timeframe: str,
        start: date | datetime,
        end: date | datetime,
        *,
        progress: BackfillProgress | None = None,
        force: bool = False,
        stop_on_error: bool = True,
        asset_class: str | None = None,
    ) -> BackfillReport:
        """Fetch ``[start, end)`` from the providers into the store and the Parquet cache, one
        chunk (a month intraday, a year daily) per transaction, skipping chunks already stored
        (so a re-run resumes). A ``date`` end is inclusive (the whole day); ``end`` is capped
        at ``now()``. A chunk no provider can serve stops the run (``stop_on_error``). The
        series is stored with ``asset_class`` (needed for a symbol paperdesk does not know)."""
        store, aggregator = self._need_store(), self._need_aggregator()
        name, frame_timeframe = series_key(symbol, timeframe)
        kind, _ = importer.series_asset_class(store, name, asset_class)
        now = self.now()
        low = _instant(start, "start")
        high = min(_instant(end, "end", end_of_day=True), now)
        from paperdesk.data.backfill import BackfillReport, plan_chunks, run_backfill

        chunks = plan_chunks(frame_timeframe, low, high) if low < high else []
        try:
            reports = run_backfill(
                name, frame_timeframe, chunks, store=store, parquet=self.parquet,
                aggregator=aggregator, calendar=instrument_for(name, kind).calendar, now=now,
                progress=progress, force=force, stop_on_error=stop_on_error, asset_class=kind,
            )  # fmt: skip
        finally:
            self.layers.invalidate(name, frame_timeframe)
        return BackfillReport(name, frame_timeframe, low, high, tuple(reports), len(chunks))

    def _adjusted(
        self, frame: pd.DataFrame, name: str, now: datetime, adjusted: bool | AdjustmentMode
    ) -> pd.DataFrame:
        if instrument_for(name).asset_class is not AssetClass.EQUITY:
            return frame
        factor_file = bundled_factor_file(name)
        if factor_file is None:
            raise DataError(f"no factor file is bundled for {name}; cannot adjust its bars")
        mode: AdjustmentMode = adjusted if isinstance(adjusted, str) else "split_and_dividend"
        return adjust_as_of(frame, factor_file, now, mode)

    def _need_store(self) -> BarStore:
        if self.store is None:
            raise DataError("this DataManager has no bar store (a database is needed)")
        return self.store

    def _need_aggregator(self) -> ProviderAggregator:
        if self.aggregator is None:
            raise DataError("this DataManager has no price providers")
        return self.aggregator


def _instant(value: date | datetime, what: str, *, end_of_day: bool = False) -> datetime:
    if isinstance(value, datetime):
        return utc(value, what).to_pydatetime()
    moment = datetime.combine(value, time(0), tzinfo=UTC)
    return moment + timedelta(days=1) if end_of_day else moment
