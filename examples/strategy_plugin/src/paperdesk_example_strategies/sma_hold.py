"""``example-sma-hold``: the per-bar half of the example (entries, its own exit, a state)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import pandas as pd

from paperdesk.analysis.strategies.base import column, require_at_least
from paperdesk.analysis.strategies.per_bar import BarStrategy
from paperdesk.domain import Decision, OrderRole, Signal, StrategyContext
from paperdesk_example_strategies.rule import entry_rows


@dataclass(frozen=True, slots=True)
class SmaHoldParameters:
    """``period``: bars in the SMA of the close; ``hold_bars``: bars to hold each position."""

    period: int = 20
    hold_bars: int = 5


class SmaHold(BarStrategy[SmaHoldParameters]):
    """Long when the close crosses above SMA(``period``); exit ``hold_bars`` bars after the
    entry fill. Its state counts the entry signals it has sent (``{"entry_signals": n}``).

    The holding period is counted as the engine's ``max_holding_bars`` counts it:
    ``context.bars_since_entry`` is 0 on the bar whose fill opened the position, and the exit
    signal goes out at the close of the bar where it reaches ``hold_bars`` (the order fills on
    the next bar, like the engine's own holding-period exit). So with the router's defaults
    (no pyramiding, no cooldown, time in force gtc) and no other orders in the symbol, it
    trades exactly like ``example-sma-entries`` run with ``max_holding_bars=hold_bars``.
    """

    name: ClassVar[str] = "example-sma-hold"
    description: ClassVar[str] = (
        "Example plug-in (per bar): long when the close crosses above SMA(period), exit "
        "hold_bars bars after the entry fill; counts its entry signals in its state."
    )
    Parameters: ClassVar[type[SmaHoldParameters]] = SmaHoldParameters

    @classmethod
    def check_parameters(cls, params: SmaHoldParameters) -> None:
        require_at_least("period", params.period, 2)
        require_at_least("hold_bars", params.hold_bars, 1)

    @property
    def warmup(self) -> int:
        return self.params.period

    def decide(self, history: pd.DataFrame, context: StrategyContext) -> Signal | Decision | None:
        held = context.bars_since_entry
        if held is not None:  # in a position: only the exit can happen
            exit_working = any(order.role is OrderRole.EXIT for order in context.open_orders)
            if held >= self.params.hold_bars and not exit_working:
                return context.exit(reason=f"held {held} bars (hold_bars={self.params.hold_bars})")
            return None
        # Recomputing the rule on the whole history keeps it identical to the vectorised
        # strategy (TA-Lib's SMA keeps a running sum); it costs O(bars) per bar.
        rows = entry_rows(column(history, "close"), self.params.period)
        if rows.shape[0] == 0 or rows[-1] != len(history) - 1:
            return None
        count = int(context.state.get("entry_signals", 0)) + 1
        signal = context.long(
            reason=f"close crossed above SMA({self.params.period}) (entry signal {count})"
        )
        return Decision(signal, state={"entry_signals": count})
