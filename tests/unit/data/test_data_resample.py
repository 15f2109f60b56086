"""Session-aware resampling on real bundled bars and on synthetic XNYS minutes."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
import pytest

from paperdesk.data import find_bundled, load_bars, market_calendar, resample
from paperdesk.domain import InvalidInputError

NEW_YORK = ZoneInfo("America/New_York")


def minute_frame(index: pd.DatetimeIndex, calendar: str = "XNYS") -> pd.DataFrame:
    count = len(index)
    close = 100.0 + np.arange(count) * 0.01
    frame = pd.DataFrame(
        {
            "open": close - 0.005,
            "high": close + 0.02,
            "low": close - 0.02,
            "close": close,
            "volume": np.arange(1, count + 1, dtype=np.float64),
        },
        index=pd.DatetimeIndex(index, name="ts").tz_convert("UTC").as_unit("ns"),
    )
    frame["ts_close"] = frame.index + pd.Timedelta(minutes=1)
    frame.attrs.update(symbol="TEST", timeframe="1m", calendar=calendar)
    return frame


def xnys_minutes(day: str, start: str = "04:00", end: str = "19:59") -> pd.DatetimeIndex:
    return pd.date_range(f"{day} {start}", f"{day} {end}", freq="min", tz=NEW_YORK)


def assert_within_sessions(bars: pd.DataFrame, calendar: str) -> None:
    sessions = market_calendar(calendar).sessions(
        bars.index[0].date() - pd.Timedelta(days=2), bars.index[-1].date() + pd.Timedelta(days=2)
    )
    opens = pd.DatetimeIndex(sessions["open"]).asi8
    closes = pd.DatetimeIndex(sessions["close"]).asi8
    for start, stop in zip(bars.index.asi8, pd.DatetimeIndex(bars["ts_close"]).asi8, strict=True):
        position = np.searchsorted(closes, start, side="right")
        assert opens[position] <= start < stop <= closes[position], (start, stop)


def test_bitcoin_1m_to_1h_on_real_coinbase_data() -> None:
    minutes = load_bars(find_bundled("BTCUSD", "1m"))
    hours = resample(minutes, "1h")
    assert hours.attrs["timeframe"] == "1h"
    assert hours.attrs["calendar"] == "24/7"
    assert list(hours.columns) == ["open", "high", "low", "close", "volume", "ts_close"]
    assert hours["volume"].sum() == pytest.approx(minutes["volume"].sum(), rel=1e-12)
    assert (hours.index.minute == 0).all()
    assert ((hours["ts_close"] - hours.index) == pd.Timedelta(hours=1)).all()
    first = minutes.loc["2016-10-07 00:00":"2016-10-07 00:59"]
    bar = hours.iloc[0]
    assert bar["open"] == first["open"].iloc[0]
    assert bar["high"] == first["high"].max()
    assert bar["low"] == first["low"].min()
    assert bar["close"] == first["close"].iloc[-1]
    assert bar["volume"] == pytest.approx(first["volume"].sum())
    # every hour holding data is present; the sample is 9 separate days, so none is invented
    assert len(hours) == minutes.index.floor("h").nunique()


def test_xnys_minutes_to_hours_anchored_at_the_open_with_an_early_close() -> None:
    index = xnys_minutes("2024-11-27").append(xnys_minutes("2024-11-29"))  # 28th: Thanksgiving
    frame = minute_frame(index)
    hours = resample(frame, "1h")
    local = hours.index.tz_convert(NEW_YORK)
    closes = pd.DatetimeIndex(hours["ts_close"]).tz_convert(NEW_YORK)
    regular = [f"{h:02d}:30" for h in range(9, 16)]
    assert [ts.strftime("%H:%M") for ts in local[local.day == 27]] == regular
    assert [ts.strftime("%H:%M") for ts in closes[closes.day == 27]][-2:] == ["15:30", "16:00"]
    assert [ts.strftime("%H:%M") for ts in local[local.day == 29]] == regular[:4]
    assert [ts.strftime("%H:%M") for ts in closes[closes.day == 29]] == [
        "10:30",
        "11:30",
        "12:30",
        "13:00",
    ]
    assert_within_sessions(hours, "XNYS")
    in_session = frame[frame.index.map(market_calendar("XNYS").is_open).to_numpy(dtype=bool)]
    assert hours["volume"].sum() == in_session["volume"].sum()
    assert hours.attrs["dropped_outside_sessions"] == len(frame) - len(in_session)
    last = hours.iloc[-1]  # 12:30-13:00 on the early close
    tail = frame.loc[
        datetime(2024, 11, 29, 17, 30, tzinfo=UTC) : datetime(2024, 11, 29, 17, 59, tzinfo=UTC)
    ]
    assert last["close"] == tail["close"].iloc[-1]
    assert last["volume"] == tail["volume"].sum()


def test_xnys_minutes_to_daily_one_bar_per_session() -> None:
    frame = minute_frame(xnys_minutes("2024-11-27").append(xnys_minutes("2024-11-29")))
    days = resample(frame, "1d")
    assert [ts.date().isoformat() for ts in days.index] == ["2024-11-27", "2024-11-29"]
    assert (days.index.hour == 0).all()
    assert list(pd.DatetimeIndex(days["ts_close"]).tz_convert(NEW_YORK).hour) == [16, 13]


def test_partial_last_bar_is_dropped_unless_asked() -> None:
    frame = minute_frame(xnys_minutes("2024-03-06", "09:30", "10:44"))
    assert len(resample(frame, "1h")) == 1  # 10:30-11:30 is not complete
    assert len(resample(frame, "1h", include_partial=True)) == 2
    now = datetime(2024, 3, 6, 15, 31, tzinfo=UTC)  # 10:31 New York
    assert len(resample(frame, "1h", now=now)) == 1
    assert len(resample(frame, "15m")) == 5
    assert len(resample(frame, "15m", include_partial=True)) == 5


def test_spy_hours_to_days_match_lean_daily_bars() -> None:
    hourly = load_bars(find_bundled("SPY", "1h"))
    daily = load_bars(find_bundled("SPY", "1d"))
    derived = resample(hourly, "1d")
    assert derived.index.equals(daily.index)
    assert (derived["ts_close"] == daily["ts_close"]).all()  # early closes included
    assert (derived["open"] == daily["open"]).all()
    assert (derived["volume"] == daily["volume"]).mean() > 0.99
    # Lean's first hour bar is labelled 09:00 ET but holds 09:30-10:00: it starts the session
    first_hours = resample(hourly.loc["2019-11-29"], "1h")
    assert first_hours.index[0] == pd.Timestamp("2019-11-29 14:30", tz="UTC")


def test_forex_hours_to_days_end_at_17_00_new_york() -> None:
    hourly = load_bars(find_bundled("EURUSD", "1h")).loc["2018-03-05":"2018-03-16"]
    days = resample(hourly, "1d")
    assert_within_sessions(days, "FX")
    closes = pd.DatetimeIndex(days["ts_close"]).tz_convert(NEW_YORK)
    assert (closes.hour == 17).all()
    assert (closes.minute == 0).all()
    assert (days.index.tz_convert(NEW_YORK).hour == 17).all()
    # the week of 2018-03-12 starts after the US DST change: 21:00 UTC instead of 22:00
    assert days.index[0] == pd.Timestamp("2018-03-04 22:00", tz="UTC")
    assert pd.Timestamp("2018-03-11 21:00", tz="UTC") in days.index
    four_hours = resample(hourly, "4h")
    assert_within_sessions(four_hours, "FX")
    assert set(four_hours.index.tz_convert(NEW_YORK).hour) <= {17, 21, 1, 5, 9, 13}


def test_invalid_requests() -> None:
    frame = minute_frame(xnys_minutes("2024-03-06", "09:30", "10:44"))
    with pytest.raises(InvalidInputError, match="finer"):
        resample(resample(frame, "15m"), "5m")
    with pytest.raises(InvalidInputError, match="intraday targets"):
        resample(frame, "1w")
    doubled = pd.concat([frame, frame.iloc[:1]]).sort_index()
    with pytest.raises(InvalidInputError, match="duplicate"):
        resample(doubled, "1h")


def test_a_bucket_closes_no_earlier_than_its_last_bar() -> None:
    """Hour bars labelled on the hour resampled onto the 09:30-anchored XNYS grid: the bucket
    14:30-15:30 holds the 15:00-16:00 bar, so it is not closed before 16:00 (no look-ahead)."""
    bars = load_bars(find_bundled("AAPL", "1h"), symbol="AAPL", timeframe="1h")
    day = bars.loc["2019-03-05"]
    result = resample(day, "1h", "XNYS")
    source_close = dict(zip(day.index, pd.DatetimeIndex(day["ts_close"]), strict=True))
    for label, closes_at in zip(result.index, pd.DatetimeIndex(result["ts_close"]), strict=True):
        members = [t for t in day.index if label <= t < label + pd.Timedelta(hours=1)]
        assert members
        assert closes_at >= max(source_close[t] for t in members)
