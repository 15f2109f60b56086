"""Daily bars as the engine reads them (a frame of prices with ``ts_close`` at 21:00 UTC), from
closes a test makes up: for the walk-forward fit's tests."""

from __future__ import annotations

import numpy as np
import pandas as pd


def daily_frame(symbol: str, closes: np.ndarray, band: float, volume: float) -> pd.DataFrame:
    """One bar a calendar day from 2024-01-01: open and close ``closes``, high and low ``band``
    (a fraction) above and below."""
    index = pd.date_range("2024-01-01", periods=len(closes), freq="D", tz="UTC")
    frame = pd.DataFrame(
        {"open": closes, "high": closes * (1 + band), "low": closes * (1 - band), "close": closes},
        index=index,
    )
    frame["volume"] = volume
    frame["ts_close"] = index + pd.Timedelta(hours=21)
    frame.attrs.update(symbol=symbol, timeframe="1d")
    return frame
