"""Vectorised search for the first bar where a set of price or time thresholds is reached."""

from __future__ import annotations

from bisect import bisect_left
from typing import Final, cast

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]

FIRST_LOOK = 16  # bars looked at one by one before the vectorised windows
FIRST_WINDOW = 64
WINDOW_GROWTH = 8
TOLERANCE = 1e-9
BLOCK: Final = 16  # bars summarised by one lowest low and highest high (a run's indexed columns)
_FLOAT, _INT = np.dtype(np.float64), np.dtype(np.int64)  # what the one-by-one look reads exactly


class Thresholds:
    """What makes a bar actionable: low <= ``low_at_most``, high >= ``high_at_least``, or
    ts_open >= ``time_at_least``; only on bars opening at or after ``eligible_from``.

    A written-out ``__init__``, not a ``@dataclass``: compiled by mypyc, a dataclass keeps the
    interpreted ``__init__`` the ``dataclasses`` module generates (a Python frame at each of the
    few a search builds)."""

    __slots__ = ("eligible_from", "high_at_least", "low_at_most", "time_at_least")

    def __init__(
        self,
        low_at_most: float | None = None,
        high_at_least: float | None = None,
        time_at_least: int | None = None,
        eligible_from: int | None = None,
    ) -> None:
        self.low_at_most = low_at_most
        self.high_at_least = high_at_least
        self.time_at_least = time_at_least
        self.eligible_from = eligible_from

    def __repr__(self) -> str:
        return (
            f"Thresholds(low_at_most={self.low_at_most!r}, high_at_least={self.high_at_least!r},"
            f" time_at_least={self.time_at_least!r}, eligible_from={self.eligible_from!r})"
        )

    def lower_touch(self, price: float) -> None:
        """Actionable once the low reaches ``price`` (limit buy, stop sell)."""
        level = price * (1.0 + TOLERANCE)
        if self.low_at_most is None or level > self.low_at_most:
            self.low_at_most = level

    def upper_touch(self, price: float) -> None:
        """Actionable once the high reaches ``price`` (limit sell, stop buy)."""
        level = price * (1.0 - TOLERANCE)
        if self.high_at_least is None or level < self.high_at_least:
            self.high_at_least = level

    def time_reached(self, ns: int) -> None:
        if self.time_at_least is None or ns < self.time_at_least:
            self.time_at_least = ns

    @property
    def is_empty(self) -> bool:
        return (
            self.low_at_most is None and self.high_at_least is None and self.time_at_least is None
        )


class ScanColumns:
    """The columns a search reads (highs, lows, open times) and, when they are float64 and
    int64, zero-copy memoryviews of them for the one-by-one look (indexing one gives the exact
    Python float or int): made once for a run by its driver, else at each search.

    ``indexed`` (a run's driver: made once, read by thousands of searches): when the open times
    never decrease, also each block of ``BLOCK`` bars' lowest low and highest high as lists of
    floats (``np.fmin``/``np.fmax``: a NaN never hides a bar that touches), so that a search
    skips a block no threshold can reach with two list reads (``_first_hit_blocked``) instead of
    NumPy windows, and settles the times by a binary search (a bar eligible, or a time reached,
    is then every bar from one on)."""

    __slots__ = (
        "block_highs",
        "block_lows",
        "blocked",
        "exact",
        "highs",
        "highs_seen",
        "lows",
        "lows_seen",
        "times_seen",
        "ts_open_ns",
    )

    # memoryviews typed by what indexing gives (compiled, a wrong type is a TypeError)
    highs_seen: memoryview[float]
    lows_seen: memoryview[float]
    times_seen: memoryview[int]
    block_highs: list[float]
    block_lows: list[float]

    def __init__(
        self, highs: FloatArray, lows: FloatArray, ts_open_ns: IntArray, indexed: bool = False
    ) -> None:
        self.highs = highs
        self.lows = lows
        self.ts_open_ns = ts_open_ns
        self.exact = highs.dtype == _FLOAT and lows.dtype == _FLOAT and ts_open_ns.dtype == _INT
        self.blocked = False
        if self.exact:
            self.highs_seen = cast("memoryview[float]", highs.data)
            self.lows_seen = cast("memoryview[float]", lows.data)
            self.times_seen = ts_open_ns.data
            count = len(ts_open_ns)
            if (
                indexed
                and count
                and len(highs) == count
                and len(lows) == count
                and bool(np.all(ts_open_ns[1:] >= ts_open_ns[:-1]))
            ):
                starts = np.arange(0, count, BLOCK)
                self.block_lows = np.fmin.reduceat(lows, starts).tolist()
                self.block_highs = np.fmax.reduceat(highs, starts).tolist()
                self.blocked = True


def first_hit(
    thresholds: Thresholds,
    highs: FloatArray,
    lows: FloatArray,
    ts_open_ns: IntArray,
    start: int,
    stop: int,
) -> int:
    """The first index in [start, stop) meeting ``thresholds``, or ``stop``; growing windows
    make the cost proportional to the distance to the hit."""
    if thresholds.is_empty:
        return stop
    return first_hit_in(thresholds, ScanColumns(highs, lows, ts_open_ns), start, stop)


