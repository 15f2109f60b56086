"""Frame rows become domain Bars one way: exact decimals of the floats, checked once."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pandas as pd
import pytest

from paperdesk.data import find_bundled, load_bars
from paperdesk.data.bar_convert import BarArrays, bar_at
from paperdesk.domain import InvalidInputError


def frame(rows: list[tuple[float, float, float, float, float]]) -> pd.DataFrame:
    index = pd.date_range("2024-01-02", periods=len(rows), freq="D", tz="UTC", name="ts")
    bars = pd.DataFrame(rows, columns=["open", "high", "low", "close", "volume"], index=index)
    bars["ts_close"] = index + pd.Timedelta(hours=21)
    bars.attrs.update(symbol="SPY", timeframe="1d")
    return bars


def test_the_fast_feed_and_bar_at_build_the_same_bars() -> None:
    bars = load_bars(find_bundled("SPY", "1d"), symbol="SPY", timeframe="1d")
    feed = BarArrays(bars, "SPY", "1d")
    assert feed.valid.all()
    for position in (0, 1, len(bars) // 2, len(bars) - 1):
        assert feed.bar(position) == bar_at(bars, position) == feed.checked_bar(position)


def test_prices_are_the_decimals_of_the_floats_shortest_reprs() -> None:
    bars = frame([(0.1 + 0.2, 0.30000000000000004, 0.1, 0.3, 1234.5)])
    bar = bar_at(bars, 0)
    assert (bar.open, bar.low, bar.close) == (
        Decimal("0.30000000000000004"),
        Decimal("0.1"),
        Decimal("0.3"),
    )
    assert bar.volume == Decimal("1234.5")
    assert bar.ts_open == datetime(2024, 1, 2, tzinfo=UTC)
    assert bar.ts_close == datetime(2024, 1, 2, 21, tzinfo=UTC)
    assert BarArrays(bars, "SPY", "1d").bar(0) == bar


@pytest.mark.parametrize(
    ("row", "reason"),
    [
        ((10.0, 9.0, 11.0, 10.0, 1.0), "high 9.0 is below low 11.0"),
        ((10.0, 11.0, 9.0, float("nan"), 1.0), "close is missing or NaN"),
        ((10.0, 11.0, 9.0, 10.0, -1.0), "volume -1.0 is negative"),
    ],
)
def test_an_invalid_row_is_refused_in_the_rules_words(
    row: tuple[float, float, float, float, float], reason: str
) -> None:
    bars = frame([(10.0, 11.0, 9.0, 10.5, 1.0), row])
    feed = BarArrays(bars, "SPY", "1d")
    assert feed.valid.tolist() == [True, False]
    for convert in (lambda: feed.bar(1), lambda: bar_at(bars, 1)):
        with pytest.raises(InvalidInputError) as caught:
            convert()
        assert str(caught.value) == f"bar SPY 1d at 2024-01-03T00:00:00+00:00: {reason}"


def test_a_frame_without_close_times_closes_one_timeframe_after_each_open() -> None:
    bars = frame([(10.0, 11.0, 9.0, 10.5, 1.0)]).drop(columns="ts_close")
    assert bar_at(bars, 0).ts_close == datetime(2024, 1, 3, tzinfo=UTC)
    assert BarArrays(bars, "SPY", "1d").bar(0) == bar_at(bars, 0)
