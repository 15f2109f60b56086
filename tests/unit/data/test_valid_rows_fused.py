"""``valid_rows`` (fewer passes: finiteness left to the comparisons, only close time pairs
divided) decides every row as its plain form, check by check, does."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from test_data_bar_rule import NUMBERS

from paperdesk.data.bar_rule import BarColumns, valid_rows, valid_rows_plain

INT64 = np.iinfo(np.int64)
TIMES = st.one_of(
    st.integers(INT64.min, INT64.max),
    st.sampled_from([INT64.min, INT64.min + 999, -1001, -1000, -999, -1, 0, 1, 999, 1000]),
    st.sampled_from([1001, 1999, 2000, INT64.max - 1000, INT64.max - 999, INT64.max]),
)


@st.composite
def extreme_columns(draw: st.DrawFn) -> BarColumns:
    rows = draw(st.integers(1, 40))
    values = [np.array(draw(st.lists(NUMBERS, min_size=rows, max_size=rows))) for _ in range(5)]
    opens = np.array(draw(st.lists(TIMES, min_size=rows, max_size=rows)), dtype=np.int64)
    offsets = draw(
        st.lists(st.one_of(st.integers(-3000, 3000), TIMES), min_size=rows, max_size=rows)
    )
    with np.errstate(over="ignore"):
        closes = np.array(
            [
                (int(start) + offset + 2**63) % 2**64 - 2**63
                for start, offset in zip(opens, offsets, strict=True)
            ],
            dtype=np.int64,
        )  # any int64 pair, near or far, either order
    return BarColumns(*values, opens, closes)


@settings(max_examples=500, deadline=None)
@given(frame=extreme_columns())
def test_valid_rows_equal_the_plain_checks(frame: BarColumns) -> None:
    assert np.array_equal(valid_rows(frame), valid_rows_plain(frame))
    untimed = BarColumns(frame.opens, frame.highs, frame.lows, frame.closes, frame.volumes)
    assert np.array_equal(valid_rows(untimed), valid_rows_plain(untimed))


def test_valid_rows_equal_the_plain_checks_on_random_bars() -> None:
    generator = np.random.default_rng(5)
    for _ in range(50):
        count = int(generator.integers(1, 5000))
        prices = generator.choice([1.0, 2.0, 0.0, -0.0, -1.0, np.nan, np.inf, -np.inf], (5, count))
        prices = np.where(generator.random((5, count)) < 0.7, generator.random((5, count)), prices)
        starts = generator.integers(-(10**15), 10**15, count)
        ends = starts + generator.choice([-1, 0, 1, 999, 1000, 1001, 60_000_000_000], count)
        frame = BarColumns(*prices, starts, ends)
        assert np.array_equal(valid_rows(frame), valid_rows_plain(frame))
