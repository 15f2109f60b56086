"""One CSV reader: ``load_bars`` (backtests) accepts what ``parse_csv`` (imports) accepts, gives
the same frame, and reports the same problems on the same lines."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from paperdesk.data import load_bars
from paperdesk.data.csv_import import CsvImportError, parse_csv
from paperdesk.data.csv_source import CsvReadError
from paperdesk.domain import DataError
from paperdesk.domain.fields import as_option

YAHOO = (
    "Date,Open,High,Low,Close,Adj Close,Volume\n"
    "2024-01-02,472.160004,473.670013,470.489990,472.649994,465.019989,123623700\n"
    "2024-01-03,470.429993,471.190002,468.170013,468.790009,461.222321,103585900\n"
    "2024-01-04,468.299988,470.959991,467.049988,467.279999,459.736633,84232200\n"
)


def write(tmp_path: Path, text: str, name: str = "SPY.csv") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def test_a_yahoo_download_loads_for_a_backtest(tmp_path: Path) -> None:
    frame = load_bars(write(tmp_path, YAHOO))
    assert list(frame.columns) == ["open", "high", "low", "close", "volume", "ts_close"]
    assert list(frame.index) == list(pd.date_range("2024-01-02", periods=3, tz="UTC"))
    assert frame.index.name == "ts"
    assert (frame.dtypes[:5] == "float64").all()
    assert frame["close"].tolist() == [472.649994, 468.790009, 467.279999]  # not Adj Close
    assert frame["volume"].iloc[0] == 123623700.0
    assert frame["ts_close"].iloc[0] == pd.Timestamp("2024-01-02 21:00", tz="UTC")
    assert {key: frame.attrs[key] for key in ("symbol", "timeframe", "calendar")} == {
        "symbol": "SPY",
        "timeframe": "1d",
        "calendar": "XNYS",
    }


@pytest.mark.parametrize(
    ("text", "timeframe"),
    [
        (YAHOO, "1d"),
        ("ts,o,h,l,c,v\n1709285400,10,11,9,10,1\n1709285460,10,11,9,10.5,2\n", "1m"),
        ("Date,Time,Open,High,Low,Close,Volume\n2024-03-01,9:30,10,11,9,10.5,100\n"
         "2024-03-01,09:31,10.5,11,10,10.7,200\n", "1m"),
        ("timestamp,open,high,low,close,volume\n2024-03-01T09:30:00Z,10,11,9,10,1\n"
         "2024-03-01T09:31:00Z,10,11,9,10,1\n", "1m"),
        ("close,open,low,high,volume,timestamp\n10,10,9,11,1,2024-03-01T10:30:00+01:00\n"
         "10,10,9,11,1,2024-03-01 09:31\n", "1m"),
    ],
)  # fmt: skip
def test_load_and_import_read_every_layout_into_the_same_frame(
    tmp_path: Path, text: str, timeframe: str
) -> None:
    path = write(tmp_path, text)
    loaded = load_bars(path, timeframe=timeframe)
    imported = parse_csv(path, symbol="SPY", timeframe=timeframe).frame
    pd.testing.assert_frame_equal(loaded, imported)
    assert loaded.attrs == imported.attrs


BAD = (
    "timestamp,open,high,low,close,volume\n"
    "2024-01-02,10,9,11,10,1\n"  # high below low
    "2024-01-03,10,11,9,,1\n"  # empty close
    "2024-01-04,x,11,9,10,1\n"  # not a number
    "2024-01-05,10,11,9,10,1\n"
    "2024-01-06,10,11,9,10,-1\n"  # negative volume
    "2024-01-07,12,11,9,10,1\n"  # open above high
    "2024-01-07,10,11,9,10,1\n"  # repeated time
)


def test_a_load_error_names_the_first_bad_lines_and_counts_them_all(tmp_path: Path) -> None:
    with pytest.raises(CsvReadError) as caught:
        load_bars(write(tmp_path, BAD))
    error = caught.value
    assert isinstance(error, DataError)
    assert str(error) == (
        "SPY.csv line 2: high 9 is below low 11; "
        "line 3: close is missing or NaN (the cell is empty); "
        "line 4: open value 'x' is not a number; "
        "line 6: volume -1 is negative; "
        "line 7: high 11 is below open 12 (open is outside the low-high range) (and 1 more)"
    )
    assert error.total == 6


def test_load_and_import_find_the_same_problems_on_the_same_lines(tmp_path: Path) -> None:
    path = write(tmp_path, BAD)
    with pytest.raises(CsvReadError) as loaded:
        load_bars(path, timeframe="1d")
    with pytest.raises(CsvImportError) as imported:
        parse_csv(path, symbol="SPY", timeframe="1d")
    assert loaded.value.total == imported.value.total == 6
    assert [problem[:2] for problem in loaded.value.problems] == [
        problem[:2] for problem in imported.value.problems
    ]
    assert imported.value.problems[-1].reason_in(as_option) == (
        "duplicate timestamp 2024-01-07T00:00:00Z (also on line 7); "
        "--drop-duplicates keeps the first"
    )  # the reason marks the option it names (domain.fields): the CLI's words here
    assert loaded.value.problems[-1].reason == (
        "duplicate timestamp 2024-01-07T00:00:00Z (also on line 7)"
    )


def test_many_bad_rows_are_all_counted(tmp_path: Path) -> None:
    rows = "".join(f"2024-01-01T00:{minute:02d}:00Z,10,9,11,10,1\n" for minute in range(60))
    with pytest.raises(CsvReadError) as caught:
        load_bars(write(tmp_path, "timestamp,open,high,low,close,volume\n" + rows))
    assert caught.value.total == 60
    assert str(caught.value).endswith("(and 55 more)")


def test_a_wrong_number_of_fields_names_its_line(tmp_path: Path) -> None:
    text = "timestamp,open,high,low,close,volume\n2024-01-02,10,11,9,10,1\n2024-01-03,1,2,1,1,1,7\n"
    with pytest.raises(CsvReadError, match=r"SPY\.csv line 3: 7 fields where the header has 6"):
        load_bars(write(tmp_path, text))


def test_a_line_short_of_a_field_beside_one_long_by_one_is_named(tmp_path: Path) -> None:
    """Equal comma totals hid both: the short line was read as a missing volume."""
    text = (
        "timestamp,open,high,low,close,volume\n"
        "2024-01-02,10,11,9,10,1\n"
        "2024-01-03,10,11,9,10\n"  # one field short
        "2024-01-04,10,11,9,10,1,7\n"  # one field long
    )
    for read in (load_bars, lambda path: parse_csv(path, symbol="SPY", timeframe="1d")):
        with pytest.raises(CsvReadError) as caught:
            read(write(tmp_path, text))
        assert [(p.line, p.reason) for p in caught.value.problems] == [
            (3, "5 fields where the header has 6"),
            (4, "7 fields where the header has 6"),
        ]


def test_wrong_field_counts_say_the_other_checks_did_not_run(tmp_path: Path) -> None:
    text = (
        "timestamp,open,high,low,close,volume\n"
        "2024-01-02,10,9,11,10,1\n"  # high below low: found once the field counts are right
        "2024-01-03,10,11,9,10,1,7\n"
    )
    with pytest.raises(CsvImportError) as caught:
        parse_csv(write(tmp_path, text), symbol="SPY", timeframe="1d")
    assert [p.line for p in caught.value.problems] == [3]
    assert caught.value.stopped is not None
    assert str(caught.value).endswith(
        "line 3: 7 fields where the header has 6; stopped there: the other checks need every "
        "line split into the header's columns, so they did not run; fix the field counts and "
        "check the file again"
    )
    fixed = text.replace(",1,7\n", ",1\n")
    with pytest.raises(CsvImportError) as caught:
        parse_csv(write(tmp_path, fixed), symbol="SPY", timeframe="1d")
    assert [(p.line, p.column) for p in caught.value.problems] == [(2, "high")]
    assert caught.value.stopped is None


def test_problems_write_the_numbers_as_the_file_does(tmp_path: Path) -> None:
    """``398.00`` is named ``398.00``, not the float's ``398.0`` (a backtest's --data) nor
    ``398`` (an import)."""
    text = (
        "timestamp,open,high,low,close,volume\n"
        "2024-01-02,398.00,397.50,399.00,398,100\n"
        "2024-01-03,398.00,399.00,397.00,400.10,100.0\n"
    )
    expected = [
        "high 397.50 is below low 399.00",
        "high 399.00 is below close 400.10 (close is outside the low-high range)",
    ]
    for read in (load_bars, lambda path: parse_csv(path, symbol="SPY", timeframe="1d")):
        with pytest.raises(CsvReadError) as caught:
            read(write(tmp_path, text))
        assert [p.reason for p in caught.value.problems] == expected
