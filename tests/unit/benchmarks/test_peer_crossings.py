"""vectorbt's entry arrays in ``benchmarks/bench_peers.py`` follow paperdesk's cross rule."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import talib

sys.path.insert(0, str(Path(__file__).parents[3] / "benchmarks"))

from paperdesk.analysis.indicators import crossing_points
from peers.crossings import carried_side, cross_entries


def test_a_tie_keeps_the_side_and_the_first_known_side_is_no_cross() -> None:
    fast = np.array([np.nan, 2.0, 1.0, 0.0, 1.0, 2.0, 1.0])
    slow = np.array([np.nan, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0])
    np.testing.assert_array_equal(carried_side(fast - slow), [np.nan, 1, 1, -1, -1, 1, 1])
    long_entries, short_entries = cross_entries(fast, slow)
    # down-cross at bar 3 (through the tie at bar 2), up-cross at bar 5: filled a bar later
    assert np.flatnonzero(short_entries).tolist() == [4]
    assert np.flatnonzero(long_entries).tolist() == [6]


def test_the_entries_are_paperdesks_crossing_points_one_bar_later() -> None:
    generator = np.random.default_rng(11)
    close = np.round(100 + np.cumsum(generator.choice([-0.01, 0.0, 0.01], 5_000)), 2)
    fast, slow = talib.SMA(close, timeperiod=2), talib.SMA(close, timeperiod=4)
    positions, direction = crossing_points(fast - slow)
    long_entries, short_entries = cross_entries(fast, slow)
    assert len(positions) > 100  # ties are common at these prices: the rule is exercised
    kept = positions + 1 < len(close)
    assert np.flatnonzero(long_entries).tolist() == (positions[kept & (direction > 0)] + 1).tolist()
    assert np.flatnonzero(short_entries).tolist() == (
        (positions[kept & (direction < 0)] + 1).tolist()
    )
