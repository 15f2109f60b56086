"""What the fast path reads from the engine: the bar history as column arrays, and the router's
explanation of the signals its loops reject (one definition for the plain and bracket paths)."""

from __future__ import annotations

from typing import Protocol

import numpy as np
import numpy.typing as npt
import pandas as pd

from paperdesk.config import RunConfig
from paperdesk.domain import Instrument, SignalRejected
from paperdesk.engine.fastpath.integer_money import MoneyScale


class BarHistory(Protocol):
    """The bar history as column arrays (``data.bar_convert.BarArrays``, the engine's feed)."""

    symbol: str
    timeframe: str
    length: int
    opens: npt.NDArray[np.float64]
    highs: npt.NDArray[np.float64]
    lows: npt.NDArray[np.float64]
    closes: npt.NDArray[np.float64]
    ts_open_ns: npt.NDArray[np.int64]
    ts_close_ns: npt.NDArray[np.int64]


class ExplainRejections(Protocol):
    """Gives each signal the loop rejected the reason the real router gives (the engine's
    ``rejection_reasons.rejected_signals``; the fast path itself imports no routing)."""

    def __call__(
        self,
        rejected: list[tuple[int, int, int]],
        *,
        config: RunConfig,
        instrument: Instrument,
        feed: BarHistory,
        frame: pd.DataFrame,
        rows: list[int],
        strategy_name: str,
        scale: MoneyScale,
    ) -> list[SignalRejected]: ...
