"""The reader parses the number columns with one call of pandas' C parser (pandas joins its own
chunks of rows), not in chunks of rows joined again by the reader; a column of mixed cells is
still read as text, without pandas' warning about mixed types."""

from __future__ import annotations

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


def test_the_number_columns_are_one_read_of_pandas(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "BTCUSD_1m.csv"
    path.write_text(HEADER + bars(3_000))
    reads: list[dict[str, Any]] = []
    read_csv = pd.read_csv

    def recorded_read(*args: Any, **options: Any) -> Any:
        reads.append(options)
        return read_csv(*args, **options)

    monkeypatch.setattr(csv_reader.pd, "read_csv", recorded_read)
    imported = parse_csv(path, symbol="BTCUSD", timeframe="1m")
    assert len(imported.frame) == 3_000
    assert [options.get("usecols") for options in reads] == [[1, 2, 3, 4, 5]]
    assert "chunksize" not in reads[0]  # pandas joins its own chunks: no second copy


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
