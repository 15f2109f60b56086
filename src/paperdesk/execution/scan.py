"""Vectorised search for the first bar where a set of price or time thresholds is reached."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]

FIRST_WINDOW = 64
WINDOW_GROWTH = 8
TOLERANCE = 1e-9


@dataclass(slots=True)
class Thresholds:
    """What makes a bar actionable: low <= ``low_at_most``, high >= ``high_at_least``, or
    ts_open >= ``time_at_least``; only on bars opening at or after ``eligible_from``."""

    low_at_most: float | None = None
    high_at_least: float | None = None
    time_at_least: int | None = None
    eligible_from: int | None = None

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
    position = start
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