def first_hit_in(thresholds: Thresholds, columns: ScanColumns, start: int, stop: int) -> int:
    """``first_hit`` over ``columns``."""
    if thresholds.is_empty:
        return stop
    if columns.blocked:
        return _first_hit_blocked(thresholds, columns, start, stop)
    position = start
    if columns.exact:
        position = min(start + FIRST_LOOK, stop)
        found = _first_hit_nearby(thresholds, columns, start, position)
        if found is not None:
            return found
    highs, lows, ts_open_ns = columns.highs, columns.lows, columns.ts_open_ns
    window = FIRST_WINDOW
    while position < stop:
        end = min(position + window, stop)
        mask = _mask(thresholds, highs[position:end], lows[position:end], ts_open_ns[position:end])
        hit = int(mask.argmax())
        if mask[hit]:
            return position + hit
        position = end
        window *= WINDOW_GROWTH
    return stop


def _first_hit_nearby(
    thresholds: Thresholds, columns: ScanColumns, start: int, stop: int
) -> int | None:
    """``first_hit`` over the few bars [start, stop), one by one (None: no hit there).

    Most searches hit within a few bars (a bracket's legs, a limit near the price), where the
    fixed cost of a window's NumPy calls is most of the search. The bars are read through
    zero-copy memoryviews (exact Python floats and ints) and compared with the same operators
    as ``_mask``, so the answer is the same bar.
    """
    # each threshold as a flag and a plain value (compiled: unboxed locals, no None per bar)
    low_at_most, high_at_least = thresholds.low_at_most, thresholds.high_at_least
    time_at_least, eligible_from = thresholds.time_at_least, thresholds.eligible_from
    has_low, has_high = low_at_most is not None, high_at_least is not None
    has_time, has_eligible = time_at_least is not None, eligible_from is not None
    low = 0.0 if low_at_most is None else low_at_most
    high = 0.0 if high_at_least is None else high_at_least
    time = 0 if time_at_least is None else time_at_least
    eligible = 0 if eligible_from is None else eligible_from
    lows_seen, highs_seen, times = columns.lows_seen, columns.highs_seen, columns.times_seen
    for index in range(start, stop):
        ts = times[index]
        if has_eligible and not ts >= eligible:
            continue
        if (
            (has_low and lows_seen[index] <= low)
            or (has_high and highs_seen[index] >= high)
            or (has_time and ts >= time)
        ):
            return index
    return None


def _first_hit_blocked(thresholds: Thresholds, columns: ScanColumns, start: int, stop: int) -> int:
    """``first_hit`` over indexed columns (``ScanColumns.blocked``: open times that never
    decrease, each block's lowest low and highest high).

    The bars eligible are those from the first opening at or after ``eligible_from`` on, and
    the first bar opening at or after ``time_at_least`` is a hit (both by a binary search of
    the times); before it, a bar is a hit when its low or high reaches a level. A block whose
    lowest low and highest high reach neither level holds no such bar (NaN, ignored by the
    block's extremes, reaches nothing), so it is skipped whole; in the others the bars are
    compared one by one with the operators of ``_mask``. The same bar as ``_mask`` marks first.
    """
    times = columns.times_seen
    eligible_from, time_at_least = thresholds.eligible_from, thresholds.time_at_least
    if eligible_from is not None and start < stop and times[start] < eligible_from:
        start = bisect_left(times, eligible_from, start, stop)
    if time_at_least is not None and start < stop:
        stop = bisect_left(times, time_at_least, start, stop)  # a hit there when it is a bar
    low_at_most, high_at_least = thresholds.low_at_most, thresholds.high_at_least
    has_low, has_high = low_at_most is not None, high_at_least is not None
    if not (has_low or has_high):
        return stop
    low = 0.0 if low_at_most is None else low_at_most
    high = 0.0 if high_at_least is None else high_at_least
    lows_seen, highs_seen = columns.lows_seen, columns.highs_seen
    block_lows, block_highs = columns.block_lows, columns.block_highs
    index = start
    while index < stop:
        block = index // BLOCK
        end = min((block + 1) * BLOCK, stop)
        if (has_low and block_lows[block] <= low) or (has_high and block_highs[block] >= high):
            for row in range(index, end):
                if (has_low and lows_seen[row] <= low) or (has_high and highs_seen[row] >= high):
                    return row
        index = end
    return stop


def _mask(
    thresholds: Thresholds, highs: FloatArray, lows: FloatArray, times: IntArray
) -> NDArray[np.bool_]:
    """The bars meeting ``thresholds`` (at least one threshold is set: ``first_hit``)."""
    masks: list[NDArray[np.bool_]] = []
    if thresholds.low_at_most is not None:
        masks.append(lows <= thresholds.low_at_most)
    if thresholds.high_at_least is not None:
        masks.append(highs >= thresholds.high_at_least)
    if thresholds.time_at_least is not None:
        masks.append(times >= thresholds.time_at_least)
    mask = masks[0]
    for other in masks[1:]:
        mask |= other
    if thresholds.eligible_from is not None:
        mask &= times >= thresholds.eligible_from
    return mask
