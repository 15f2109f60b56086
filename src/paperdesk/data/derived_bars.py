"""Bars of a timeframe nobody stored, resampled from a finer series of the same symbol.

``4h`` from ``1h`` (or 30m, 15m, 5m, 1m), ``1d`` from intraday bars, ``2d``/``3d`` (n
sessions), ``1w``/``1mo`` (and their multiples) from daily or intraday bars: the coarsest
stored series the target is a whole multiple of is resampled along the symbol's market
calendar (``resample`` and ``resample_periods``), and only bars whose every underlying bar
has closed are kept.
"""

from __future__ import annotations

from datetime import datetime

import pandas as pd

from paperdesk.data.resample import resample
from paperdesk.data.resample_periods import is_period, resample_periods
from paperdesk.domain import Timeframe

SOURCES = ("1d", "1h", "30m", "15m", "5m", "1m")  # coarsest first


def source_timeframes(target: str) -> list[str]:
    """The finer timeframes ``target`` can be built from, coarsest first."""
    wanted = Timeframe.parse(target)
    found: list[str] = []
    for text in SOURCES:
        source = Timeframe.parse(text)
        if source.seconds >= wanted.seconds:
            continue
        if is_period(wanted) or (
            (wanted.is_intraday or str(wanted) == "1d")
            and source.is_intraday
            and wanted.seconds % source.seconds == 0
        ):
            found.append(text)
    return found


def derive(source: pd.DataFrame, target: str, calendar: str, now: datetime) -> pd.DataFrame:
    """``source`` (closed bars at ``now``) resampled to ``target``, complete bars only."""
    wanted = Timeframe.parse(target)
    if is_period(wanted):
        result = resample_periods(source, target, calendar, now=now)
    else:
        result = resample(source, target, calendar, now=now)
    result["source"] = f"resampled from {source.attrs.get('timeframe')}"
    return result
