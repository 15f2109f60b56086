"""``buy-and-hold``: a single long signal at the first bar."""

from __future__ import annotations

from typing import ClassVar

import pandas as pd

from paperdesk.analysis.strategies.base import NoParameters, Strategy, make_signal_frame
from paperdesk.analysis.strategies.registry import register

__all__ = ["BuyAndHold"]


@register
class BuyAndHold(Strategy[NoParameters]):
    """Go long at the first bar and never exit (confidence 1, no stop or target)."""

    name: ClassVar[str] = "buy-and-hold"
    description: ClassVar[str] = "One long signal at the first bar, held to the end."
    Parameters: ClassVar[type[NoParameters]] = NoParameters

    @property
    def warmup(self) -> int:
        return 0

    def compute(self, bars: pd.DataFrame) -> pd.DataFrame:
        return make_signal_frame(bars, [0], 1, reason="buy and hold: enter long at the first bar")
