"""The SMA cross as boolean entry arrays for vectorbt, with paperdesk's cross rule.

paperdesk's ``sma-cross`` (``indicators.crossing_points``) carries the last non-zero side of
fast minus slow across exact ties, so a cross that passes through a tie still counts, and the
first bar where both averages exist is never a cross. vectorbt's ``crossed_above`` compares
neighbouring bars only, so the benchmark builds the arrays itself (vectorised numpy, timed as
part of vectorbt's run) and shifts them one bar: the signal of bar t (seen at its close) trades
at the open of bar t + 1.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

BoolArray = npt.NDArray[np.bool_]


def carried_side(difference: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """The sign of the last non-zero, non-NaN difference at each bar (NaN before the first)."""
    sides = np.where(difference > 0.0, 1.0, np.where(difference < 0.0, -1.0, np.nan))
    known = ~np.isnan(sides)
    last_known = np.maximum.accumulate(np.where(known, np.arange(len(sides)), -1))
    carried = np.where(last_known >= 0, sides[np.maximum(last_known, 0)], np.nan)
    return carried


def cross_entries(
    fast: npt.NDArray[np.float64], slow: npt.NDArray[np.float64]
) -> tuple[BoolArray, BoolArray]:
    """(long entries, short entries) at the bar after each up- and down-cross of ``fast``
    over ``slow``: the bar whose open fills the signal."""
    carried = carried_side(fast - slow)
    previous = np.concatenate([[np.nan], carried[:-1]])
    up = (carried > 0) & (previous < 0)
    down = (carried < 0) & (previous > 0)
    long_entries = np.concatenate([[False], up[:-1]])
    short_entries = np.concatenate([[False], down[:-1]])
    return long_entries, short_entries
