"""Signal frame rows become domain Signals one way (``SignalColumns``), for backtests and live."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from decimal import Decimal

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from paperdesk.analysis.strategies.base import SignalColumns, make_signal_frame, to_signals
from paperdesk.domain import Direction, InvalidInputError


def signal_frame(stop: float = 9.5, confidence: float = 0.75) -> pd.DataFrame:
    bars = pd.DataFrame(
        {"close": [1.0, 2.0, 3.0]},
        index=pd.date_range("2024-01-02", periods=3, freq="D", tz="UTC"),
    )
    return make_signal_frame(
        bars,
        np.array([0, 2]),
        [1, -1],
        confidence=[confidence, 1.0],
        stop=[stop, np.nan],
        target=[0.1 + 0.2, np.nan],
        reason=["cross up", "cross down"],
    )


def test_to_signals_and_the_backtests_columns_give_the_same_signals() -> None:
    frame = signal_frame()
    columns = SignalColumns(frame, "sma-cross", "SPY")
    signals = to_signals(frame, "sma-cross", "SPY")
    assert len(columns) == len(signals) == 2
    for k, stamp in enumerate(frame.index):
        assert columns.signal(k, stamp.to_pydatetime()) == signals[k]
    first, second = signals
    assert (first.direction, first.confidence, first.stop, first.target) == (
        Direction.LONG,
        0.75,
        Decimal("9.5"),
        Decimal("0.30000000000000004"),
    )
    assert (second.direction, second.stop, second.target, second.reason) == (
        Direction.SHORT,
        None,
        None,
        "cross down",
    )


@pytest.mark.parametrize(
    ("frame", "message"),
    [
        (signal_frame(stop=float("inf")), "stop must be a finite number"),
        (signal_frame().assign(confidence=[1.5, 1.0]), "confidence must be between 0 and 1"),
    ],
)
def test_a_row_outside_the_signal_rules_is_refused_by_both(
    frame: pd.DataFrame, message: str
) -> None:
    with pytest.raises(InvalidInputError, match=message):
        to_signals(frame, "s", "SPY")
    with pytest.raises(InvalidInputError, match=message):
        SignalColumns(frame, "s", "SPY").signal(0, frame.index[0].to_pydatetime())


_LEVELS = st.one_of(
    st.sampled_from([float("nan"), 0.0, -0.0, 9.5, 0.1 + 0.2, 1e-7, 123456.789]),
    st.floats(-1e6, 1e6, allow_nan=False),
)


@settings(max_examples=200, deadline=None)
@given(data=st.data(), count=st.integers(1, 30))
def test_signals_in_bulk_are_the_signals_one_by_one(data: st.DataObject, count: int) -> None:
    """``SignalColumns.signals`` (the fast path's rejections, column by column) gives by repr
    what ``signal`` gives each: repeated and NaN levels, zero of either sign; a row outside the
    Signal's rules (a confidence above 1, an infinite stop, a naive stamp) raises the same."""
    column = st.lists(_LEVELS, min_size=count, max_size=count)
    frame = pd.DataFrame(
        {
            "direction": data.draw(
                st.lists(st.sampled_from([-1, 0, 1]), min_size=count, max_size=count)
            ),
            "confidence": data.draw(
                st.lists(
                    st.sampled_from([0.0, -0.0, 0.3, 1.0, 1.5]), min_size=count, max_size=count
                )
            ),
            "stop": data.draw(st.one_of(column, st.just([float("inf")] * count))),
            "target": data.draw(column),
            "reason": [f"row {k}" for k in range(count)],
        }
    )
    ks = data.draw(st.lists(st.integers(0, count - 1), max_size=40))
    aware = data.draw(st.booleans()) or not ks
    stamps = [
        datetime(2024, 1, 2, 15, k % 60, tzinfo=UTC if aware else None) for k in range(len(ks))
    ]
    columns = SignalColumns(frame, "sma-cross", "SPY")
    try:
        expected = [columns.signal(k, stamp) for k, stamp in zip(ks, stamps, strict=True)]
    except InvalidInputError as error:
        with pytest.raises(InvalidInputError, match=re.escape(str(error))):
            columns.signals(ks, stamps)
        return
    assert repr(columns.signals(ks, stamps)) == repr(expected)


def test_a_frame_whose_directions_are_floats_converts_as_one_of_ints() -> None:
    """A user's frame may hold its directions as floats (1.0, -1.0): the compiled conversion
    reads them as the interpreted one does (``Direction`` looked up by value), and a value that
    is no direction is refused with the frame named."""
    frame = signal_frame()
    floats = frame.assign(direction=frame["direction"].astype(np.float64))
    stamps = [stamp.to_pydatetime() for stamp in frame.index]
    as_ints = SignalColumns(frame, "s", "SPY")
    as_floats = SignalColumns(floats, "s", "SPY")
    for k, stamp in enumerate(stamps):
        assert as_floats.signal(k, stamp) == as_ints.signal(k, stamp)
    assert as_floats.signals([0, 1], stamps) == as_ints.signals([0, 1], stamps)
    unknown = SignalColumns(frame.assign(direction=[1, 7]), "s", "SPY")
    with pytest.raises(InvalidInputError, match=r"strategy 's': its signal for SPY .* not usable"):
        unknown.signal(1, stamps[1])
