"""How a per-bar strategy takes part in a bar: after the bar's resting orders were matched, it
sees the portfolio (a read-only context) and the closed bars, and its signal is routed or its
order intent placed like anyone else's. Backtests and paper portfolios both call this, so the
same strategy gives the same fills in both.

At a bar outside the trading session (``session = regular``, see ``paperdesk.data.sessions``) a
per-bar strategy is not asked to decide, as Lean's ``OnData`` never receives extended-hours bars
when extended hours are off; the bar is still in the history it sees at the next bar."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import pandas as pd

from paperdesk.analysis.strategies.per_bar import BarStrategy
from paperdesk.domain import Bar, Event, OrderIntent, Signal
from paperdesk.engine.kernel import TradingKernel


def decide(
    kernel: TradingKernel,
    strategy: BarStrategy[Any],
    history: pd.DataFrame,
    bar: Bar,
    bar_index: int,
    state: Mapping[str, Any],
    day_start_equity: Decimal | None = None,
) -> tuple[list[Event], Mapping[str, Any] | None]:
    """The events of ``strategy``'s decision at ``bar`` (the last row of ``history``) and its
    new state (None: unchanged); nothing at a bar outside the trading session."""
    if kernel.outside_session(bar) is not None:
        return [], None
    context = kernel.strategy_context(strategy.name, bar, bar_index, state)
    decision = strategy.decision(history, context)
    action = decision.action
    if isinstance(action, Signal):
        signal = action._replace(ts=bar.ts_close)
        return kernel.route_late(bar, [signal], bar_index, day_start_equity), decision.state
    if isinstance(action, OrderIntent):
        return kernel.submit_strategy_order(action, bar), decision.state
    return [], decision.state
