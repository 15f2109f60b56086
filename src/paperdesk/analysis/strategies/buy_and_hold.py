"""``buy-and-hold``: a single long signal at the first bar the strategy sees."""

from __future__ import annotations

from typing import ClassVar

import pandas as pd

from paperdesk.analysis.strategies.common import NoParameters
from paperdesk.analysis.strategies.per_bar import BarStrategy
from paperdesk.analysis.strategies.registry import register
from paperdesk.domain.decisions import Decision, StrategyContext

__all__ = ["BuyAndHold"]


@register
class BuyAndHold(BarStrategy[NoParameters]):
    """Go long at the first bar it sees and never exit (confidence 1, no stop or target).

    "The first bar it sees" is the first bar of a backtest (after ``--from``) and the first bar
    a paper portfolio processes for the symbol (a replay's ``replay_from``), not the first bar
    of the stored history: a per-bar strategy, it remembers in its state that it has entered.
    """

    name: ClassVar[str] = "buy-and-hold"
    description: ClassVar[str] = "One long signal at the first bar it sees, held to the end."
    Parameters: ClassVar[type[NoParameters]] = NoParameters

    @property
    def warmup(self) -> int:
        return 0

    def decide(self, history: pd.DataFrame, context: StrategyContext) -> Decision | None:
        if context.state.get("entered"):
            return None
        signal = context.long(reason="buy and hold: enter long at the first bar seen")
        return Decision(signal, state={"entered": True})
