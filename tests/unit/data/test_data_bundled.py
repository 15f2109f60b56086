"""Tests for the bundled sample files: lookup, package data and loading every file."""

from __future__ import annotations

import importlib.resources

import pandas as pd
import pytest

from paperdesk.data import bundled_files, find_bundled, find_bundled_quotes, load_bars
from paperdesk.domain import UnknownNameError

MANIFEST_ROWS = {
    "lean_SPY_1d.csv": 5849,
    "lean_AAPL_1d.csv": 5849,
    "lean_SPY_1h.csv": 40832,
    "lean_AAPL_1h.csv": 40831,
    "lean_oanda_EURUSD_1h.csv": 74439,
    "lean_coinbase_BTCUSD_1m.csv": 12423,
    "lean_SPY_1m.csv": 5786,
    "bt_2006-day-001_1d.csv": 255,
    "btpy_GOOG_1d.csv": 2148,
    "btpy_EURUSD_1h.csv": 5000,
}


def test_every_file_is_package_data() -> None:
    names = {item.name for item in importlib.resources.files("paperdesk.data.bundled").iterdir()}
    assert set(MANIFEST_ROWS) <= names
    assert "README.md" in names


def test_the_spy_minute_quotes_are_package_data_beside_their_trades() -> None:
    names = {item.name for item in importlib.resources.files("paperdesk.data.bundled").iterdir()}
    assert "lean_SPY_1m_quotes.csv" in names
    quotes = find_bundled_quotes("spy", "1m")
    assert quotes is not None
    assert quotes.name == "lean_SPY_1m_quotes.csv"
    assert find_bundled_quotes("SPY", "1d") is None  # daily SPY has no quote file
    assert find_bundled_quotes("NOPE", "1m") is None


def test_bundled_files_lists_all_with_manifest_row_counts() -> None:
    files = bundled_files()
    assert {item.path.name: item.rows for item in files} == MANIFEST_ROWS


@pytest.mark.parametrize(
    ("symbol", "timeframe", "name"),
    [
        ("SPY", "1d", "lean_SPY_1d.csv"),
        ("spy", "1h", "lean_SPY_1h.csv"),
        ("GOOG", "1d", "btpy_GOOG_1d.csv"),
        ("EURUSD", "1h", "lean_oanda_EURUSD_1h.csv"),
        ("eur/usd", "1H", "lean_oanda_EURUSD_1h.csv"),
        ("BTCUSD", "1m", "lean_coinbase_BTCUSD_1m.csv"),
        ("SPY", "1m", "lean_SPY_1m.csv"),
        ("2006-day-001", "1d", "bt_2006-day-001_1d.csv"),
    ],
)
def test_find_bundled(symbol: str, timeframe: str, name: str) -> None:
    assert find_bundled(symbol, timeframe).name == name


@pytest.mark.parametrize(
    ("symbol", "timeframe"), [("TSLA", "1d"), ("AAPL", "1m"), ("SPY", "5m"), ("SPY", "xx")]
)
def test_find_bundled_unknown_lists_what_is_bundled(symbol: str, timeframe: str) -> None:
    with pytest.raises(UnknownNameError) as caught:
        find_bundled(symbol, timeframe)
    if timeframe != "xx":
        assert "SPY 1d" in str(caught.value)
        assert "EURUSD 1h" in str(caught.value)


def test_find_bundled_names_the_timeframes_of_a_bundled_symbol_not_the_symbol_itself() -> None:
    # SPY is bundled, just not at 2d: "did you mean SPY?" to someone who typed SPY helps nobody
    with pytest.raises(UnknownNameError) as caught:
        find_bundled("SPY", "2d")
    message = str(caught.value)
    assert "did you mean" not in message
    assert "SPY is bundled at 1m, 1h, 1d" in message
    with pytest.raises(UnknownNameError) as caught:
        find_bundled("SPYY", "1d")
    assert "did you mean SPY?" in str(caught.value)


@pytest.mark.parametrize("item", bundled_files(), ids=lambda item: item.path.name)
def test_every_bundled_file_loads(item: object) -> None:
    from paperdesk.data import BundledFile

    assert isinstance(item, BundledFile)
    frame = load_bars(item.path)
    assert len(frame) == MANIFEST_ROWS[item.path.name]
    assert frame.attrs["symbol"] == item.symbol
    assert frame.attrs["timeframe"] == item.timeframe
    assert (frame["ts_close"] > frame.index).all()
    assert frame.index.is_monotonic_increasing


def test_spy_daily_close_times() -> None:
    frame = load_bars(find_bundled("SPY", "1d"))
    assert frame.attrs["calendar"] == "XNYS"
    close = frame["ts_close"]
    assert close.loc["2019-11-29"] == pd.Timestamp("2019-11-29 18:00", tz="UTC")
    assert close.loc["2020-03-09"] == pd.Timestamp("2020-03-09 20:00", tz="UTC")
    assert close.loc["2020-01-02"] == pd.Timestamp("2020-01-02 21:00", tz="UTC")
    assert frame.index[0] == pd.Timestamp("1998-01-02", tz="UTC")
    assert frame.index[-1] == pd.Timestamp("2021-03-31", tz="UTC")


def test_calendars_follow_the_instrument() -> None:
    assert load_bars(find_bundled("EURUSD", "1h")).attrs["calendar"] == "FX"
    assert load_bars(find_bundled("BTCUSD", "1m")).attrs["calendar"] == "24/7"
    assert load_bars(find_bundled("GOOG", "1d"), calendar="24/7").attrs["calendar"] == "24/7"
