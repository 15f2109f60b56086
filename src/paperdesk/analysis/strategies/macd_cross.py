"""``macd-cross``: long when the MACD line crosses above its signal line, short when below."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

import numpy as np
import pandas as pd

from paperdesk.analysis.indicators import EMA_SEEDS, atr, crossing_points, macd
from paperdesk.analysis.strategies.base import (
    Strategy,
    atr_levels,
    column,
    drop_before,
    make_signal_frame,
    require,
    require_at_least,
    require_period,
    settling_bars,
)
from paperdesk.analysis.strategies.common import (
    EMA_SEED_HELP,
    MIN_BARS_HELP,
    STOP_ATR_HELP,
    TARGET_ATR_HELP,
    period_field,
    require_choice,
)
from paperdesk.analysis.strategies.reasons import compose, words
from paperdesk.analysis.strategies.registry import register

__all__ = ["ATR_PERIOD", "CONFIDENCE_SCALE", "MacdCross", "MacdCrossParameters"]

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

    @property
    def history_window(self) -> int:
        """The slow EMA, then the signal line's EMA of it, forgotten to the last bit, and the
        ATR's Wilder average (doubled: a margin the bar-by-bar test does not need)."""
        parameters = self.params
        chain = settling_bars(parameters.slow) + settling_bars(parameters.signal)
        return 2 * (self.warmup + max(chain, settling_bars(ATR_PERIOD, wilder=True)))

    def compute(self, bars: pd.DataFrame) -> pd.DataFrame:
        parameters = self.params
        close = column(bars, "close")
        line, signal_line, histogram = macd(
            close, parameters.fast, parameters.slow, parameters.signal, parameters.ema_seed
        )
        positions, direction = crossing_points(histogram)
        average_true_range = atr(column(bars, "high"), column(bars, "low"), close, ATR_PERIOD)
        range_at = average_true_range[positions]
        jump = np.abs(histogram[positions] - histogram[positions - 1])
        with np.errstate(divide="ignore", invalid="ignore"):
            confidence = np.where(np.isnan(range_at), 0.5, jump / range_at / CONFIDENCE_SCALE)
        close_at = close[positions]
        reasons = compose(
            "MACD ",
            line[positions],
            " crossed ",
            words(direction, "above", "below"),
            " signal ",
            signal_line[positions],
            significant=4,
        )
        frame = make_signal_frame(
            bars,
            positions,
            direction,
            confidence=confidence,
            stop=atr_levels(close_at, range_at, direction, parameters.stop_atr, -1),
            target=atr_levels(close_at, range_at, direction, parameters.target_atr, 1),
            reason=reasons,
        )
        return drop_before(frame, bars, parameters.min_bars)
