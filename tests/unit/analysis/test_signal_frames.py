"""make_signal_frame's keyword defaults and checks; signals() checks what compute() returns."""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np
import pandas as pd
import pytest

from paperdesk.analysis.strategies.base import (
    SIGNAL_COLUMNS,
    NoParameters,
    Strategy,
    make_signal_frame,
)
from paperdesk.domain import InvalidInputError


def make_bars(count: int) -> pd.DataFrame:
    closes = np.linspace(100.0, 110.0, count)
    return pd.DataFrame(
        {"open": closes, "high": closes, "low": closes, "close": closes, "volume": 1.0},
        index=pd.date_range("2024-01-01", periods=count, freq="D", tz="UTC"),
    )


def test_single_values_are_broadcast_to_every_row() -> None:
    bars = make_bars(10)
    frame = make_signal_frame(bars, [2, 5, 7], 1, reason="cross")
    assert list(frame.columns) == list(SIGNAL_COLUMNS)
    assert list(frame.index) == list(bars.index[[2, 5, 7]])
    assert frame["direction"].dtype == np.int8
    assert frame["direction"].tolist() == [1, 1, 1]
    assert frame["confidence"].tolist() == [1.0, 1.0, 1.0]
    assert frame["stop"].isna().all()
    assert frame["target"].isna().all()
    assert frame["reason"].tolist() == ["cross", "cross", "cross"]


def test_per_row_values_and_clipped_confidence() -> None:
    frame = make_signal_frame(
        make_bars(10),
        np.array([1, 4]),
        [1, -1],
        confidence=[1.5, np.nan],
        stop=[99.0, 111.0],
        target=120.0,
        reason=["up", "down"],
    )
    assert frame["direction"].tolist() == [1, -1]
    assert frame["confidence"].tolist() == [1.0, 0.0]
    assert frame["stop"].tolist() == [99.0, 111.0]
    assert frame["target"].tolist() == [120.0, 120.0]
    assert frame["reason"].tolist() == ["up", "down"]


def test_no_rows_give_the_empty_frame() -> None:
    frame = make_signal_frame(make_bars(3), np.empty(0, dtype=np.intp), [])
    assert frame.empty
    assert list(frame.columns) == list(SIGNAL_COLUMNS)
    assert frame["direction"].dtype == np.int8


@pytest.mark.parametrize(
    ("positions", "changes", "message"),
    [
        ([3, 1], {}, "strictly ascending row numbers in \\[0, 5\\), got \\[3, 1\\]"),
        ([1, 1], {}, "strictly ascending"),
        ([5], {}, "in \\[0, 5\\), got \\[5\\]"),
        ([1.0], {}, "1-D array of row numbers, got dtype float64"),
        ([1, 2], {"direction": 2}, "direction must be 1, -1 or 0, got \\[2.0\\]"),
        ([1, 2], {"stop": [1.0, 2.0, 3.0]}, "signal stop has shape \\(3,\\) for 2 signal rows"),
        ([1, 2], {"reason": ["only one"]}, "signal reason has 1 values for 2 signal rows"),
    ],
)
def test_bad_arguments_are_named(
    positions: list[Any], changes: dict[str, Any], message: str
) -> None:
    arguments: dict[str, Any] = {"direction": 1}
    arguments.update(changes)
    direction = arguments.pop("direction")
    with pytest.raises(InvalidInputError, match=message):
        make_signal_frame(make_bars(5), positions, direction, **arguments)


def test_signals_refuses_a_compute_that_returns_no_signal_frame() -> None:
    class Careless(Strategy[NoParameters]):
        name: ClassVar[str] = "careless"
        description: ClassVar[str] = "test double"

        @property
        def warmup(self) -> int:
            return 0

        def compute(self, bars: pd.DataFrame) -> pd.DataFrame:
            return bars[["close"]]

    with pytest.raises(InvalidInputError, match="strategy 'careless': compute\\(\\) must return"):
        Careless().signals(make_bars(5))
