"""CSV import: the layouts it accepts and the rows it rejects (each with its line and reason)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from paperdesk.data.csv_import import CsvImportError, parse_csv
from paperdesk.domain import InvalidInputError

GOOD = "timestamp,open,high,low,close,volume\n"


def write(tmp_path: Path, text: str, name: str = "bars.csv") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def utc(text: str) -> pd.Timestamp:
    return pd.Timestamp(text, tz="UTC")


def test_date_and_time_columns_with_mixed_case_headers_and_a_time_zone(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "DATE,Time,OPEN,High,low,Close,Volume,Adj Close\n"
        "2024-03-01,9:30,10,11,9,10.5,100,5\n"
        "2024-03-01,09:31,10.5,11,10,10.7,200,5\n",
    )
    result = parse_csv(path, symbol="spy", timeframe="1m", timezone="America/New_York")
    frame = result.frame
    assert list(frame.index) == [utc("2024-03-01 14:30"), utc("2024-03-01 14:31")]
    assert frame.index.name == "ts"
    assert str(frame.index.tz) == "UTC"
    assert list(frame.columns) == ["open", "high", "low", "close", "volume", "ts_close"]
    assert frame["close"].tolist() == [10.5, 10.7]  # Adj Close ignored
    assert frame["ts_close"].iloc[0] == utc("2024-03-01 14:31")
    assert frame.attrs == {
        "symbol": "SPY",
        "timeframe": "1m",
        "calendar": "XNYS",
        "path": str(path),
    }
    assert any("Adj Close" in note for note in result.notes)


def test_adjusted_uses_adj_close(tmp_path: Path) -> None:
    path = write(tmp_path, "Date,Open,High,Low,Close,Adj Close,Volume\n2024-03-01,10,12,8,10,5,1\n")
    frame = parse_csv(path, symbol="SPY", timeframe="1d", adjusted=True).frame
    assert frame.iloc[0][["open", "high", "low", "close"]].tolist() == [5.0, 6.0, 4.0, 5.0]


@pytest.mark.parametrize(
    ("first", "second", "unit"),
    [
        ("1709285400", "1709285460", "seconds"),
        ("1709285400000", "1709285460000", "milliseconds"),
        ("1709285400000000", "1709285460000000", "microseconds"),
    ],
)
def test_epoch_units_are_detected(tmp_path: Path, first: str, second: str, unit: str) -> None:
    path = write(tmp_path, f"ts,o,h,l,c,v\n{first},10,11,9,10,1\n{second},10,11,9,10,1\n")
    result = parse_csv(path, symbol="BTCUSD", timeframe="1m")
    assert list(result.frame.index) == [utc("2024-03-01 09:30"), utc("2024-03-01 09:31")]
    assert unit in result.layout


def test_iso_offsets_win_over_the_time_zone_and_naive_times_default_to_utc(
    tmp_path: Path,
) -> None:
    path = write(
        tmp_path,
        GOOD + "2024-03-01T10:30:00+01:00,10,11,9,10,1\n2024-03-01T09:31:00Z,10,11,9,10,1\n",
    )
    frame = parse_csv(path, symbol="X", timeframe="1m", timezone="Asia/Tokyo").frame
    assert list(frame.index) == [utc("2024-03-01 09:30"), utc("2024-03-01 09:31")]
    naive = write(tmp_path, GOOD + "2024-03-01 09:30,10,11,9,10,1\n", "naive.csv")
    assert parse_csv(naive, symbol="X", timeframe="1m").frame.index[0] == utc("2024-03-01 09:30")


def test_daily_dates_are_labels_whatever_the_time_zone(tmp_path: Path) -> None:
    path = write(tmp_path, "Date,Open,High,Low,Close,Volume\n20240301,10,11,9,10,1\n")
    frame = parse_csv(path, symbol="SPY", timeframe="1d", timezone="America/New_York").frame
    assert frame.index[0] == utc("2024-03-01")
    assert frame["ts_close"].iloc[0] == utc("2024-03-01 21:00")  # the session close
    path = write(tmp_path, "date,open,high,low,close\n2024-03-01,10,11,9,10\n", "iso.csv")
    result = parse_csv(path, symbol="SPY", timeframe="1d", timezone="America/New_York")
    assert result.frame.index[0] == utc("2024-03-01")
    assert result.frame["volume"].tolist() == [0.0]


def test_sort_and_drop_duplicates_say_what_they_did(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        GOOD + "2024-03-01T00:02:00,3,3,3,3,1\n2024-03-01T00:01:00,1,1,1,1,1\n"
        "2024-03-01T00:01:00,2,2,2,2,1\n",
    )
    result = parse_csv(path, symbol="X", timeframe="1m", sort=True, drop_duplicates=True)
    assert result.frame["open"].tolist() == [1.0, 3.0]  # the later duplicate dropped
    assert (result.rows_read, result.sorted_rows, result.dropped_duplicates) == (3, 1, 1)
    assert any("sorted" in note for note in result.notes)
    assert any("dropped 1" in note for note in result.notes)


def test_unknown_time_zone_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD + "2024-03-01,10,11,9,10,1\n")
    with pytest.raises(InvalidInputError, match="Mars/Olympus"):
        parse_csv(path, symbol="X", timeframe="1d", timezone="Mars/Olympus")


def test_every_problem_is_reported_with_its_line(tmp_path: Path) -> None:
    rows = "".join(f"2024-03-01T00:{minute:02d}:00,10,9,11,10,1\n" for minute in range(8))
    path = write(tmp_path, GOOD + rows)
    with pytest.raises(CsvImportError) as caught:
        parse_csv(path, symbol="X", timeframe="1m")
    error = caught.value
    assert error.total == 8
    assert [problem.line for problem in error.problems] == list(range(2, 10))
    assert "line 2 high: high 9 is below low 11" in str(error)
    assert "(and 3 more)" in str(error)


def test_a_nonexistent_local_time_is_rejected(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD + "2024-03-10 02:30,10,11,9,10,1\n")
    with pytest.raises(CsvImportError, match="does not exist or is ambiguous"):
        parse_csv(path, symbol="X", timeframe="1h", timezone="America/New_York")


def test_a_row_with_too_many_fields_is_named(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD + "2024-03-01,10,11,9,10,1\n2024-03-02,10,11,9,10,1,7\n")
    with pytest.raises(CsvImportError) as caught:
        parse_csv(path, symbol="X", timeframe="1d")
    assert caught.value.problems[0].line == 3


@pytest.mark.parametrize("value", ["99999999999", "99999999999999999999999"])
def test_an_epoch_beyond_the_representable_range_is_a_row_problem(
    tmp_path: Path, value: str
) -> None:
    path = write(
        tmp_path,
        f"timestamp,open,high,low,close,volume\n1704067200,1,2,0.5,1.5,10\n{value},1,2,0.5,1.5,10\n",
    )
    with pytest.raises(
        CsvImportError, match=f"line 3 timestamp: epoch value {value} is out of range"
    ):
        parse_csv(path, symbol="X", timeframe="1d")
