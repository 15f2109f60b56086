"""``indicators.crossing_points`` in one scan (each value against its neighbour, the side before
a run of zeros and NaNs looked up for the few rows after one) gives the crosses of the plain
rule: a defined value on the other side from the last defined value before it."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from paperdesk.analysis import indicators

UNDEFINED = st.sampled_from([0.0, -0.0, float("nan")])
SIDE = st.sampled_from([-2.0, -1.0, -1e-300, 1e-300, 1.0, 3.0, float("inf"), float("-inf")])


def plain_crossings(values: list[float]) -> tuple[list[int], list[int]]:
    positions, directions, carried = [], [], 0
    for row, value in enumerate(values):
        sign = 1 if value > 0 else -1 if value < 0 else 0
        if sign and carried and sign != carried:
            positions.append(row)
            directions.append(sign)
        carried = sign or carried
    return positions, directions


@st.composite
def series(draw: st.DrawFn) -> list[float]:
    """Runs of one side and runs of zeros and NaNs, short (stepped back over) and long (searched
    for), at the start, inside and at the end."""
    values: list[float] = []
    for _ in range(draw(st.integers(0, 12))):
        length = draw(st.sampled_from([1, 1, 2, 3, 4, 5, 6, 9, 40]))
        values += draw(
            st.lists(draw(st.sampled_from([UNDEFINED, SIDE])), min_size=length, max_size=length)
        )
    return values


@settings(max_examples=1500, deadline=None)
@given(values=series())
def test_the_crosses_are_the_plain_rule_s(values: list[float]) -> None:
    positions, directions = indicators.crossing_points(np.array(values, dtype=np.float64))
    assert (positions.tolist(), directions.tolist()) == plain_crossings(values)
    assert positions.dtype == np.intp
    assert directions.dtype == np.int8


def test_a_long_run_of_ties_carries_the_side_across() -> None:
    values = [np.nan] * 30 + [1.0] + [0.0] * 50 + [-1.0] + [0.0] * 7 + [-2.0, 0.0, 3.0]
    positions, directions = indicators.crossing_points(np.array(values))
    assert positions.tolist() == [81, 91]
    assert directions.tolist() == [-1, 1]
