"""Bar frames (the DataManager's) as the simulator's candles: ``Bar`` objects, exact prices,
only those inside the regular session for US equities, as a backtest trades them (Lean's hourly
09:00 New York bar holds 09:30-10:00 and stays; a pre-market minute does not)."""

from __future__ import annotations

import pandas as pd

from paperdesk.data.bar_convert import BarArrays
from paperdesk.data.instruments import instrument_for
from paperdesk.data.sessions import RegularSession
from paperdesk.domain import Bar


def candles_of(frame: pd.DataFrame, symbol: str, timeframe: str) -> list[Bar]:
    """The rows of ``frame`` (indexed by open time) as Bars, regular-session rows only."""
    if frame.empty:
        return []
    arrays = BarArrays(frame, symbol, timeframe)
    session = RegularSession({symbol: instrument_for(symbol)})
    inside = session.inside_mask(symbol, timeframe, arrays.ts_open_ns, arrays.ts_close_ns)
    return [arrays.bar(index) for index in range(arrays.length) if inside[index]]
