"""``macd-cross``: long when the MACD line crosses above its signal line, short when below."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar, NamedTuple

import numpy as np
import numpy.typing as npt
import pandas as pd

from paperdesk.analysis.indicators import (
    EMA_SEEDS,
    EmaSeed,
    FloatArray,
    InsufficientHistory,
    SignArray,
    atr,
    crossing_points,
    macd,
    open_atr,
    open_ema,
)
from paperdesk.analysis.strategies.base import (
    LineCross,
    Strategy,
    column,
    drop_before,
    line_cross_frame,
    require,
    require_at_least,
    require_period,
)
from paperdesk.analysis.strategies.common import (
    EMA_SEED_HELP,
    MIN_BARS_HELP,
    STOP_ATR_HELP,
    TARGET_ATR_HELP,
    period_field,
    require_choice,
)
from paperdesk.analysis.strategies.incremental import (
    Bars,
    Crossing,
    IncrementalSignals,
    bar_prices,
    opening_checks,
)
from paperdesk.analysis.strategies.registry import register

__all__ = [
    "ATR_PERIOD",
    "CONFIDENCE_SCALE",
    "MacdCross",
    "MacdCrossParameters",
    "MacdIncremental",
]

IntArray = npt.NDArray[np.intp]

ATR_PERIOD = 14
"""Period of the ATR used for stops, targets and confidence."""

CONFIDENCE_SCALE = 0.125
"""Histogram jump, in ATRs, that earns full confidence."""


@dataclass(frozen=True, slots=True)
class MacdCrossParameters:
    """MACD periods; ``stop_atr`` / ``target_atr`` are ATR(14) multiples (0 = none)."""

    fast: int = field(
        default=12, metadata=period_field("fast EMA period of the MACD line, in bars", 1)
    )
    slow: int = field(
        default=26, metadata=period_field("slow EMA period of the MACD line, in bars", 2)
    )
    signal: int = field(
        default=9, metadata=period_field("EMA period of the signal line, in bars", 2)
    )
    stop_atr: float = field(default=0.0, metadata=STOP_ATR_HELP)
    target_atr: float = field(default=0.0, metadata=TARGET_ATR_HELP)
    ema_seed: str = field(default="sma", metadata={**EMA_SEED_HELP, "enum": list(EMA_SEEDS)})
    min_bars: int = field(default=0, metadata=MIN_BARS_HELP)


@register
class MacdCross(Strategy[MacdCrossParameters]):
    """MACD / signal-line crossover (backtrader-seeded MACD, ``indicators.macd``).

    Cross semantics as ``indicators.crossing_points`` on the histogram (MACD minus signal).
    Confidence = ``|hist[t] - hist[t-1]| / ATR(14)[t] / CONFIDENCE_SCALE`` clipped to
    [0, 1]: how decisively the histogram jumped through zero, in units of recent volatility
    (0.5 while ATR is still warming up). Stop = close -/+ ``stop_atr`` * ATR(14) for a
    long/short, target = close +/- ``target_atr`` * ATR(14); NaN when 0 or ATR is warming up.
    ``ema_seed`` seeds the three EMAs (``indicators.macd``); ``min_bars`` drops the crosses
    before that row.
    """

    name: ClassVar[str] = "macd-cross"
    description: ClassVar[str] = (
        "Long when MACD(fast, slow) crosses above its EMA(signal), short when it crosses below; "
        "optional ATR stop and target."
    )
    Parameters: ClassVar[type[MacdCrossParameters]] = MacdCrossParameters

    @classmethod
    def check_parameters(cls, params: MacdCrossParameters) -> None:
        require_period("fast", params.fast, 1)
        require_period("slow", params.slow, 2)
        require_period("signal", params.signal, 2)
        require(
            params.fast < params.slow,
            f"parameter 'fast' ({params.fast}) must be smaller than 'slow' ({params.slow})",
        )
        require_at_least("stop_atr", params.stop_atr, 0.0)
        require_at_least("target_atr", params.target_atr, 0.0)
        require_choice("ema_seed", params.ema_seed, EMA_SEEDS)
        require_at_least("min_bars", params.min_bars, 0)

    @property
    def warmup(self) -> int:
        return max(self.params.slow + self.params.signal - 1, self.params.min_bars)

    def compute(self, bars: pd.DataFrame) -> pd.DataFrame:
        parameters = self.params
        close = column(bars, "close")
        line, signal_line, histogram = macd(
            close, parameters.fast, parameters.slow, parameters.signal, parameters.ema_seed
        )
        positions, direction = crossing_points(histogram)
        average_true_range = atr(column(bars, "high"), column(bars, "low"), close, ATR_PERIOD)
        frame = self.rows(
            bars,
            positions,
            direction,
            MacdValues(
                histogram[positions],
                histogram[positions - 1],
                line[positions],
                signal_line[positions],
                average_true_range[positions],
                close[positions],
            ),
        )
        return drop_before(frame, bars, parameters.min_bars)

    def rows(
        self, bars: pd.DataFrame, positions: IntArray, direction: SignArray, values: MacdValues
    ) -> pd.DataFrame:
        """The signal rows at ``positions`` (crosses) of ``bars``, from the values there (the
        one construction of a row, for ``compute`` and the incremental form)."""
        parameters = self.params
        range_at = values.average_true_range
        jump = np.abs(values.histogram - values.histogram_before)
        with np.errstate(divide="ignore", invalid="ignore"):
            confidence = np.where(np.isnan(range_at), 0.5, jump / range_at / CONFIDENCE_SCALE)
        crossing = LineCross(
            "MACD",
            values.line,
            values.signal_line,
            values.close,
            range_at,
            parameters.stop_atr,
            parameters.target_atr,
        )
        return line_cross_frame(bars, positions, direction, confidence, crossing)

    def incremental(self, bars: pd.DataFrame) -> IncrementalSignals | None:
        """The TA-Lib seeding steps exactly (TA-Lib's EMA and ATR handles); ``ema_seed="first"``
        (pandas) has no form."""
        if self.params.ema_seed != EmaSeed.SMA or not opening_checks(bars, PRICES):
            return None
        try:
            return MacdIncremental(self, bars)
        except InsufficientHistory:
            return None


PRICES = ("high", "low", "close")


class MacdValues(NamedTuple):
    """The values a macd-cross row is built from, one per row."""

    histogram: FloatArray
    histogram_before: FloatArray
    line: FloatArray
    signal_line: FloatArray
    average_true_range: FloatArray
    close: FloatArray


class MacdIncremental(IncrementalSignals):
    """macd-cross one bar at a time: the three EMAs and the ATR as TA-Lib handles, the
    carried sign of the histogram, and its last value."""

    def __init__(self, strategy: MacdCross, bars: pd.DataFrame) -> None:
        parameters = strategy.params
        self.strategy = strategy
        high, low, close = column(bars, "high"), column(bars, "low"), column(bars, "close")
        self.fast, fast_line = open_ema(close, parameters.fast)
        self.slow, slow_line = open_ema(close, parameters.slow)
        line = fast_line - slow_line
        self.signal, signal_line = open_ema(line, parameters.signal)
        self.range, _ = open_atr(high, low, close, ATR_PERIOD)
        histogram = line - signal_line
        self.crossing = Crossing(histogram)
        self.histogram = float(histogram[-1])

    def step(self, bars: Bars, index: int) -> pd.DataFrame | None:
        high, low, close = bar_prices(bars, index)
        line = self.fast.update(close) - self.slow.update(close)
        signal_line = self.signal.update(line)
        histogram = line - signal_line
        average_true_range = self.range.update(high, low, close)
        before, self.histogram = self.histogram, histogram
        crossed = self.crossing.step(histogram)
        if crossed == 0 or index < self.strategy.params.min_bars:
            return None
        values = MacdValues(
            *(
                np.array([value])
                for value in (histogram, before, line, signal_line, average_true_range, close)
            )
        )
        return self.strategy.rows(
            bars.frame.iloc[index:],
            np.array([0], dtype=np.intp),
            np.array([crossed], dtype=np.int8),
            values,
        )
