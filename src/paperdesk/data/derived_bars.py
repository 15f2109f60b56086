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
# The timeframes a chart offers over a series: the stored ones and those resampled from them.
CHART_TIMEFRAMES = ("1m", "5m", "15m", "30m", "1h", "2h", "4h", "1d", "2d", "3d", "1w", "1mo")


def builds_from(target: Timeframe, source: Timeframe) -> bool:
    """Whether ``target`` bars are whole groups of ``source`` bars here: sessions, weeks and
    months of daily or intraday bars, an intraday multiple or a day of intraday bars."""
    if source.seconds >= target.seconds:
        return False
    if is_period(target):
        return source.seconds <= Timeframe(1, "d").seconds
    return (
        (target.is_intraday or str(target) == "1d")
        and source.is_intraday
        and target.seconds % source.seconds == 0
    )


def source_timeframes(target: str) -> list[str]:
    """The finer timeframes ``target`` can be built from, coarsest first."""
    wanted = Timeframe.parse(target)
    return [text for text in SOURCES if builds_from(wanted, Timeframe.parse(text))]


def chart_timeframes(base: str) -> list[str]:
    """``base`` and the coarser timeframes of ``CHART_TIMEFRAMES`` built from it, finest
    first: what a chart of a series of ``base`` bars can show, its forming candle merged from
    those bars."""
    source = Timeframe.parse(base)
    coarser = [text for text in CHART_TIMEFRAMES if builds_from(Timeframe.parse(text), source)]
    return [str(source), *coarser]


def derive(source: pd.DataFrame, target: str, calendar: str, now: datetime) -> pd.DataFrame:
    """``source`` (closed bars at ``now``) resampled to ``target``, complete bars only."""
    wanted = Timeframe.parse(target)
    if is_period(wanted):
        result = resample_periods(source, target, calendar, now=now)
    else:
        result = resample(source, target, calendar, now=now)
    result["source"] = f"resampled from {source.attrs.get('timeframe')}"
    return result
