"""Timeframes nobody stored are resampled from a finer stored series, along the market
calendar, and a resampled bar is visible only once its last underlying bar has closed.

The expected values are worked out by hand from the bundled Lean SPY files (the rows are
quoted in each test): Thanksgiving week 2019 has no session on Thursday 28 November and an
early close (13:00 New York, 18:00 UTC) on Friday 29 November.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pandas as pd
import pytest

from paperdesk.data.clock import FixedClock
from paperdesk.data.derived_bars import source_timeframes
from paperdesk.data.manager import DataManager


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


def _row(frame: pd.DataFrame, label: str) -> dict[str, object]:
    row = frame.loc[pd.Timestamp(label, tz="UTC")]
    return {key: row[key] for key in ("open", "high", "low", "close", "volume", "ts_close")}


def test_a_weekly_bar_is_a_trading_week() -> None:
    # lean_SPY_1d.csv, the week of 25 November 2019 (no row for the 28th, a holiday):
    # 2019-11-25 311.99,313.37,311.98,313.37,40447004
    # 2019-11-26 313.42,314.28,313.06,314.08,33060315
    # 2019-11-27 314.67,315.48,314.37,315.48,39384378
    # 2019-11-29 314.89,315.13,314.06,314.31,26816024
    weeks = DataManager(clock=FixedClock(utc(2020, 1, 1))).get_bars("SPY", "1w")
    assert weeks.attrs["timeframe"] == "1w"
    assert _row(weeks, "2019-11-25") == {
        "open": 311.99,
        "high": 315.48,
        "low": 311.98,
        "close": 314.31,
        "volume": 139707721.0,
        "ts_close": pd.Timestamp("2019-11-29 18:00", tz="UTC"),  # the early close
    }
    labels = weeks.loc["2019-11-18":"2019-12-09"].index.strftime("%Y-%m-%d").tolist()
    assert labels == ["2019-11-18", "2019-11-25", "2019-12-02", "2019-12-09"]


def test_a_monthly_bar_is_a_trading_month() -> None:
    months = DataManager(clock=FixedClock(utc(2020, 1, 1))).get_bars("SPY", "1mo")
    november = _row(months, "2019-11-01")  # its first session: Friday 1 November
    assert november["ts_close"] == pd.Timestamp("2019-11-29 18:00", tz="UTC")
    days = DataManager(clock=FixedClock(utc(2020, 1, 1))).get_bars("SPY", "1d")
    month = days.loc["2019-11-01":"2019-11-30"]
    assert november["open"] == month["open"].iloc[0]
    assert november["close"] == month["close"].iloc[-1]
    assert november["high"] == month["high"].max()
    assert november["low"] == month["low"].min()
    assert november["volume"] == month["volume"].sum()


def test_four_hour_bars_stay_inside_the_session() -> None:
    # lean_SPY_1h.csv on 2019-11-27 (session 14:30-21:00 UTC; Lean labels 14:00 the bar that
    # trades from the open to 15:00):
    # 14:00 314.67,314.68,314.38,314.61,3096383    19:00 315.3,315.43,315.21,315.34,2810461
    # 15:00 314.62,314.75,314.37,314.68,8086705    20:00 315.33,315.48,315.23,315.48,9611162
    # 16:00 314.68,314.89,314.51,314.85,8606284
    # 17:00 314.85,315.01,314.84,314.94,2622443
    # 18:00 314.94,315.42,314.9,315.3,4550940
    bars = DataManager(clock=FixedClock(utc(2020, 1, 1))).get_bars("SPY", "4h")
    day = bars.loc["2019-11-27"]
    assert day.index.strftime("%H:%M").tolist() == ["14:30", "18:30"]
    assert _row(bars, "2019-11-27 14:30") == {
        "open": 314.67,
        "high": 315.42,
        "low": 314.37,
        "close": 315.3,
        "volume": 26962755.0,
        # the 18:00 bar runs to 19:00, past the 18:30 edge: the bucket closes with it
        "ts_close": pd.Timestamp("2019-11-27 19:00", tz="UTC"),
    }
    assert _row(bars, "2019-11-27 18:30") == {
        "open": 315.3,
        "high": 315.48,
        "low": 315.21,
        "close": 315.48,
        "volume": 12421623.0,
        "ts_close": pd.Timestamp("2019-11-27 21:00", tz="UTC"),
    }
    friday = bars.loc["2019-11-29"]  # early close: one bar, closing at 18:00 UTC
    assert friday.index.strftime("%H:%M").tolist() == ["14:30"]
    assert friday["ts_close"].iloc[0] == pd.Timestamp("2019-11-29 18:00", tz="UTC")


@pytest.mark.parametrize(
    ("timeframe", "label", "close"),
    [
        ("4h", "2019-11-27 14:30", utc(2019, 11, 27, 19)),
        ("1w", "2019-11-25", utc(2019, 11, 29, 18)),
        ("1mo", "2019-11-01", utc(2019, 11, 29, 18)),
    ],
)
def test_a_resampled_bar_is_visible_only_once_its_last_bar_has_closed(
    timeframe: str, label: str, close: datetime
) -> None:
    clock = FixedClock(close - pd.Timedelta(seconds=1))
    manager = DataManager(clock=clock)
    before = manager.get_bars("SPY", timeframe)
    assert pd.Timestamp(label, tz="UTC") not in before.index
    assert (before["ts_close"] <= clock.now()).all()
    clock.set(close)
    after = manager.get_bars("SPY", timeframe)
    assert after.index[-1] == pd.Timestamp(label, tz="UTC")
    assert after["ts_close"].iloc[-1] == close


def test_sources_are_whole_divisors_coarsest_first() -> None:
    assert source_timeframes("4h") == ["1h", "30m", "15m", "5m", "1m"]
    assert source_timeframes("90m") == ["30m", "15m", "5m", "1m"]
    assert source_timeframes("1w") == ["1d", "1h", "30m", "15m", "5m", "1m"]
    assert source_timeframes("1h") == ["30m", "15m", "5m", "1m"]
    assert source_timeframes("2d") == ["1d", "1h", "30m", "15m", "5m", "1m"]
