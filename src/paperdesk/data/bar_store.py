"""Where bars are kept: the interface the data layer writes to and reads from.

The data layer may not import the store, so it names what it needs here and the store
(``paperdesk.store.bars.SqlBarStore``) implements it. Frames follow the loader's convention
(``paperdesk.data.csv_source.load_bars``): a UTC ``DatetimeIndex`` named ``ts`` of bar open
labels, float64 ``open, high, low, close, volume`` and a ``ts_close`` column.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol, runtime_checkable

import pandas as pd

PROVENANCE_COLUMNS = ("provider", "source")  # per-row provenance, in order of preference
# A write of this many bars or more is a large one: the database keeps it in column blocks
# (``store/bar_blocks.py``), from which a series is read faster than from the Parquet cache
# (1M bars: 0.11 s against 0.63 s), so the cache does not copy it (docs/data-import.md).
BLOCK_ROWS = 5_000


def copied_to_cache(frame: pd.DataFrame) -> bool:
    """Whether bars written or read as ``frame`` are copied to the Parquet cache: a small
    write's are; a large one's (``BLOCK_ROWS``) are read from the store's blocks instead."""
    return len(frame) < BLOCK_ROWS


@dataclass(frozen=True)
class SeriesInfo:
    """One series: its first and last bar labels, how many bars it holds and where it lives
    (``where``: ``store`` for the database, ``bundled`` for a file shipped with the package,
    whose location is ``path``)."""

    symbol: str
    timeframe: str
    first: datetime
    last: datetime
    rows: int
    where: str = "store"
    path: str | None = None


@runtime_checkable
class BarStore(Protocol):
    """A durable home for bars with provenance (which source gave each bar, and when)."""

    def write_bars(
        self,
        frame: pd.DataFrame,
        *,
        symbol: str,
        timeframe: str,
        source: str,
        fetched_at: datetime,
        asset_class: str | None = None,
    ) -> int:
        """Upsert ``frame``'s bars on (symbol, timeframe, ts) in one transaction (with the
        series' ``asset_class`` when given).

        A bar already stored with the same label is replaced, never duplicated. A per-row
        ``provider`` or ``source`` column in ``frame`` wins over ``source``. Returns the number
        of rows written.
        """
        ...

    def read_bars(
        self,
        symbol: str,
        timeframe: str,
        start: datetime | None = None,
        end: datetime | None = None,
    ) -> pd.DataFrame:
        """The bars with ``start <= ts <= end`` (either bound optional), oldest first.

        The loader's frame plus ``source`` (text) and ``fetched_at`` (UTC) columns; ``attrs``
        holds ``symbol``, ``timeframe`` and ``calendar``.
        """
        ...

    def series(self) -> list[SeriesInfo]:
        """Every stored (symbol, timeframe) series, sorted by symbol then timeframe."""
        ...

    def count_bars(
        self,
        symbol: str,
        timeframe: str,
        start: datetime | None = None,
        end: datetime | None = None,
    ) -> int:
        """How many bars of a series lie in ``start <= ts <= end`` (a cheap count)."""
        ...

    def date_range(self, symbol: str, timeframe: str) -> tuple[datetime, datetime] | None:
        """The first and last bar labels of a series, or None when nothing is stored."""
        ...

    def series_version(self, symbol: str, timeframe: str) -> int:
        """A number that changes with every write of the series' bars (0: none stored).
        Caches keep the version their copy was read at and serve it only while it is current."""
        ...

    def series_versions(
        self, symbol: str, within: object | None = None
    ) -> tuple[tuple[str, int], ...]:
        """``(timeframe, version)`` of each stored series of ``symbol`` (empty: none), in one
        read: what a cache of an answer drawn from any of them compares. ``within``: the
        unit of work asking (a ledger transaction), which a store on the same database may
        read in instead of a read of its own; any other value is ignored."""
        ...


def row_sources(frame: pd.DataFrame, default: str) -> list[str]:
    """The provenance of each row: its ``provider``/``source`` value, else ``default``."""
    for name in PROVENANCE_COLUMNS:
        if name in frame.columns:
            column = frame[name]
            filled = column.where(column.notna() & (column.astype(str) != ""), default)
            return [str(value) for value in filled.tolist()]
    return [default] * len(frame)
