"""Backfill: fetch a series from the providers chunk by chunk into the store and Parquet cache.

The range is cut into chunks at calendar boundaries (UTC): one month each for intraday
timeframes, one year for daily and longer. Each chunk is fetched through the aggregator, cut to
its own span and to bars already closed, and written to the store in its own transaction (then
to the Parquet cache), so an interrupted run keeps every chunk it finished.

Resuming: a chunk whose bars are already in the store is skipped. "Already there" is measured
on the calendar's session clock (trading time only, so nights, weekends and holidays never
count as missing) over the chunk, up to one bar before ``now``: the stored bars may leave at
most one bar's worth of trading time uncovered at either edge (for daily and longer bars, a
quarter of an average session) and at most 1% of the chunk's trading time inside it (real feeds
have sparse holes). A chunk with no trading time at all is skipped too.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np
import pandas as pd

from paperdesk.data.bar_store import BarStore
from paperdesk.data.calendars import market_calendar
from paperdesk.data.parquet_cache import ParquetBarCache, write_through
from paperdesk.data.providers.aggregator import AllProvidersFailed, Attempt, ProviderAggregator
from paperdesk.data.session_grid import SessionGrid
from paperdesk.domain import Timeframe

INTERIOR_TOLERANCE = 0.01
_MICROSECOND = timedelta(microseconds=1)


@dataclass(frozen=True)
class Chunk:
    """``[start, end)``: one request to the providers and one store transaction."""

    start: datetime
    end: datetime


@dataclass(frozen=True)
class ChunkReport:
    """What happened to one chunk: ``status`` is fetched, skipped, empty, stale or failed.

    ``skipped``: already in the store; ``empty``: a provider answered with no bars; ``stale``:
    every provider failed and the stored bars were served instead (nothing written);
    ``failed``: every provider failed and nothing was stored.
    """

    start: datetime
    end: datetime
    status: str
    rows: int = 0
    provider: str | None = None
    reason: str = ""
    attempts: tuple[Attempt, ...] = ()

    @property
    def skipped(self) -> bool:
        return self.status == "skipped"

    @property
    def stale(self) -> bool:
        return self.status == "stale"


@dataclass(frozen=True)
class BackfillReport:
    symbol: str
    timeframe: str
    start: datetime
    end: datetime
    chunks: tuple[ChunkReport, ...]
    planned: int

    def _count(self, status: str) -> int:
        return sum(1 for chunk in self.chunks if chunk.status == status)

    @property
    def rows(self) -> int:
        """Bars written by this run."""
        return sum(chunk.rows for chunk in self.chunks if chunk.status == "fetched")

    @property
    def fetched(self) -> int:
        return self._count("fetched")

    @property
    def skipped(self) -> int:
        return self._count("skipped")

    @property
    def stale(self) -> int:
        return self._count("stale")

    @property
    def failed(self) -> int:
        return self._count("failed")

    @property
    def complete(self) -> bool:
        """Every planned chunk was handled, none failed and none was served stale."""
        return len(self.chunks) == self.planned and not self.failed and not self.stale


BackfillProgress = Callable[[ChunkReport, int, int], None]  # (chunk, chunks done, total)


def plan_chunks(timeframe: str, start: datetime, end: datetime) -> list[Chunk]:
    """``[start, end)`` cut at month (intraday) or year (daily and longer) boundaries, UTC."""
    low, high = pd.Timestamp(start).tz_convert("UTC"), pd.Timestamp(end).tz_convert("UTC")
    step = pd.DateOffset(months=1) if Timeframe.parse(timeframe).is_intraday else None
    chunks: list[Chunk] = []
    cursor = low
    while cursor < high:
        if step is not None:
            boundary = pd.Timestamp(year=cursor.year, month=cursor.month, day=1, tz="UTC") + step
        else:
            boundary = pd.Timestamp(year=cursor.year + 1, month=1, day=1, tz="UTC")
        upper = min(boundary, high)
        chunks.append(Chunk(cursor.to_pydatetime(), upper.to_pydatetime()))
        cursor = upper
    return chunks


def _bar_span(timeframe: str) -> pd.Timedelta:
    parsed = Timeframe.parse(timeframe)
    return pd.Timedelta(
        seconds=parsed.seconds if parsed.is_intraday else max(parsed.seconds, 86400)
    )


def chunk_complete(
    stored: pd.DataFrame, chunk: Chunk, timeframe: str, calendar: str, now: datetime
) -> bool:
    """Whether ``stored`` (the store's bars of the chunk) covers the chunk's trading time up to
    one bar before ``now`` (see the module docstring for the tolerances)."""
    low = pd.Timestamp(chunk.start).tz_convert("UTC")
    high = min(pd.Timestamp(chunk.end), pd.Timestamp(now) - _bar_span(timeframe)).tz_convert("UTC")
    if high <= low:
        return True
    grid = SessionGrid.covering(market_calendar(calendar), low.value, high.value)
    edges = grid.clock(np.array([low.value, high.value], dtype=np.int64))
    total = int(edges[1] - edges[0])
    if total <= 0:
        return True
    if stored.empty:
        return False
    opens = pd.DatetimeIndex(stored.index).tz_convert("UTC").as_unit("ns").asi8
    closes = pd.DatetimeIndex(stored["ts_close"]).tz_convert("UTC").as_unit("ns").asi8
    starts, ends = np.maximum(opens, low.value), np.minimum(closes, high.value)
    inside = ends > starts
    if not inside.any():
        return False
    covered_from, covered_to = grid.clock(starts[inside]), grid.clock(ends[inside])
    leading = int(covered_from[0] - edges[0])
    trailing = int(edges[1] - covered_to[-1])
    interior = int(np.maximum(covered_from[1:] - covered_to[:-1], 0).sum())
    if Timeframe.parse(timeframe).is_intraday:
        edge_slack = _bar_span(timeframe).value
    else:
        edge_slack = total // max(len(grid), 1) // 4
    return (
        leading <= edge_slack
        and trailing <= edge_slack
        and interior <= INTERIOR_TOLERANCE * total + edge_slack
    )


def run_backfill(
    symbol: str,
    timeframe: str,
    chunks: list[Chunk],
    *,
    store: BarStore,
    parquet: ParquetBarCache | None,
    aggregator: ProviderAggregator,
    calendar: str,
    now: datetime,
    progress: BackfillProgress | None = None,
    force: bool = False,
    stop_on_error: bool = True,
    asset_class: str | None = None,
) -> list[ChunkReport]:
    """Fetch and write each chunk in turn; returns a report per chunk handled. The series is
    stored with ``asset_class`` when given (as ``data import --asset-class`` does)."""
    reports: list[ChunkReport] = []
    moment = pd.Timestamp(now).tz_convert("UTC")
    for chunk in chunks:
        report = _one_chunk(
            symbol, timeframe, chunk, store, parquet, aggregator, calendar, moment, force,
            asset_class,
        )  # fmt: skip
        reports.append(report)
        if progress is not None:
            progress(report, len(reports), len(chunks))
        if report.status == "failed" and stop_on_error:
            break
    return reports


def _one_chunk(
    symbol: str,
    timeframe: str,
    chunk: Chunk,
    store: BarStore,
    parquet: ParquetBarCache | None,
    aggregator: ProviderAggregator,
    calendar: str,
    now: pd.Timestamp,
    force: bool,
    asset_class: str | None = None,
) -> ChunkReport:
    last = chunk.end - _MICROSECOND
    if not force:
        stored = store.read_bars(symbol, timeframe, chunk.start, last)
        if chunk_complete(stored, chunk, timeframe, calendar, now.to_pydatetime()):
            reason = f"{len(stored)} bars already stored"
            return ChunkReport(chunk.start, chunk.end, "skipped", reason=reason)
    try:
        result = aggregator.fetch_bars(symbol, timeframe, chunk.start, last)
    except AllProvidersFailed as error:
        return ChunkReport(
            chunk.start, chunk.end, "failed", reason=str(error), attempts=error.attempts
        )
    frame = result.bars
    if not frame.empty:
        index = pd.DatetimeIndex(frame.index)
        closes = pd.DatetimeIndex(frame["ts_close"])
        keep = (index >= pd.Timestamp(chunk.start)) & (index < pd.Timestamp(chunk.end))
        frame = frame.loc[np.asarray(keep & (closes <= now))]
    if result.stale:
        reason = "every provider failed; the stored bars were served (stale)"
        return ChunkReport(
            chunk.start, chunk.end, "stale", len(frame), None, reason, result.attempts
        )
    if frame.empty:
        return ChunkReport(
            chunk.start, chunk.end, "empty", 0, result.provider, "no bars", result.attempts
        )
    provider = result.provider or "unknown"
    written = write_through(
        store, parquet, frame, symbol=symbol, timeframe=timeframe, source=provider,
        fetched_at=now.to_pydatetime(), asset_class=asset_class,
    )  # fmt: skip
    return ChunkReport(chunk.start, chunk.end, "fetched", written, provider, "", result.attempts)
