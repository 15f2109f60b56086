"""``example-sma-entries``: the vectorised half of the example (entries only)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import pandas as pd

from paperdesk.analysis.strategies.base import (
    Strategy,
    column,
    make_signal_frame,
    require_at_least,
)
from paperdesk_example_strategies.rule import entry_rows


@dataclass(frozen=True, slots=True)
class SmaEntriesParameters:
    """``period``: bars in the simple moving average of the close."""

    period: int = 20


class SmaEntries(Strategy[SmaEntriesParameters]):
    """Long when the close crosses above SMA(``period``); never exits by itself.

    Run it with the router option ``max_holding_bars=H`` (``--max-holding-bars H``) and it
    trades exactly like ``example-sma-hold`` with ``hold_bars=H``: the engine closes each
    position H bars after the bar whose fill opened it.
    """

    name: ClassVar[str] = "example-sma-entries"
    description: ClassVar[str] = (
        "Example plug-in: long when the close crosses above SMA(period); entries only "
        "(pair it with max_holding_bars for the exit)."
    )
    Parameters: ClassVar[type[SmaEntriesParameters]] = SmaEntriesParameters

    @classmethod
    def check_parameters(cls, params: SmaEntriesParameters) -> None:
        require_at_least("period", params.period, 2)

    @property
    def warmup(self) -> int:
        return self.params.period  # the SMA's first bar (row period - 1) is never a cross

    def compute(self, bars: pd.DataFrame) -> pd.DataFrame:
        rows = entry_rows(column(bars, "close"), self.params.period)
        return make_signal_frame(
            bars, rows, 1, reason=f"close crossed above SMA({self.params.period})"
        )
