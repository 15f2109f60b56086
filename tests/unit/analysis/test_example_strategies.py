"""The example plug-in's rule written both ways enters and exits on the same bars."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

import pandas as pd
import pytest

from paperdesk.analysis import create_strategy
from paperdesk.analysis.strategies.base import Strategy
from paperdesk.analysis.strategies.per_bar import BarStrategy
from paperdesk.domain import Direction, Order, OrderRole, OrderType, Side, StrategyContext

LoadBars = Callable[[str], pd.DataFrame]
Trade = tuple[int, int | None]  # (row of the entry fill, row of the exit fill or None)


def vectorised_trades(strategy: Strategy[Any], bars: pd.DataFrame, hold: int) -> list[Trade]:
    """Trades of entry signals plus the engine's holding-period exit, as the kernel counts it:
    a signal at row t fills at row t + 1's open; at the close of row j, a position whose
    entry filled at row k is closed when ``j - k >= hold`` (the exit fills at row j + 1); an
    entry signal while long is refused (no pyramiding)."""
    rows = set(bars.index.get_indexer(strategy.signals(bars).index).tolist())
    trades: list[Trade] = []
    entry: int | None = None
    pending: str | None = None
    for row in range(len(bars)):
        if pending == "enter":
            entry = row
        elif pending == "exit":
            trades.append((entry, row))  # type: ignore[arg-type]
            entry = None
        pending = None
        if entry is not None and row - entry >= hold:
            pending = "exit"
        elif entry is None and row in rows:
            pending = "enter"
    return [*trades, (entry, None)] if entry is not None else trades


def per_bar_trades(
    strategy: BarStrategy[Any], bars: pd.DataFrame
) -> tuple[list[Trade], Mapping[str, Any]]:
    """Trades of a per-bar strategy run bar by bar with the same fills (next open), and its
    final state."""
    trades: list[Trade] = []
    entry: int | None = None
    pending: Direction | None = None
    state: Mapping[str, Any] = {}
    for row in range(len(bars)):
        if pending is Direction.LONG and entry is None:
            entry = row
        elif pending is Direction.FLAT and entry is not None:
            trades.append((entry, row))
            entry = None
        context = StrategyContext(
            strategy=strategy.name,
            symbol="SPY",
            ts=bars.index[row].to_pydatetime(),
            bar_index=row,
            cash=Decimal(0),
            equity=Decimal(0),
            position=Decimal(0) if entry is None else Decimal(1),
            bars_since_entry=None if entry is None else row - entry,
            state=state,
        )
        decision = strategy.decision(bars.iloc[: row + 1], context)
        if decision.state is not None:
            state = decision.state
        action = decision.action
        pending = None if action is None else action.direction  # type: ignore[union-attr]
    return ([*trades, (entry, None)] if entry is not None else trades), state


@pytest.mark.parametrize(("period", "hold"), [(20, 5), (10, 1), (50, 12)])
def test_the_rule_written_both_ways_trades_the_same_bars(
    load_bars: LoadBars, period: int, hold: int
) -> None:
    bars = load_bars("lean_SPY_1d.csv").iloc[:600]
    entries = create_strategy("example-sma-entries", {"period": period})
    per_bar = create_strategy("example-sma-hold", {"period": period, "hold_bars": hold})
    assert isinstance(entries, Strategy)
    assert isinstance(per_bar, BarStrategy)
    assert entries.warmup == per_bar.warmup == period

    expected = vectorised_trades(entries, bars, hold)
    trades, state = per_bar_trades(per_bar, bars)
    assert len(expected) >= 5
    assert trades == expected
    assert all(exit_row - entry_row == hold + 1 for entry_row, exit_row in trades if exit_row)
    assert state == {"entry_signals": len(trades)}


def test_the_per_bar_strategy_exits_only_once_an_exit_is_not_already_working(
    load_bars: LoadBars,
) -> None:
    bars = load_bars("lean_SPY_1d.csv").iloc[:60]
    strategy = create_strategy("example-sma-hold", {"period": 20, "hold_bars": 3})
    assert isinstance(strategy, BarStrategy)
    ts = bars.index[-1].to_pydatetime()
    held = {"position": Decimal(5), "bars_since_entry": 3}
    common = {"strategy": strategy.name, "symbol": "SPY", "ts": ts, "bar_index": 59}
    money = {"cash": Decimal(0), "equity": Decimal(0)}
    signal = strategy.decision(bars, StrategyContext(**common, **money, **held)).action
    assert signal is not None
    assert signal.direction is Direction.FLAT  # type: ignore[union-attr]
    assert signal.reason == "held 3 bars (hold_bars=3)"
    working = Order(
        "o1", "c1", "SPY", Side.SELL, OrderType.MARKET, Decimal(5), ts, role=OrderRole.EXIT
    )
    context = StrategyContext(**common, **money, **held, open_orders=(working,))
    assert strategy.decision(bars, context).action is None
