"""Market data: bundled sample files, validated CSV loading, calendars and instruments."""

from paperdesk.data.bundled import BundledFile, bundled_files, find_bundled
from paperdesk.data.calendars import CALENDARS, bar_close_times, calendar_name, session_close
from paperdesk.data.csv_source import (
    infer_timeframe,
    load_bars,
    symbol_from_file_name,
    timeframe_from_file_name,
)
from paperdesk.data.instruments import instrument_for

__all__ = [
    "CALENDARS",
    "BundledFile",
    "bar_close_times",
    "bundled_files",
    "calendar_name",
    "find_bundled",
    "infer_timeframe",
    "instrument_for",
    "load_bars",
    "session_close",
    "symbol_from_file_name",
    "timeframe_from_file_name",
]
