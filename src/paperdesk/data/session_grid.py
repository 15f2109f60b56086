"""Vectorised session arithmetic over nanosecond timestamps (used by resampling and quality).

A :class:`SessionGrid` holds a calendar's sessions over a span as int64 nanosecond arrays and
answers: which session does a bar belong to, and how much trading time lies between two
instants (the calendar's *session clock*, which does not tick while the market is closed).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from paperdesk.data.calendars import MarketCalendar, sessions_covering

NANOSECONDS = 1_000_000_000


@dataclass(frozen=True, slots=True)
class SessionGrid:
    """Sessions as sorted, non-overlapping ``[open, close)`` intervals in UTC nanoseconds."""

    days: pd.DatetimeIndex
    opens: np.ndarray
    closes: np.ndarray
    cumulative: np.ndarray  # trading nanoseconds before each session (length n + 1)

    @classmethod
    def covering(cls, calendar: MarketCalendar, start_ns: int, end_ns: int) -> SessionGrid:
        """The sessions that may overlap ``[start_ns, end_ns]``."""
        table = sessions_covering(
            calendar, pd.Timestamp(start_ns, tz="UTC"), pd.Timestamp(end_ns, tz="UTC")
        )
        opens = pd.DatetimeIndex(table["open"]).as_unit("ns").asi8.astype(np.int64)
        closes = pd.DatetimeIndex(table["close"]).as_unit("ns").asi8.astype(np.int64)
        lengths = closes - opens
        cumulative = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
        return cls(pd.DatetimeIndex(table.index), opens, closes, cumulative)

    def __len__(self) -> int:
        return len(self.opens)

    def locate(self, starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
        """For each interval ``[start, end)`` the index of the first session it overlaps, or -1."""
        position = np.searchsorted(self.closes, starts, side="right")
        inside = position < len(self.closes)
        safe = np.minimum(position, max(len(self.closes) - 1, 0))
        if len(self.closes) == 0:
            return np.full(len(starts), -1, dtype=np.int64)
        overlaps = inside & (self.opens[safe] < ends)
        return np.where(overlaps, position, -1).astype(np.int64)

    def clock(self, instants: np.ndarray) -> np.ndarray:
        """Trading nanoseconds elapsed from the first session's open up to each instant."""
        count = np.searchsorted(self.closes, instants, side="right")
        result = self.cumulative[count].copy()
        within = count < len(self.opens)
        safe = np.minimum(count, max(len(self.opens) - 1, 0))
        if len(self.opens):
            partial = np.where(within, np.maximum(instants - self.opens[safe], 0), 0)
            result += partial
        return np.asarray(result, dtype=np.int64)

    def next_trading_instant(self, instants: np.ndarray) -> np.ndarray:
        """Each instant if the market is open then, else the next session's open."""
        position = np.searchsorted(self.closes, instants, side="right")
        safe = np.minimum(position, max(len(self.opens) - 1, 0))
        if len(self.opens) == 0:
            return np.asarray(instants, dtype=np.int64)
        later = np.where(position < len(self.opens), self.opens[safe], instants)
        return np.asarray(np.maximum(instants, later), dtype=np.int64)
