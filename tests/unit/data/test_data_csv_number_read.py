"""The reader parses the number columns with one call of pandas' C parser while the scan of the
bytes (field counts, timestamps, the digit check's blocks) runs on another thread; a wrong
field count is still the problem reported, whatever pandas made of the file."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from paperdesk.data import csv_reader
from paperdesk.data.csv_import import CsvImportError, parse_csv

HEADER = "timestamp,open,high,low,close,volume\n"


def bars(count: int) -> str:
    labels = pd.date_range("2021-01-01", periods=count, freq="1min").strftime("%Y-%m-%dT%H:%M:%SZ")
    return "".join(
        f"{label},10.{row % 97:02d},11.5,9.25,10.{row % 89:02d},{row}\n"
        for row, label in enumerate(labels)
    )


def test_the_number_columns_are_one_read_of_pandas_beside_the_scan(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "BTCUSD_1m.csv"
    path.write_text(HEADER + bars(3_000))
    reads: list[dict[str, Any]] = []
    scans: list[str] = []
    read_csv, file_shape = pd.read_csv, csv_reader.file_shape

    def recorded_read(*args: Any, **options: Any) -> Any:
        reads.append(options)
        return read_csv(*args, **options)

    def recorded_scan(*args: Any, **options: Any) -> Any:
        scans.append(threading.current_thread().name)
        return file_shape(*args, **options)

    monkeypatch.setattr(csv_reader.pd, "read_csv", recorded_read)
    monkeypatch.setattr(csv_reader, "file_shape", recorded_scan)
    imported = parse_csv(path, symbol="BTCUSD", timeframe="1m")
    assert len(imported.frame) == 3_000
    assert [options.get("usecols") for options in reads] == [[1, 2, 3, 4, 5]]
    assert "chunksize" not in reads[0]  # pandas joins its own chunks: no second copy
    assert len(scans) == 1
    assert scans[0] != threading.current_thread().name


@pytest.mark.parametrize(
    ("wrong", "reported"),
    [
        ({3: ",7", 9: ""}, ["line 5: 7 fields", "line 11: 5 fields"]),
        ({4: ",1,2"}, ["line 6: 8 fields"]),
    ],
)
@pytest.mark.parametrize("undecodable", [False, True])
def test_a_wrong_field_count_is_reported_whatever_pandas_makes_of_the_file(
    tmp_path: Path, wrong: dict[int, str], reported: list[str], undecodable: bool
) -> None:
    """pandas reads the columns it is asked for past a long line, and refuses a byte that is
    not UTF-8 (``undecodable``): the field counts are the problem reported either way."""
    lines = bars(400).splitlines(keepends=True)  # past the header's first read of 8 KB
    for row, change in wrong.items():
        line = lines[row].rstrip("\n")
        lines[row] = (line + change if change else line.rsplit(",", 1)[0]) + "\n"
    path = tmp_path / "BTCUSD_1m.csv"
    text = (HEADER + "".join(lines)).encode()
    if undecodable:  # in the last line
        end = text.rindex(b",11.5,")
        text = text[:end] + b",11.5\xff," + text[end + len(b",11.5,") :]
    path.write_bytes(text)
    with pytest.raises(CsvImportError) as refused:
        parse_csv(path, symbol="BTCUSD", timeframe="1m")
    assert [f"line {problem.line}: {problem.reason}" for problem in refused.value.problems] == [
        f"{line} where the header has 6" for line in reported
    ]
    assert refused.value.stopped == csv_reader.FIELD_COUNT_STOP


def test_a_column_of_mixed_cells_is_read_as_text_without_a_warning(
    tmp_path: Path, recwarn: pytest.WarningsRecorder
) -> None:
    lines = bars(300_000).splitlines(keepends=True)
    lines[299_990] = lines[299_990].replace(",11.5,", ",eleven,")
    path = tmp_path / "BTCUSD_1m.csv"
    path.write_text(HEADER + "".join(lines))
    with pytest.raises(CsvImportError) as refused:
        parse_csv(path, symbol="BTCUSD", timeframe="1m")
    assert [(problem.line, problem.column) for problem in refused.value.problems] == [
        (299_992, "high")
    ]
    assert "high value 'eleven' is not a number" in str(refused.value)
    assert not [warning for warning in recwarn if warning.category is pd.errors.DtypeWarning]


def test_an_interrupt_stops_the_scan_at_its_next_block(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ctrl-C while pandas parses: the scan's thread is not left to read the rest of a large
    file before the interrupt reaches the command."""
    path = tmp_path / "BTCUSD_1m.csv"
    path.write_text(HEADER + bars(2_000))  # about 120 blocks of 1 KB
    monkeypatch.setattr(csv_reader, "_SLICE_BYTES", 1 << 10)
    started = threading.Event()
    visited: list[int] = []
    visit = csv_reader._Table._visit

    def slow_visit(table: Any, *args: Any) -> None:
        visited.append(args[2])
        started.set()
        threading.Event().wait(0.01)  # each block takes a while
        visit(table, *args)

    def interrupted(table: Any, positions: list[int]) -> None:
        started.wait(5)
        raise KeyboardInterrupt

    monkeypatch.setattr(csv_reader._Table, "_visit", slow_visit)
    monkeypatch.setattr(csv_reader._Table, "_number_table", interrupted)
    with pytest.raises(KeyboardInterrupt):
        parse_csv(path, symbol="BTCUSD", timeframe="1m")
    assert 1 <= len(visited) <= 3  # the block under way when the interrupt came, and one more
