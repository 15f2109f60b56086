"""A strategy's ``history_window``: its signal at a bar, computed from that many latest bars,
equals the one computed from the whole history, to the last bit, bar by bar on real data.

The live tick computes on the window (``paperdesk.live.runner._signals``), so that its cost
does not grow with the history; this is what makes that exact rather than close."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd
import pytest

from paperdesk.analysis.strategies import create_strategy, strategy_names
from paperdesk.analysis.strategies.base import Strategy, to_signals

LoadBars = Callable[[str], pd.DataFrame]

# (bundled file, rows): daily SPY whole, and the latest hourly SPY and EURUSD
DATA = [("lean_SPY_1d.csv", None), ("lean_SPY_1h.csv", 8000), ("lean_oanda_EURUSD_1h.csv", 8000)]
# parameters other than the defaults: the other EMA seed, ATR stops and targets, other periods
VARIANTS: dict[str, list[dict[str, Any]]] = {
    "macd-cross": [{}, {"fast": 5, "slow": 35, "signal": 5, "stop_atr": 2.0, "target_atr": 3.0},
                   {"ema_seed": "first", "min_bars": 300}],
    "tsi-momentum": [{}, {"long": 40, "short": 20, "signal": 10, "stop_atr": 1.5},
                     {"ema_seed": "first", "zero_line_filter": True}],
    "rsi-divergence": [{}, {"period": 21, "pivot_width": 5, "lookback": 60, "target_atr": 2.0}],
}  # fmt: skip
STRETCH = 100  # consecutive bars checked at each of three places in the series


def windowed_names() -> list[str]:
    names = []
    for name in strategy_names():
        strategy = create_strategy(name)
        if isinstance(strategy, Strategy) and strategy.history_window is not None:
            names.append(name)
    return names


def test_the_built_in_exponential_strategies_declare_a_window() -> None:
    assert {"macd-cross", "tsi-momentum", "rsi-divergence"} <= set(windowed_names())
    # sma-cross does not: TA-Lib's SMA keeps a running sum, whose last bits depend on where
    # the sum started, so no window gives the full history's values exactly
    assert create_strategy("sma-cross").history_window is None  # type: ignore[union-attr]


def checked_bars(window: int, length: int) -> list[int]:
    """Bar numbers checked: every bar of three stretches (the first bar whose window is
    shorter than the history, the middle, the end)."""
    starts = [window, (window + length) // 2, length - STRETCH]
    return sorted({t for start in starts for t in range(start, min(start + STRETCH, length))})


@pytest.mark.parametrize("name", ["macd-cross", "tsi-momentum", "rsi-divergence"])
def test_signals_from_the_window_equal_the_full_history_bar_by_bar(
    load_bars: LoadBars, name: str
) -> None:
    for file, rows in DATA:
        bars = load_bars(file)
        if rows is not None:
            bars = bars.iloc[-rows:]
        for parameters in VARIANTS[name]:
            strategy = create_strategy(name, parameters)
            assert isinstance(strategy, Strategy)
            window = strategy.history_window
            assert window is not None
            assert strategy.warmup < window < len(bars)
            full = strategy.signals(bars)
            compared = 0
            for t in checked_bars(window, len(bars)):
                label = bars.index[t]
                windowed = strategy.signals(bars.iloc[t + 1 - window : t + 1])
                where = f"{name} {parameters} {file} bar {t}"
                pd.testing.assert_frame_equal(
                    windowed.loc[label:], full.loc[label:label], check_exact=True, obj=where
                )
                mine = to_signals(windowed.loc[label:], name, "X")
                assert mine == to_signals(full.loc[label:label], name, "X"), where
                compared += len(mine)
            assert compared > 0, f"{name} {parameters} {file}: no signal in the bars checked"


def test_a_window_too_short_would_be_caught(load_bars: LoadBars) -> None:
    """The comparison can fail: a window of a tenth of the declared one gives other values."""
    bars = load_bars("lean_SPY_1d.csv")
    strategy = create_strategy("macd-cross", {"stop_atr": 2.0})
    assert isinstance(strategy, Strategy)
    assert strategy.history_window is not None
    short = strategy.history_window // 10
    full = strategy.signals(bars)
    differing = 0
    for t in range(2000, 2400):
        label = bars.index[t]
        windowed = strategy.signals(bars.iloc[t + 1 - short : t + 1]).loc[label:]
        expected = full.loc[label:label]
        if len(windowed) != len(expected) or not windowed.equals(expected):
            differing += 1
    assert differing > 0


def _trend_then_flat(flat: int) -> pd.DataFrame:
    """300 rising closes, ``flat`` identical ones, then one up-move (made-up prices)."""
    closes = [100.0 + 0.5 * i for i in range(300)] + [250.0] * flat + [251.0]
    index = pd.date_range("2000-01-03", periods=len(closes), freq="D", tz="UTC", name="ts")
    return pd.DataFrame(
        {"open": closes, "high": closes, "low": closes, "close": closes, "volume": 1000.0},
        index=index,
    )


def test_a_long_flat_stretch_breaks_the_window_so_the_live_tick_uses_the_whole_history() -> None:
    """Why the live tick does not use the window (``live.runner._signals``): after identical
    closes the full history keeps a tiny leftover of the old trend (with its sign), the window
    computes exactly 0 (or 0/0), and the next move is a cross in one and not in the other
    (shown for macd-cross; tsi-momentum's averages can be caught the same way)."""
    name = "macd-cross"
    strategy = create_strategy(name)
    assert isinstance(strategy, Strategy)
    window = strategy.history_window
    assert window is not None
    bars = _trend_then_flat(window + 50)
    label = bars.index[-1]
    full = to_signals(strategy.signals(bars).loc[label:], name, "X")
    windowed = to_signals(strategy.signals(bars.iloc[-window:]).loc[label:], name, "X")
    assert [signal.direction for signal in full] == [1]  # the full history: a cross up
    assert windowed != full
