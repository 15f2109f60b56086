"""Import bars from CSV files of common layouts, checking every row before anything is kept: the
one reader of ``paperdesk.data.csv_reader`` (its docstring lists the layouts), reporting every
problem in a ``CsvImportError``. ``parse_csv`` writes nothing; callers write only the
``ImportedBars`` it returns."""

from __future__ import annotations

from pathlib import Path

from paperdesk.data.csv_reader import (
    IMPORT_WORDING,
    MAX_PROBLEMS,
    CsvImportError,
    ImportedBars,
    Problem,
    read_csv_bars,
)

__all__ = ["MAX_PROBLEMS", "CsvImportError", "ImportedBars", "Problem", "parse_csv"]


def parse_csv(
    path: str | Path,
    *,
    symbol: str,
    timeframe: str,
    timezone: str | None = None,
    sort: bool = False,
    drop_duplicates: bool = False,
    calendar: str | None = None,
    adjusted: bool = False,
) -> ImportedBars:
    """Read and check a CSV file of bars; raise ``CsvImportError`` listing every problem."""
    return read_csv_bars(
        path,
        symbol=symbol,
        timeframe=timeframe,
        wording=IMPORT_WORDING,
        timezone=timezone,
        sort=sort,
        drop_duplicates=drop_duplicates,
        calendar=calendar,
        adjusted=adjusted,
    )
