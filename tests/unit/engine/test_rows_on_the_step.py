"""``backtest._rows_of`` finds the signals' rows first where a regular bar index would hold them
(``_rows_on_the_step``, each guess checked), then by a binary search: the rows
``index.get_indexer`` gives, on regular and irregular indexes, absent and unsorted labels, and
stamps far enough apart that their differences wrap past int64."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from paperdesk.engine.backtest import _rows_of, _rows_on_the_step

INT64 = np.iinfo(np.int64)
STAMP = st.integers(INT64.min + 1, INT64.max)  # the least int64 is NaT
MINUTE = 60_000_000_000


@st.composite
def index_and_labels(draw: st.DrawFn) -> tuple[pd.DatetimeIndex, pd.DatetimeIndex]:
    kind = draw(st.sampled_from(["regular", "gaps", "any"]))
    if kind == "any":
        values = sorted(set(draw(st.lists(STAMP, min_size=1, max_size=30))))
    else:
        count = draw(st.integers(1, 40))
        step = draw(st.sampled_from([1, 1000, MINUTE, 86_400_000_000_000]))
        start = draw(st.integers(-(2**40), 2**40)) * 1000
        values = [start + step * row for row in range(count)]
        if kind == "gaps" and count > 2:
            cut = draw(st.integers(1, count - 1))
            gap = draw(st.integers(1, 5)) * step + draw(st.sampled_from([0, 1, 7]))
            values = values[:cut] + [value + gap for value in values[cut:]]
    stamps = np.array(values, dtype=np.int64)
    present = draw(st.lists(st.sampled_from(values), max_size=20))
    near = [v + draw(st.sampled_from([-1, 1, 500, -999])) for v in present[:5]]
    near = [v for v in near if INT64.min < v <= INT64.max]
    far = draw(st.lists(STAMP, max_size=5))
    labels = draw(st.permutations(present + near + far))
    index = pd.DatetimeIndex(stamps.view("M8[ns]")).tz_localize("UTC")
    wanted = pd.DatetimeIndex(np.array(labels, dtype=np.int64).view("M8[ns]")).tz_localize("UTC")
    return index, wanted


@settings(max_examples=600, deadline=None)
@given(drawn=index_and_labels())
def test_the_rows_are_get_indexer_s(drawn: tuple[pd.DatetimeIndex, pd.DatetimeIndex]) -> None:
    index, labels = drawn
    assert _rows_of(index, labels).tolist() == index.get_indexer(labels).tolist()
    guessed = _rows_on_the_step(index.asi8, labels.asi8)
    found = guessed >= 0
    assert (index.asi8[guessed[found]] == labels.asi8[found]).all()  # a guess kept is the row


def test_a_regular_index_needs_no_search() -> None:
    """The benchmark's case: every signal of a gapless minute history found on the step."""
    index = pd.date_range("2020-01-01", periods=5_000, freq="1min", tz="UTC", unit="ns")
    rows = np.array([3, 17, 18, 400, 4_999, 0])
    guessed = _rows_on_the_step(index.asi8, index[rows].asi8)
    assert guessed.tolist() == rows.tolist()
    absent = index[[5, 9]] + pd.Timedelta(seconds=30)
    assert _rows_on_the_step(index.asi8, absent.asi8).tolist() == [-1, -1]
    assert _rows_of(index, absent).tolist() == [-1, -1]
