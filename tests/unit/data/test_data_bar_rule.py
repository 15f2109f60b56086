"""The bar rule's vectorised form decides and words every row exactly as the scalar form."""

from __future__ import annotations

from decimal import Decimal

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from paperdesk.data.bar_rule import (
    BarColumns,
    check_columns,
    first_failure,
    problem_masks,
    valid_rows,
)
from paperdesk.domain.bar_rule import (
    HIGH_BELOW_LOW,
    NEGATIVE_VOLUME,
    NOT_POSITIVE,
    OUTSIDE_RANGE,
    BarProblem,
    bar_problems,
)

FIELDS = ("open", "high", "low", "close", "volume")

# values near the edges of the rule: zero (both signs), negatives, NaN, infinities, ties
EDGES = [0.0, -0.0, -1.0, 1.0, 2.0, 0.1, 0.2, 0.30000000000000004, 1e-300, 1e300]
NUMBERS = st.one_of(
    st.sampled_from([*EDGES, float("nan"), float("inf"), float("-inf")]),
    st.floats(allow_nan=True, allow_infinity=True),
    st.floats(min_value=0.5, max_value=2.0),
)
MINUTE = 60_000_000_000


@st.composite
def columns(draw: st.DrawFn) -> BarColumns:
    rows = draw(st.integers(1, 30))
    values = [np.array(draw(st.lists(NUMBERS, min_size=rows, max_size=rows))) for _ in range(5)]
    opens = np.array(draw(st.lists(st.integers(0, 10**6), min_size=rows, max_size=rows)))
    lengths = np.array(
        draw(st.lists(st.sampled_from([-MINUTE, -1, 0, 1, 999, 1000, MINUTE]), min_size=rows,
                      max_size=rows))
    )  # fmt: skip
    ts_open = opens.astype(np.int64) * MINUTE
    return BarColumns(*values, ts_open, ts_open + lengths.astype(np.int64))


def scalar_problems(frame: BarColumns, row: int) -> list[BarProblem]:
    """The scalar form on row ``row``, given the Decimals and datetimes a Bar would hold."""
    assert frame.ts_open_ns is not None
    assert frame.ts_close_ns is not None
    prices = (Decimal(repr(float(frame.value(name)[row]))) for name in FIELDS)
    times = (
        pd.Timestamp(int(frame.ts_open_ns[row]), tz="UTC").floor("us").to_pydatetime(),
        pd.Timestamp(int(frame.ts_close_ns[row]), tz="UTC").floor("us").to_pydatetime(),
    )
    return bar_problems(*prices, *times)


@settings(max_examples=300, deadline=None)
@given(frame=columns())
def test_vectorised_and_scalar_forms_agree_on_every_row(frame: BarColumns) -> None:
    valid = valid_rows(frame)
    masks = problem_masks(frame)
    report = check_columns(frame, limit=10_000)
    assert np.array_equal(report.valid, valid)
    assert report.total == sum(int(mask.sum()) for _field, _check, mask in masks)
    expected = []
    for row in range(len(frame.opens)):
        scalar = scalar_problems(frame, row)
        assert bool(valid[row]) == (scalar == [])
        flagged = sorted((field, check) for field, check, mask in masks if mask[row])
        assert flagged == sorted((problem.field, problem.check) for problem in scalar)
        expected.extend((row, problem) for problem in scalar)
    assert report.problems == expected  # the same words, row by row


def test_reasons_are_the_scalar_words_for_the_values_a_bar_would_hold() -> None:
    frame = BarColumns(
        np.array([10.5, 12.0, 10.0]),
        np.array([10.6, 11.0, 9.0]),
        np.array([10.0, 9.0, 11.0]),
        np.array([11.0, 10.0, 10.0]),
        np.array([1.0, -5.0, 1.0]),
    )
    report = check_columns(frame)
    assert [(row, problem.reason) for row, problem in report.problems] == [
        (0, "high 10.6 is below close 11.0 (close is outside the low-high range)"),
        (1, "volume -5.0 is negative"),
        (1, "high 11.0 is below open 12.0 (open is outside the low-high range)"),
        (2, "high 9.0 is below low 11.0"),
    ]
    assert report.total == 4
    assert report.valid.tolist() == [False, False, False]


def test_the_first_problems_are_worded_and_all_are_counted() -> None:
    rows = 5000
    bad = np.full(rows, -1.0)
    frame = BarColumns(bad, bad, bad, bad, bad)
    report = check_columns(frame, limit=10)
    assert report.total == rows * 5
    assert len(report.problems) == 10
    assert [row for row, _problem in report.problems] == [0] * 5 + [1] * 5


@pytest.mark.parametrize(
    ("row", "check"),
    [
        ((0.0, 2.0, 0.5, 1.0, 10.0), NOT_POSITIVE),
        ((1.0, 0.5, 0.8, 0.9, 10.0), HIGH_BELOW_LOW),
        ((3.0, 2.0, 0.5, 1.0, 10.0), OUTSIDE_RANGE),
        ((1.0, 2.0, 0.5, 1.5, -1.0), NEGATIVE_VOLUME),
    ],
)
def test_first_failure_names_the_check_and_its_first_row(
    row: tuple[float, ...], check: str
) -> None:
    good = (1.0, 2.0, 0.5, 1.5, 10.0)
    frame = BarColumns(*(np.array([good[i], row[i], row[i]]) for i in range(5)))
    assert first_failure(frame) == (check, 1)
    assert first_failure(BarColumns(*(np.array([value]) for value in good))) is None
