"""The gaps of the candles a walk-forward trades, per symbol, against its calendar: the check
``paperdesk backtest`` makes of its bars (``bar_gaps``), so both warn in the same words."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from paperdesk.service.result_backtest import gap_warnings

if TYPE_CHECKING:
    from paperdesk.data.quality_report import DataGaps
    from paperdesk.domain import Bar


@dataclass(frozen=True, slots=True)
class CandleGaps:
    """One symbol's candles of a walk-forward and their gaps (a ``GappedRun``; None: no
    candles in the period, nothing to check)."""

    symbol: str
    timeframe: str
    data_gaps: DataGaps | None


def candle_gaps(
    symbol: str, timeframe: str, bars: Sequence[Bar], start: datetime, end: datetime
) -> CandleGaps:
    """The gaps of the ``bars`` opening from ``start`` to ``end`` (the first plan time to the
    period's last close or last exit: the candles the run could trade)."""
    import pandas as pd

    from paperdesk.data.instruments import instrument_for
    from paperdesk.service.backtests import bar_gaps

    stamps = [bar.ts_open for bar in bars if start <= bar.ts_open <= end]
    if not stamps:
        return CandleGaps(symbol, timeframe, None)
    index = pd.DatetimeIndex(stamps).tz_convert("UTC")
    gaps = bar_gaps(pd.DataFrame(index=index), timeframe, instrument_for(symbol).calendar)
    return CandleGaps(symbol, timeframe, gaps)


def gaps_summary(gaps: Sequence[CandleGaps]) -> dict[str, object]:
    """The summary's ``data_gaps`` (each symbol's, as a backtest's ``--json`` has them) and
    ``warnings`` (the report page's words, kept with the evidence the page is drawn from)."""
    return {
        "data_gaps": {
            item.symbol: item.data_gaps.to_dict() if item.data_gaps is not None else None
            for item in gaps
        },
        "warnings": [warning for item in gaps for warning in gap_warnings(item)],
    }


__all__ = ["CandleGaps", "candle_gaps", "gaps_summary"]
