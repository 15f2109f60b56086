"""Market data: bundled sample files, validated CSV loading, calendars and instruments.

The exports load on first use (``paperdesk._lazy``): importing one submodule stays light.
"""

from typing import TYPE_CHECKING

from paperdesk._lazy import lazy_exports

if TYPE_CHECKING:
    from paperdesk.data.bundled import BundledFile, bundled_files, find_bundled, find_bundled_quotes
    from paperdesk.data.calendars import (
        CALENDARS,
        MarketCalendar,
        TradingHours,
        bar_close_times,
        calendar_name,
        market_calendar,
        session_close,
    )
    from paperdesk.data.corporate_actions import FactorFile, adjust, bundled_factor_file
    from paperdesk.data.csv_source import (
        infer_timeframe,
        load_bars,
        symbol_from_file_name,
        timeframe_from_file_name,
    )
    from paperdesk.data.instruments import instrument_for
    from paperdesk.data.quality import QualityReport, check_quality
    from paperdesk.data.quote_csv import merge_quotes, read_quotes
    from paperdesk.data.resample import resample

__all__ = [
    "CALENDARS",
    "BundledFile",
    "FactorFile",
    "MarketCalendar",
    "QualityReport",
    "TradingHours",
    "adjust",
    "bar_close_times",
    "bundled_factor_file",
    "bundled_files",
    "calendar_name",
    "check_quality",
    "find_bundled",
    "find_bundled_quotes",
    "infer_timeframe",
    "instrument_for",
    "load_bars",
    "market_calendar",
    "merge_quotes",
    "read_quotes",
    "resample",
    "session_close",
    "symbol_from_file_name",
    "timeframe_from_file_name",
]

__getattr__, __dir__ = lazy_exports(
    __name__,
    {
        "paperdesk.data.bundled": (
            "BundledFile",
            "bundled_files",
            "find_bundled",
            "find_bundled_quotes",
        ),
        "paperdesk.data.calendars": (
            "CALENDARS",
            "MarketCalendar",
            "TradingHours",
            "bar_close_times",
            "calendar_name",
            "market_calendar",
            "session_close",
        ),
        "paperdesk.data.corporate_actions": (
            "FactorFile",
            "adjust",
            "bundled_factor_file",
        ),
        "paperdesk.data.csv_source": (
            "infer_timeframe",
            "load_bars",
            "symbol_from_file_name",
            "timeframe_from_file_name",
        ),
        "paperdesk.data.instruments": ("instrument_for",),
        "paperdesk.data.quality": (
            "QualityReport",
            "check_quality",
        ),
        "paperdesk.data.quote_csv": ("merge_quotes", "read_quotes"),
        "paperdesk.data.resample": ("resample",),
    },
)
