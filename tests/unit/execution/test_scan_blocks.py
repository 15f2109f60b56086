"""A run's indexed scan columns (``ScanColumns(..., indexed=True)``: each block's lowest low and
highest high, times searched by bisection) give the bar the whole-range mask gives, for any
prices (NaN, infinities, signed zeros, ties), any thresholds and any window; columns whose
times decrease somewhere are not indexed and search as before."""

from __future__ import annotations

import math

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from paperdesk.execution import scan
from paperdesk.execution.scan import ScanColumns, Thresholds, first_hit, first_hit_in

from .test_scan_nearby import masked_first_hit  # the plain rule: the whole-range mask

# prices on a coarse grid (so that levels touch exactly), with the floats' odd values
_PRICE = st.one_of(
    st.integers(90, 110).map(float),
    st.sampled_from([math.nan, math.inf, -math.inf, 0.0, -0.0, 99.5, 100.25]),
)
_LEVEL = st.one_of(st.none(), st.integers(88, 112).map(float), st.just(math.inf))


@st.composite
def bars_and_search(
    draw: st.DrawFn,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, Thresholds, int, int]:
    count = draw(st.integers(1, 5 * scan.BLOCK))
    highs = np.array(draw(st.lists(_PRICE, min_size=count, max_size=count)), dtype=np.float64)
    lows = np.array(draw(st.lists(_PRICE, min_size=count, max_size=count)), dtype=np.float64)
    steps = draw(st.lists(st.integers(0, 3), min_size=count, max_size=count))  # 0: a tie
    times = (np.cumsum(steps).astype(np.int64) - 5) * 60_000_000_000  # some before 1970
    moments = st.one_of(
        st.none(),
        st.sampled_from(times.tolist()).flatmap(lambda t: st.sampled_from([t - 1, t, t + 1])),
        st.integers(-(2**40), 2**40),
    )
    thresholds = Thresholds(
        low_at_most=draw(_LEVEL),
        high_at_least=draw(_LEVEL),
        time_at_least=draw(moments),
        eligible_from=draw(moments),
    )
    start = draw(st.integers(0, count))
    stop = draw(st.integers(start, count))
    return highs, lows, times, thresholds, start, stop


@settings(max_examples=400, deadline=None)
@given(bars_and_search())
def test_the_indexed_search_finds_the_bar_the_mask_marks_first(
    case: tuple[np.ndarray, np.ndarray, np.ndarray, Thresholds, int, int],
) -> None:
    highs, lows, times, thresholds, start, stop = case
    columns = ScanColumns(highs, lows, times, indexed=True)
    assert columns.blocked
    expected = masked_first_hit(thresholds, highs, lows, times, start, stop)
    assert first_hit_in(thresholds, columns, start, stop) == expected
    assert first_hit(thresholds, highs, lows, times, start, stop) == expected  # unindexed


def test_the_blocks_hold_each_blocks_extremes_ignoring_nan() -> None:
    count = 3 * scan.BLOCK + 5
    generator = np.random.default_rng(7)
    highs = np.round(100 + generator.normal(0, 1, count), 2)
    lows = highs - 1.0
    highs[scan.BLOCK + 2] = np.nan
    lows[: scan.BLOCK] = np.nan  # a block of NaN only: reaches nothing
    lows[scan.BLOCK + 3] = np.nan
    columns = ScanColumns(highs, lows, np.arange(count, dtype=np.int64), indexed=True)
    assert columns.blocked
    assert len(columns.block_lows) == len(columns.block_highs) == 4
    for block in range(4):
        part = slice(block * scan.BLOCK, (block + 1) * scan.BLOCK)
        assert columns.block_highs[block] == np.nanmax(highs[part])
        if block == 0:
            assert math.isnan(columns.block_lows[block])
        else:
            assert columns.block_lows[block] == np.nanmin(lows[part])


def test_a_hit_many_blocks_away_and_one_before_the_start_in_its_block() -> None:
    count = 40 * scan.BLOCK
    highs = np.full(count, 101.0)
    lows = np.full(count, 99.0)
    times = np.arange(count, dtype=np.int64)
    lows[3] = 90.0  # in the first block, before the search's start
    lows[33 * scan.BLOCK + 7] = 90.0
    columns = ScanColumns(highs, lows, times, indexed=True)
    thresholds = Thresholds()
    thresholds.lower_touch(95.0)
    assert first_hit_in(thresholds, columns, 4, count) == 33 * scan.BLOCK + 7
    assert first_hit_in(thresholds, columns, 0, count) == 3
    assert first_hit_in(thresholds, columns, 4, 33 * scan.BLOCK + 7) == 33 * scan.BLOCK + 7
    thresholds.time_reached(20 * scan.BLOCK)  # reached first: that bar
    assert first_hit_in(thresholds, columns, 4, count) == 20 * scan.BLOCK


def test_times_that_decrease_are_not_indexed_and_search_as_before() -> None:
    highs = np.array([101.0, 101.0, 103.0, 101.0])
    lows = np.array([99.0, 99.0, 99.0, 99.0])
    times = np.array([0, 2, 1, 3], dtype=np.int64)
    columns = ScanColumns(highs, lows, times, indexed=True)
    assert columns.exact
    assert not columns.blocked
    thresholds = Thresholds(high_at_least=102.0, eligible_from=2)
    assert first_hit_in(thresholds, columns, 0, 4) == 4  # bar 2 opens before it is eligible
    assert first_hit_in(thresholds, columns, 0, 4) == masked_first_hit(
        thresholds, highs, lows, times, 0, 4
    )


def test_unindexed_columns_build_no_blocks() -> None:
    times = np.arange(3, dtype=np.int64)
    columns = ScanColumns(np.ones(3), np.ones(3), times)
    assert columns.exact
    assert not columns.blocked
    empty = ScanColumns(np.ones(0), np.ones(0), np.arange(0, dtype=np.int64), indexed=True)
    assert not empty.blocked
    assert first_hit_in(Thresholds(low_at_most=1.0), empty, 0, 0) == 0
