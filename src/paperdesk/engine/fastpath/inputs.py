"""What the fast path reads from the engine: the bar history as column arrays, the router's
explanation of the signals its loops reject, the risk rules' wording of the entries they trim
at the fill (one definition for the plain and bracket paths) and of the reversals whose entry
the daily loss limit refused."""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Set as AbstractSet
from datetime import datetime
from decimal import Decimal
from typing import Protocol

import numpy as np
import numpy.typing as npt
import pandas as pd

from paperdesk.config import RunConfig
from paperdesk.domain import Instrument, SignalRejected
from paperdesk.engine.fastpath.integer_money import MoneyScale
from paperdesk.engine.fastpath.signal_sizing import Trim
from paperdesk.engine.result import Deferred


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

    def close_index(self) -> pd.DatetimeIndex | None:
        """``ts_close_ns`` as the UTC index a result keeps, when the history owns one."""
        ...

    def open_price(self, i: int) -> Decimal:
        """Row ``i``'s exact open (on an adjusted series: raw x the bar's price scale)."""
        ...

    def close_price(self, i: int) -> Decimal:
        """Row ``i``'s exact close."""
        ...

    def high_price(self, i: int) -> Decimal:
        """Row ``i``'s exact high."""
        ...

    def low_price(self, i: int) -> Decimal:
        """Row ``i``'s exact low."""
        ...


class ExplainRejections(Protocol):
    """Gives each signal the loop rejected the reason the real router gives (the engine's
    ``rejection_reasons.rejected_signals``; the fast path itself imports no routing): the
    reasons decided now (it raises ``FastPathUnsupportedError`` here), the objects possibly
    made on first read (``Deferred``)."""

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
        unsized: AbstractSet[int] = ...,
        day_start: Callable[[int], Decimal] | None = ...,
    ) -> Deferred[SignalRejected] | list[SignalRejected]: ...


class WordRefusals(Protocol):
    """Words each reversal whose entry the daily loss limit refused as the kernel's adjustment,
    (the signal bar's close, "entry rejected: " and the rule's reason) each, from the loop's
    (k, position held, cash units) and ``day_start`` (a row's day-start equity; the engine's
    ``rejection_reasons.refused_entries``; the fast path itself imports no routing)."""

    def __call__(
        self,
        refused: list[tuple[int, int, int]],
        *,
        config: RunConfig,
        instrument: Instrument,
        feed: BarHistory,
        frame: pd.DataFrame,
        rows: list[int],
        strategy_name: str,
        scale: MoneyScale,
        day_start: Callable[[int], Decimal],
    ) -> list[tuple[datetime, str]]: ...


class WordTrims(Protocol):
    """Words the entries the fill-time checks trimmed (``signal_sizing``) as the kernel's
    adjustments, (the fill bar's open, the reason) each (the engine's
    ``trim_reasons.trimmed_at_fill``; the fast path itself imports no routing)."""

    def __call__(
        self,
        trims: list[Trim],
        *,
        symbol: str,
        cap_percent: Decimal | None,
        position_percent: Decimal | None,
        scale: MoneyScale,
        signal_ns: npt.NDArray[np.int64],
        filled_ns: npt.NDArray[np.int64],
    ) -> list[tuple[datetime, str]]: ...
