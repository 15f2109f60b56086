"""``buy-and-hold``: a single long signal at the first bar the strategy sees."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

import pandas as pd

from paperdesk.analysis.strategies.common import MIN_BARS_HELP, require_at_least
from paperdesk.analysis.strategies.per_bar import BarStrategy
from paperdesk.analysis.strategies.registry import register
from paperdesk.domain.decisions import Decision, StrategyContext

__all__ = ["BuyAndHold", "BuyAndHoldParameters"]


@dataclass(frozen=True, slots=True)
class BuyAndHoldParameters:
    """``min_bars`` delays the entry (0 = the first bar seen)."""

    min_bars: int = field(default=0, metadata=MIN_BARS_HELP)


@register
class BuyAndHold(BarStrategy[BuyAndHoldParameters]):
    """Go long at the first bar it sees and never exit (confidence 1, no stop or target).

    "The first bar it sees" is the first bar of a backtest (after ``--from``) and the first bar
    a paper portfolio processes for the symbol (a replay's ``replay_from``), not the first bar
    of the stored history: a per-bar strategy, it remembers in its state that it has entered.
    With ``min_bars`` it waits until the history holds more than ``min_bars`` bars (its first
    decision is on the bar at 0-based row ``min_bars``, as every built-in strategy's).
    """

    name: ClassVar[str] = "buy-and-hold"
    description: ClassVar[str] = "One long signal at the first bar it sees, held to the end."
    Parameters: ClassVar[type[BuyAndHoldParameters]] = BuyAndHoldParameters

    @classmethod
    def check_parameters(cls, params: BuyAndHoldParameters) -> None:
        require_at_least("min_bars", params.min_bars, 0)

    @property
    def warmup(self) -> int:
        return self.params.min_bars

    def decide(self, history: pd.DataFrame, context: StrategyContext) -> Decision | None:
        if context.state.get("entered"):
            return None
        signal = context.long(reason="buy and hold: enter long at the first bar seen")
        return Decision(signal, state={"entered": True})
