"""``BarArrays`` decides the bar rule when its ``valid`` is first read (the fast path with its
compiled loops never reads it), as ``valid_rows`` decides it; and its close times as a result's
index (``close_index``) are the index ``engine.equity_curve.datetime_index`` makes of
``ts_close_ns``, never on the caller's memory."""

from __future__ import annotations

from decimal import Decimal

import numpy as np
import pandas as pd
import pytest

from paperdesk.analysis.strategies.registry import create_strategy
from paperdesk.config import RunConfig
from paperdesk.data.bar_convert import BarArrays
from paperdesk.data.bar_rule import valid_rows
from paperdesk.domain import Instrument
from paperdesk.engine.backtest import simulate
from paperdesk.engine.equity_curve import datetime_index


def bars(count: int = 300, unit: str = "us", with_close: bool = True) -> pd.DataFrame:
    generator = np.random.default_rng(4)
    close = np.round(100 + np.cumsum(generator.normal(0, 0.3, count)), 2)
    open_ = np.r_[100.0, close[:-1]]
    index = pd.date_range("2024-01-02", periods=count, freq="1min", tz="UTC", unit=unit)
    frame = pd.DataFrame(
        {
            "open": open_,
            "high": np.maximum(open_, close) + 0.05,
            "low": np.minimum(open_, close) - 0.05,
            "close": close,
            "volume": np.full(count, 100.0),
        },
        index=index,
    )
    if with_close:
        frame["ts_close"] = index + pd.Timedelta(minutes=1)
    frame.attrs.update(symbol="TEST", timeframe="1m")
    return frame


def test_the_validity_is_decided_when_first_read_as_valid_rows_decides_it() -> None:
    frame = bars()
    frame.iloc[5, frame.columns.get_loc("high")] = 0.5  # below its open and close
    frame.iloc[9, frame.columns.get_loc("volume")] = np.nan
    feed = BarArrays(frame, "TEST", "1m")
    assert feed._valid is None  # not decided yet (compiled, a BarArrays has no __dict__)
    valid = feed.valid
    assert np.array_equal(valid, valid_rows(feed.columns))
    assert not valid[5]
    assert not valid[9]
    assert valid.sum() == len(frame) - 2
    assert feed.valid is valid  # decided once
    with pytest.raises(Exception, match="high"):
        feed.bar(5)  # the per-bar check still names what is wrong


@pytest.mark.parametrize(
    ("unit", "with_close"), [("us", True), ("ns", True), ("s", True), ("us", False), ("ns", False)]
)
def test_the_close_index_is_the_index_of_the_close_nanoseconds(unit: str, with_close: bool) -> None:
    frame = bars(unit=unit, with_close=with_close)
    feed = BarArrays(frame, "TEST", "1m")
    expected = datetime_index(feed.ts_close_ns)
    index = feed.close_index()
    if index is None:  # the caller makes it (a copy)
        return
    assert index.equals(expected)
    assert (index.dtype, index.freq, index.name, index.tz) == (
        expected.dtype,
        expected.freq,
        expected.name,
        expected.tz,
    )
    assert index.tz is expected.tz
    for column in (frame.index, *([frame["ts_close"]] if with_close else [])):
        assert not np.shares_memory(index.asi8, pd.DatetimeIndex(column).asi8)


def test_a_converted_close_column_is_kept_without_a_copy() -> None:
    """The benchmark's frames (microseconds): the conversion to nanoseconds is the index."""
    feed = BarArrays(bars(unit="us"), "TEST", "1m")
    index = feed.close_index()
    assert index is not None
    assert np.shares_memory(index.asi8, feed.ts_close_ns)


@pytest.mark.parametrize("unit", ["us", "ns"])
@pytest.mark.parametrize("engine", ["fastpath", "event"])
def test_the_result_keeps_its_curve_times_when_the_bars_change(unit: str, engine: str) -> None:
    frame = bars(unit=unit)
    config = RunConfig(strategy="sma-cross", symbol="TEST", timeframe="1m", cash=Decimal(10_000))
    instrument = Instrument.equity("TEST", calendar="24/7")
    result = simulate(frame, create_strategy("sma-cross"), config, instrument, engine=engine)
    times = result.equity_curve.index
    expected = datetime_index(pd.DatetimeIndex(frame["ts_close"]).as_unit("ns").asi8.copy())
    assert times.equals(expected)
    assert times.dtype == expected.dtype
    assert times.freq is None
    frame["ts_close"] = frame["ts_close"] + pd.Timedelta(days=1)  # the caller's frame moves on
    frame.loc[:, "ts_close"] = frame["ts_close"] + pd.Timedelta(days=1)
    assert result.equity_curve.index.equals(expected)
