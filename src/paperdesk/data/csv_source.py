"""Load OHLCV bars from CSV files into checked, UTC-indexed pandas frames (backtests, live
sources): the one reader of ``paperdesk.data.csv_reader``, with the symbol and timeframe taken
from the file when not given."""

from __future__ import annotations

import os

import pandas as pd

from paperdesk.data.csv_reader import (
    LOAD_WORDING,
    CsvReadError,
    infer_timeframe,
    read_csv_bars,
    symbol_from_file_name,
    timeframe_from_file_name,
)

__all__ = [
    "CsvReadError",
    "infer_timeframe",
    "load_bars",
    "symbol_from_file_name",
    "timeframe_from_file_name",
]


def load_bars(
    path: str | os.PathLike[str],
    *,
    symbol: str | None = None,
    timeframe: str | None = None,
    calendar: str | None = None,
) -> pd.DataFrame:
    """Read and check an OHLCV CSV file of any layout ``paperdesk data import`` accepts.

    Returns a frame indexed by the bar's open label ``ts`` (UTC), with float64 columns open,
    high, low, close, volume and ``ts_close`` (UTC): when the bar becomes visible. ``attrs``
    holds ``symbol``, ``timeframe``, ``calendar`` and ``path``. Timestamps without an offset are
    taken as UTC. ``symbol`` and ``timeframe`` default to what the file name says (the timeframe
    else to the bars' spacing). A file with bad rows raises ``CsvReadError`` (a DataError) naming
    the file, the first bad lines and why, and counting the problems.
    """
    return read_csv_bars(
        os.fspath(path), symbol=symbol, timeframe=timeframe, calendar=calendar, wording=LOAD_WORDING
    ).frame
