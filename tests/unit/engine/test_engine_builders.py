"""The engine tests' builders stay what the tests were written against: ``make_bars`` (built
column by column on shared stamps) gives the frame the row-wise constructor gives, and a
``Scripted`` strategy's remembered signal frame is handed out as a copy of its own and is
made anew for other bars."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from engine_builders import Scripted, make_bars


def _row_wise(
    rows: list[tuple[float, float, float, float]], volume: float, start: str, freq: str
) -> pd.DataFrame:
    """The bars as ``make_bars`` first built them: one row a tuple, a date range per frame."""
    index = pd.date_range(start, periods=len(rows), freq=freq, tz="UTC", name="ts")
    frame = pd.DataFrame(
        rows, columns=["open", "high", "low", "close"], index=index, dtype=np.float64
    )
    frame["volume"] = volume
    frame["ts_close"] = index + pd.Timedelta(freq)
    frame.attrs.update(symbol="TEST", timeframe=freq.replace("min", "m"))
    return frame


@pytest.mark.parametrize("count", [0, 1, 2, 37])
@pytest.mark.parametrize(
    ("volume", "start", "freq"),
    [
        (1000.0, "2024-01-02 14:00", "1h"),
        (5.0, "2024-03-01 09:30", "1min"),
        (0.0, "2020-01-01", "1D"),
    ],
)
def test_make_bars_gives_the_row_wise_frame(
    count: int, volume: float, start: str, freq: str
) -> None:
    generator = np.random.default_rng(count)
    rows = [tuple(float(value) for value in generator.random(4) * 100) for _ in range(count)]
    rows = [(100, 101, 99, 100.5), *rows[1:]] if rows else rows  # whole numbers too
    built = make_bars(rows, volume=volume, start=start, freq=freq)  # type: ignore[arg-type]
    expected = _row_wise(rows, volume, start, freq)  # type: ignore[arg-type]
    pd.testing.assert_frame_equal(built, expected, check_exact=True, check_freq=True)
    assert built.attrs == expected.attrs
    assert list(built.dtypes) == list(expected.dtypes)


def test_frames_sharing_stamps_stay_apart() -> None:
    """Two frames of one length share their stamps; changing one leaves the other as made."""
    first = make_bars([(1.0, 2.0, 0.5, 1.5)] * 3)
    second = make_bars([(1.0, 2.0, 0.5, 1.5)] * 3)
    first.loc[first.index[0], "ts_close"] = pd.Timestamp("2030-01-01", tz="UTC")
    first.loc[first.index[1], "close"] = 9.0
    pd.testing.assert_frame_equal(
        second, _row_wise([(1.0, 2.0, 0.5, 1.5)] * 3, 1000.0, "2024-01-02 14:00", "1h")
    )


def test_a_frames_index_renamed_leaves_the_next_frames_as_made() -> None:
    """The stamps are cached per length: a test (or code under test) that names or re-times
    its frame's index in place must not change the index of every later frame of that length."""
    first = make_bars([(1.0, 2.0, 0.5, 1.5)] * 4)
    first.index.name = "renamed"
    first.index.freq = None
    second = make_bars([(1.0, 2.0, 0.5, 1.5)] * 4)
    assert second.index.name == "ts"
    pd.testing.assert_frame_equal(
        second,
        _row_wise([(1.0, 2.0, 0.5, 1.5)] * 4, 1000.0, "2024-01-02 14:00", "1h"),
        check_freq=True,
    )


def test_the_remembered_signals_are_a_copy_and_follow_the_bars() -> None:
    bars = make_bars([(10.0 + row, 11.0 + row, 9.0 + row, 10.5 + row) for row in range(6)])
    strategy = Scripted({0: 1, 2: (-1, 14.0, 9.0), 4: 0})
    fresh = Scripted(strategy.script).signals(bars)
    handed = [strategy.signals(bars) for _ in range(3)]
    for frame in handed:  # each caller's change is its own
        pd.testing.assert_frame_equal(frame, fresh)
        frame.loc[frame.index[0], "direction"] = -1
    assert len({id(frame) for frame in handed}) == 3
    pd.testing.assert_frame_equal(strategy.signals(bars), fresh)
    later = make_bars([(10.0,) * 4] * 6, start="2025-06-02 14:00")
    assert strategy.signals(later).index.equals(later.index[[0, 2, 4]])  # other bars
    assert strategy.signals(bars.iloc[:3]).index.equals(bars.index[[0, 2]])
    assert strategy.signals(bars).index.equals(bars.index[[0, 2, 4]])
    bars.index = later.index  # the same frame, its index replaced
    assert strategy.signals(bars).index.equals(later.index[[0, 2, 4]])
