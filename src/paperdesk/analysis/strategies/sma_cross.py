"""``sma-cross``: long when the fast SMA crosses above the slow SMA, short when below."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

import pandas as pd

from paperdesk.analysis.indicators import crossing_points, sma
from paperdesk.analysis.strategies.base import (
    Strategy,
    column,
    make_signal_frame,
    require,
    require_period,
)
from paperdesk.analysis.strategies.reasons import compose, words
from paperdesk.analysis.strategies.registry import register

__all__ = ["SmaCross", "SmaCrossParameters"]


@dataclass(frozen=True, slots=True)
class SmaCrossParameters:
    """``fast`` <= 1 compares the close itself with SMA(``slow``)."""

    fast: int = field(
        default=10, metadata={"help": "fast SMA period in bars (<= 1: the close itself)"}
    )
    slow: int = field(default=20, metadata={"help": "slow SMA period in bars"})


@register
class SmaCross(Strategy[SmaCrossParameters]):
    """Moving-average crossover with backtrader ``CrossOver`` semantics.

    ``d = fast_line - slow_line`` (the fast line is the close when ``fast <= 1``); the last
    non-zero sign of ``d`` is carried forward, an up-cross (``d > 0`` after a negative
    carried sign) emits a long, a down-cross a short (see ``indicators.crossing_points``). No signal
    before both lines exist; the first bar where both exist is never a cross. Confidence is
    always 1; no stop or target.
    """

    name: ClassVar[str] = "sma-cross"
    description: ClassVar[str] = (
        "Long when SMA(fast) crosses above SMA(slow), short when it crosses below "
        "(fast <= 1: the close against SMA(slow))."
    )
    Parameters: ClassVar[type[SmaCrossParameters]] = SmaCrossParameters

    @classmethod
    def check_parameters(cls, params: SmaCrossParameters) -> None:
        require_period("fast", params.fast, 0)
        require_period("slow", params.slow, 2)
        require(
            params.fast < params.slow,
            f"parameter 'fast' ({params.fast}) must be smaller than 'slow' ({params.slow})",
        )

    @property
    def warmup(self) -> int:
        return self.params.slow

    def compute(self, bars: pd.DataFrame) -> pd.DataFrame:
        close = column(bars, "close")
        fast_period, slow_period = self.params.fast, self.params.slow
        price_mode = fast_period <= 1
        fast_line = close if price_mode else sma(close, fast_period)
        slow_line = sma(close, slow_period)
        positions, direction = crossing_points(fast_line - slow_line)
        fast_label = "close" if price_mode else f"SMA({fast_period})"
        reasons = compose(
            f"{fast_label} ",
            fast_line[positions],
            " crossed ",
            words(direction, "above", "below"),
            f" SMA({slow_period}) ",
            slow_line[positions],
        )
        return make_signal_frame(bars, positions, direction, reason=reasons)
