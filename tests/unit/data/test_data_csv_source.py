"""Tests for CSV bar loading and its validation errors."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from paperdesk.data import load_bars, symbol_from_file_name, timeframe_from_file_name
from paperdesk.domain import DataError, UnknownNameError

HEADER = "timestamp,open,high,low,close,volume"
GOOD_ROWS = [
    "2024-01-02T00:00:00Z,10.0,11.0,9.5,10.5,100",
    "2024-01-03T00:00:00Z,10.5,11.5,10.0,11.0,200",
    "2024-01-04T00:00:00Z,11.0,11.2,10.8,11.1,0",
]


def write_csv(
    directory: Path, rows: list[str], name: str = "bars.csv", header: str = HEADER
) -> Path:
    path = directory / name
    path.write_text("\n".join([header, *rows]) + "\n")
    return path


def test_loads_a_good_file(tmp_path: Path) -> None:
    frame = load_bars(write_csv(tmp_path, GOOD_ROWS), symbol="spy")
    assert list(frame.columns) == ["open", "high", "low", "close", "volume", "ts_close"]
    assert frame.index.name == "ts"
    assert str(frame.index.dtype) == "datetime64[ns, UTC]"
    assert str(frame["ts_close"].dtype) == "datetime64[ns, UTC]"
    assert all(frame[column].dtype == np.float64 for column in ["open", "volume"])
    assert frame.attrs["symbol"] == "SPY"
    assert frame.attrs["timeframe"] == "1d"
    assert frame.attrs["calendar"] == "XNYS"
    assert frame["ts_close"].iloc[0] == pd.Timestamp("2024-01-02 21:00", tz="UTC")


def test_column_case_and_missing_z_are_accepted(tmp_path: Path) -> None:
    rows = [
        "2024-01-02 14:30:00,10.0,11.0,9.5,10.5,100",
        "2024-01-02T14:31:00Z,10.5,11.5,10.0,11.0,200",
    ]
    path = write_csv(tmp_path, rows, header="Timestamp,OPEN,High,Low,Close,Volume")
    frame = load_bars(path, symbol="AAPL")
    assert frame.index[0] == pd.Timestamp("2024-01-02 14:30", tz="UTC")
    assert frame.attrs["timeframe"] == "1m"
    assert frame["ts_close"].iloc[1] == pd.Timestamp("2024-01-02 14:32", tz="UTC")


def test_other_column_order_and_offsets(tmp_path: Path) -> None:
    rows = ["10.0,11.0,9.5,10.5,100,2024-01-02T09:30:00-05:00"]
    path = write_csv(tmp_path, rows, header="open,high,low,close,volume,timestamp")
    frame = load_bars(path, timeframe="1h", symbol="EURUSD")
    assert frame.index[0] == pd.Timestamp("2024-01-02 14:30", tz="UTC")
    assert frame.attrs["calendar"] == "FX"


def test_fast_and_slow_timestamp_paths_agree(tmp_path: Path) -> None:
    stamps = pd.date_range("1999-12-31 23:00", periods=500, freq="37min", tz="UTC")
    rows = [f"{stamp:%Y-%m-%dT%H:%M:%SZ},1,2,0.5,1.5,3" for stamp in stamps]
    fast = load_bars(write_csv(tmp_path, rows, name="fast.csv"), timeframe="37m")
    slow_rows = [row.replace("Z,", "+00:00,") for row in rows]
    slow = load_bars(write_csv(tmp_path, slow_rows, name="slow.csv"), timeframe="37m")
    assert fast.index.equals(stamps.as_unit("ns"))
    assert slow.index.equals(fast.index)


@pytest.mark.parametrize(
    ("rows", "line", "reason"),
    [
        ([GOOD_ROWS[0], "2024-01-03T00:00:00Z,10.5,10.6,10.0,11.0,1"], 3,
         "high 10.6 is below close 11.0"),
        ([GOOD_ROWS[0], "2024-01-03T00:00:00Z,10.5,12.0,10.9,11.0,1"], 3,
         "low 10.9 is above open 10.5"),
        (["2024-01-02T00:00:00Z,10.0,11.0,0.0,10.5,100"], 2, "low 0.0 is not positive"),
        (["2024-01-02T00:00:00Z,-1,11.0,-2,10.5,100"], 2, "open -1 is not positive"),
        ([*GOOD_ROWS[:2], "2024-01-04T00:00:00Z,11.0,11.2,10.8,11.1,-5"], 4,
         "volume -5 is negative"),
        ([GOOD_ROWS[0], "2024-01-03T00:00:00Z,10.5,abc,10.0,11.0,1"], 3,
         "high value 'abc' is not a number"),
        ([GOOD_ROWS[0], "2024-01-03T00:00:00Z,10.5,11.5,10.0,,1"], 3, "close is missing or NaN"),
        ([GOOD_ROWS[0], "2024-01-03T00:00:00Z,10.5,11.5,10.0,NaN,1"], 3,
         "close is missing or NaN"),
        ([GOOD_ROWS[0], "2024-01-03T00:00:00Z,10.5,inf,10.0,11.0,1"], 3, "high inf is not finite"),
        ([GOOD_ROWS[0], "not-a-time,10.5,11.5,10.0,11.0,1"], 3,
         "timestamp 'not-a-time' is not an ISO-8601 date or time"),
        ([GOOD_ROWS[0], "2024-02-30T00:00:00Z,10.5,11.5,10.0,11.0,1"], 3, "timestamp"),
        ([GOOD_ROWS[0], ",10.5,11.5,10.0,11.0,1"], 3, "timestamp is missing"),
        ([GOOD_ROWS[0], GOOD_ROWS[1], GOOD_ROWS[1]], 4,
         "duplicate timestamp 2024-01-03T00:00:00Z (also on line 3)"),
        ([GOOD_ROWS[1], GOOD_ROWS[0]], 3, "timestamp 2024-01-02T00:00:00Z is earlier than"),
        ([GOOD_ROWS[0], "", GOOD_ROWS[1]], 3, "missing"),
    ],
)  # fmt: skip
def test_bad_rows_name_file_line_and_reason(
    tmp_path: Path, rows: list[str], line: int, reason: str
) -> None:
    path = write_csv(tmp_path, rows)
    with pytest.raises(DataError) as caught:
        load_bars(path)
    message = str(caught.value)
    assert message.startswith(f"bars.csv line {line}: "), message
    assert reason in message


def test_the_first_bad_line_is_reported(tmp_path: Path) -> None:
    rows = [
        GOOD_ROWS[0],
        "2024-01-03T00:00:00Z,10.5,11.5,10.0,11.0,-1",
        "2024-01-04T00:00:00Z,11.0,11.2,11.1,11.1,0",
    ]
    with pytest.raises(DataError, match=r"bars\.csv line 3: volume -1 is negative"):
        load_bars(write_csv(tmp_path, rows))


def test_error_line_deep_in_a_large_file(tmp_path: Path) -> None:
    stamps = pd.date_range("2020-01-01", periods=5000, freq="min", tz="UTC")
    rows = [f"{stamp:%Y-%m-%dT%H:%M:%SZ},1,2,0.5,1.5,3" for stamp in stamps]
    rows[3999] = (
        rows[3999].replace(",2,", ",1.2,").replace(",1.5,", ",1.25,").replace(",1,", ",1.3,", 1)
    )
    with pytest.raises(DataError, match=r"bars\.csv line 4001: high 1\.2 is below open 1\.3"):
        load_bars(write_csv(tmp_path, rows))


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(DataError, match=r"nothere\.csv: file not found"):
        load_bars(tmp_path / "nothere.csv")


def test_missing_column(tmp_path: Path) -> None:
    path = write_csv(tmp_path, ["2024-01-02T00:00:00Z,1,2,0.5,1.5"],
                     header="timestamp,open,high,low,close")  # fmt: skip
    with pytest.raises(DataError, match=r"bars\.csv line 1: missing column 'volume'"):
        load_bars(path)


def test_header_only_file(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="no bars"):
        load_bars(write_csv(tmp_path, []))


def test_too_many_fields_is_a_data_error(tmp_path: Path) -> None:
    rows = [GOOD_ROWS[0], "2024-01-03T00:00:00Z,10.5,11.5,10.0,11.0,1,7"]
    with pytest.raises(DataError, match=r"bars\.csv"):
        load_bars(write_csv(tmp_path, rows))


def test_unknown_calendar(tmp_path: Path) -> None:
    with pytest.raises(UnknownNameError, match="calendar 'MOON'"):
        load_bars(write_csv(tmp_path, GOOD_ROWS), calendar="MOON")


def test_timeframe_inferred_from_spacing(tmp_path: Path) -> None:
    rows = [
        "2024-01-01T00:00:00Z,1,2,0.5,1.5,3",
        "2024-01-01T04:00:00Z,1,2,0.5,1.5,3",
        "2024-01-01T08:00:00Z,1,2,0.5,1.5,3",
        "2024-01-01T16:00:00Z,1,2,0.5,1.5,3",
    ]
    frame = load_bars(write_csv(tmp_path, rows, name="btc.csv"))
    assert frame.attrs["timeframe"] == "4h"
    assert frame.attrs["symbol"] == "BTC"
    assert frame.attrs["calendar"] == "24/7"


@pytest.mark.parametrize(
    ("name", "symbol", "timeframe"),
    [
        ("lean_SPY_1d.csv", "SPY", "1d"),
        ("lean_oanda_EURUSD_1h.csv", "EURUSD", "1h"),
        ("lean_coinbase_BTCUSD_1m.csv", "BTCUSD", "1m"),
        ("bt_2006-day-001_1d.csv", "2006-DAY-001", "1d"),
        ("btpy_GOOG_1d.csv", "GOOG", "1d"),
        ("ft_ETH_BTC_5m.csv", "ETHBTC", "5m"),
        ("btpy_BTCUSD_1mo.csv", "BTCUSD", "1mo"),
        ("spy.csv", "SPY", None),
    ],
)
def test_names_from_file_names(name: str, symbol: str, timeframe: str | None) -> None:
    assert symbol_from_file_name(name) == symbol
    assert timeframe_from_file_name(name) == timeframe


def test_daily_bars_labelled_at_the_session_close_are_refused_naming_the_line(
    tmp_path: Path,
) -> None:
    path = tmp_path / "SPY_1d.csv"
    path.write_text(
        "timestamp,open,high,low,close,volume\n"
        "2021-02-01T21:00:00Z,10,11,9,10.5,100\n"
        "2021-02-02T21:00:00Z,10,11,9,10.5,100\n"
    )
    with pytest.raises(DataError, match=r"SPY_1d.csv line 2: a 1d bar labelled 2021-02-01T21:00"):
        load_bars(path)
