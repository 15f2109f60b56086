"""CSV import: cells with more significant digits than the store keeps exactly are refused,
naming line, column and cell; exact long cells (a float's shortest text) are accepted. The
cells are found in the file's bytes a slice at a time, so runs crossing a slice edge, quoted
files and columns that are not prices are covered too."""

from __future__ import annotations

from pathlib import Path

import pytest

from paperdesk.data import csv_reader
from paperdesk.data.csv_import import CsvImportError, parse_csv

HEADER = "timestamp,open,high,low,close,volume\n"


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "bars.csv"
    path.write_bytes(text.encode())
    return path


def rows(count: int, close: str = "10") -> str:
    return "".join(f"2021-01-{day + 1:02d}T00:00:00Z,10,11,9,{close},100\n" for day in range(count))


def test_every_cell_with_too_many_digits_is_named_and_exact_long_cells_pass(
    tmp_path: Path,
) -> None:
    text = (
        HEADER
        + "2021-01-01T00:00:00Z,10,11,9,10.0000000000000001,100\n"  # 17 digits: rounded
        + "2021-01-02T00:00:00Z,10,19999.879999999997,9,10,100\n"  # 17 digits, exact float text
        + "2021-01-03T00:00:00Z,10,11,9,10,1234567890123.4567\n"  # 17 digits: rounded
        + "2021-01-04T00:00:00Z,-10.000000000000001,11,9,10,100\n"  # negative, rounded
        + "2021-01-05T00:00:00Z,10,11,9.000000000000000000,10,100\n"  # trailing zeros: exact
    )
    with pytest.raises(CsvImportError) as raised:
        parse_csv(write(tmp_path, text), symbol="TESTX", timeframe="1d")
    precise = [p for p in raised.value.problems if "significant digits" in p.reason]
    assert [(p.line, p.column) for p in precise] == [(2, "close"), (4, "volume"), (5, "open")]
    assert "'10.0000000000000001'" in precise[0].reason
    assert "'-10.000000000000001'" in precise[2].reason


def test_exact_long_cells_and_crlf_lines_import(tmp_path: Path) -> None:
    text = HEADER + "2021-01-01T00:00:00Z,10,19999.879999999997,9,10,100\r\n"
    result = parse_csv(write(tmp_path, text), symbol="TESTX", timeframe="1d")
    assert result.frame["high"].tolist() == [19999.879999999997]


def test_a_run_crossing_a_slice_edge_is_found(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = HEADER + rows(20) + "2021-01-21T00:00:00Z,10,11,9,10.0000000000000001,100\n"
    path = write(tmp_path, text)
    for size in (7, 16, 17, 64):  # slices cutting the run at different places
        monkeypatch.setattr(csv_reader, "_SLICE_BYTES", size)
        with pytest.raises(CsvImportError) as raised:
            parse_csv(path, symbol="TESTX", timeframe="1d")
        assert [(p.line, p.column) for p in raised.value.problems] == [(22, "close")]


def test_a_long_run_at_the_end_of_a_file_without_a_newline_is_found(tmp_path: Path) -> None:
    text = HEADER + "2021-01-01T00:00:00Z,10,11,9,10,1234567890123.4567"
    with pytest.raises(CsvImportError) as raised:
        parse_csv(write(tmp_path, text), symbol="TESTX", timeframe="1d")
    assert [(p.line, p.column) for p in raised.value.problems] == [(2, "volume")]


def test_long_runs_outside_the_price_columns_are_not_looked_at(tmp_path: Path) -> None:
    text = (
        "timestamp,open,high,low,close,volume,note\n"
        "1609459200000000000,10,11,9,10,100,12345678901234567890\n"  # epoch nanoseconds
    )
    result = parse_csv(write(tmp_path, text), symbol="TESTX", timeframe="1d")
    assert result.frame["close"].tolist() == [10.0]


def test_a_quoted_file_is_checked_from_its_parsed_cells(tmp_path: Path) -> None:
    text = HEADER + '"2021-01-01T00:00:00Z","10","11","9","10.0000000000000001","100"\n'
    with pytest.raises(CsvImportError) as raised:
        parse_csv(write(tmp_path, text), symbol="TESTX", timeframe="1d")
    assert [(p.line, p.column) for p in raised.value.problems] == [(2, "close")]
    assert "'10.0000000000000001'" in raised.value.problems[0].reason
