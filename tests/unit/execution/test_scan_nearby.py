"""The first bars of a search, looked at one by one, give the bar the vectorised mask gives."""

from __future__ import annotations

import random

import numpy as np

from paperdesk.execution import scan
from paperdesk.execution.scan import ScanColumns, Thresholds, first_hit, first_hit_in


def masked_first_hit(
    thresholds: Thresholds,
    highs: np.ndarray,
    lows: np.ndarray,
    times: np.ndarray,
    start: int,
    stop: int,
) -> int:
    """The plain rule: the first bar of [start, stop) the whole-range mask marks, else stop."""
    if thresholds.is_empty or start >= stop:
        return stop
    mask = scan._mask(thresholds, highs[start:stop], lows[start:stop], times[start:stop])
    hits = np.flatnonzero(mask)
    return start + int(hits[0]) if len(hits) else stop


def random_thresholds(generator: random.Random, times: np.ndarray) -> Thresholds:
    thresholds = Thresholds()
    if generator.random() < 0.7:
        thresholds.lower_touch(100.0 + generator.uniform(-3.0, 1.0))
    if generator.random() < 0.7:
        thresholds.upper_touch(100.0 + generator.uniform(-1.0, 3.0))
    if generator.random() < 0.3:
        thresholds.time_reached(int(times[generator.randrange(len(times))]))
    if generator.random() < 0.6:
        thresholds.eligible_from = int(times[generator.randrange(len(times))]) + generator.choice(
            (-1, 0, 1)
        )
    return thresholds


def test_first_hit_equals_the_whole_range_mask_on_random_bars() -> None:
    generator = random.Random(14)
    numbers = np.random.default_rng(14)
    for case in range(400):
        count = generator.randint(1, 300)
        closes = 100.0 + np.cumsum(numbers.normal(0.0, 0.4, count))
        spread = np.abs(numbers.normal(0.0, 0.3, count))
        # strided columns of a block, as a frame's columns are; integer prices touch exactly
        block = np.empty((count, 3))
        block[:, 0] = np.round(closes + spread, 2) if case % 2 else closes + spread
        block[:, 1] = np.round(closes - spread, 2) if case % 2 else closes - spread
        highs, lows = block[:, 0], block[:, 1]
        times = np.cumsum(numbers.integers(1, 4, count)).astype(np.int64) * 60_000_000_000
        thresholds = random_thresholds(generator, times)
        start = generator.randrange(count)
        stop = generator.randint(start, count)
        expected = masked_first_hit(thresholds, highs, lows, times, start, stop)
        assert first_hit(thresholds, highs, lows, times, start, stop) == expected
        columns = ScanColumns(highs, lows, times)  # a run's: made once, read by every search
        assert first_hit_in(thresholds, columns, start, stop) == expected


def test_a_hit_beyond_the_first_bars_is_found_by_the_windows() -> None:
    count = 500
    highs = np.full(count, 101.0)
    lows = np.full(count, 99.0)
    times = np.arange(count, dtype=np.int64)
    lows[scan.FIRST_LOOK + 3] = 90.0
    thresholds = Thresholds()
    thresholds.lower_touch(95.0)
    assert first_hit(thresholds, highs, lows, times, 0, count) == scan.FIRST_LOOK + 3
    assert first_hit(thresholds, highs, lows, times, scan.FIRST_LOOK + 4, count) == count


def test_other_dtypes_take_the_vectorised_search_only() -> None:
    highs = np.array([100.0, 100.5, 101.25], dtype=np.float32)
    lows = np.array([99.0, 99.5, 100.0], dtype=np.float32)
    times = np.arange(3, dtype=np.int64)
    thresholds = Thresholds()
    thresholds.upper_touch(100.5)
    assert first_hit(thresholds, highs, lows, times, 0, 3) == masked_first_hit(
        thresholds, highs, lows, times, 0, 3
    )
    columns = ScanColumns(highs, lows, times)
    assert not columns.exact  # no views of float32 columns: the windows only
    assert first_hit_in(thresholds, columns, 0, 3) == first_hit(
        thresholds, highs, lows, times, 0, 3
    )
