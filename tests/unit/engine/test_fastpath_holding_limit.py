"""A holding limit (``--max-holding-bars``, ``routing.risk.MaxHoldingPeriod``) on the integer fast
path gives exactly the event kernel's result (by repr) for plain signals: the exit
N bars after the entry's fill bar, submitted at that bar's close before its signals are routed
(no strategy, "max holding period: held N bars"), filled at the next open, replaced by a signal's
own exit on that bar, on a tick grid and on prices of no tick grid (an adjusted series: the exits
fill at the exact slipped opens). Brackets take the event kernel."""

from __future__ import annotations

from typing import Any

import pandas as pd
import pytest
from engine_builders import Scripted, make_bars
from hypothesis import event, given, settings
from hypothesis import strategies as st
from test_fastpath_adjusted import _assert_same_outcome, _eligible_bundled, adjusted_bars, scripts
from test_fastpath_equivalence import (
    TEST,
    _eligible,
    assert_identical,
    bar_series,
    eligible_configs,
)
from test_fastpath_signal_filters import (
    Confident,
    _script,
    filtered_configs,
    per_share_filtered_configs,
    same_drawn_outcome,
)
from test_fastpath_signal_sizing import signal_configs

from paperdesk.analysis.strategies.registry import create_strategy
from paperdesk.config import RiskConfig, RunConfig
from paperdesk.engine.backtest import simulate
from paperdesk.engine.result import BacktestResult
from paperdesk.service.backtests import prepare_run

_HOLDING = "max holding period: held"


@st.composite
def held_configs(draw: st.DrawFn, base: st.SearchStrategy[RunConfig]) -> RunConfig:
    """``base``'s runs (every sizing, cap, fee, slippage, cash and short setting, a minimum
    confidence and a cooldown or none) with a holding limit of 1 to 40 bars."""
    config = draw(base)
    holding = draw(st.sampled_from([1, 2, 3, 5, 10, 40]))
    return config.with_changes(risk=config.risk.with_changes(max_holding_bars=holding))


@pytest.mark.parametrize(
    ("shape", "configs"),
    [
        ("plain", held_configs(filtered_configs())),
        ("reversals", held_configs(filtered_configs())),
        ("dense", held_configs(filtered_configs())),
        ("plain", held_configs(per_share_filtered_configs())),
    ],
)
@settings(max_examples=200, deadline=None)
@given(data=st.data())
def test_held_runs_equal_the_event_path(
    shape: str, configs: st.SearchStrategy[RunConfig], data: st.DataObject
) -> None:
    result = same_drawn_outcome(data, shape, configs)
    if result is None:
        return
    held = sum(order.reason.startswith(_HOLDING) for order in result.orders)
    replaced = sum(
        order.reason.startswith(_HOLDING) and order.status.value == "canceled"
        for order in result.orders
    )
    event(f"holding exits: {min(held, 3)}{'+' if held >= 3 else ''}")
    event(f"a holding exit replaced by a signal's: {bool(replaced)}")


@settings(max_examples=100, deadline=None)
@given(data=st.data())
def test_held_brackets_take_the_event_path(data: st.DataObject) -> None:
    """A bracket's legs would be canceled by the holding exit: not eligible, and engine auto
    gives the event kernel's result."""
    bars = data.draw(bar_series())
    config = data.draw(held_configs(filtered_configs()))
    strategy = _script(data, bars, "brackets", config.risk.allow_short)
    levels = strategy.signals(bars)[["stop", "target"]].notna().to_numpy().any()
    assert _eligible(bars, strategy, config) is not levels
    plain = {row: int(step[0]) for row, step in strategy.script.items()}
    assert _eligible(bars, Confident(plain, strategy.confidences), config)  # the levels dropped
    try:
        slow = simulate(bars, strategy, config, TEST, engine="event")
    except ArithmeticError:
        return
    assert_identical(simulate(bars, strategy, config, TEST), slow)


def _both(bars: pd.DataFrame, strategy: Scripted, config: RunConfig) -> BacktestResult:
    """The fast path's result, identical to the event kernel's."""
    assert _eligible(bars, strategy, config)
    fast = simulate(bars, strategy, config, TEST, engine="fastpath")
    assert_identical(fast, simulate(bars, strategy, config, TEST, engine="event"))
    return fast


_BARS = make_bars(
    [(100.37 + i % 7, 102.37 + i % 7, 99.37 + i % 7, 101.37 + i % 7) for i in range(12)]
)


def _held(bars: int, **risk: Any) -> RunConfig:
    """A user's run (80% of the equity at the signal, the 80% exposure cap, 5 bp) held at most
    ``bars`` bars."""
    return RunConfig(
        strategy="scripted",
        symbol="TEST",
        timeframe="1h",
        risk=RiskConfig(max_holding_bars=bars, **risk),
    )


def test_the_position_is_closed_at_the_open_after_its_nth_bar() -> None:
    """Entered at row 2's open (the signal at row 1), held 4 bars: the exit is submitted at row
    6's close and fills at row 7's open, with the kernel's reason and no strategy."""
    fast = _both(_BARS, Scripted({1: 1, 10: 0}), _held(4))
    [trade] = fast.trades
    assert trade.ts_entry == _BARS.index[2]
    assert trade.ts_exit == _BARS.index[7]
    assert trade.exit_reason == "max holding period: held 4 bars"
    assert trade.strategy == "scripted"
    exit_order = fast.orders[1]
    assert (exit_order.strategy, exit_order.ts_submitted) == ("", _BARS["ts_close"].iloc[6])
    assert [rejection.reason for rejection in fast.rejections] == [
        "no open position in TEST to close"
    ]


@pytest.mark.parametrize("signal", [0, -1])
def test_a_signal_on_the_exits_bar_replaces_it(signal: int) -> None:
    """The holding exit submitted at row 6's close is canceled by the signal's own exit there
    (a flat signal, or a short with shorts allowed: exit and entry)."""
    fast = _both(_BARS, Scripted({1: 1, 6: signal}), _held(4, allow_short=True))
    holding, replacing = fast.orders[1], fast.orders[2]
    assert holding.reason == "max holding period: held 4 bars"
    assert holding.status.value == "canceled"
    assert replacing.reason == f"scripted {signal}"
    assert replacing.status.value == "filled"
    assert fast.trades[0].exit_reason == f"scripted {signal}"


def test_a_repeat_on_the_exits_bar_is_rejected_and_the_exit_fills() -> None:
    fast = _both(_BARS, Scripted({1: 1, 6: 1, 8: 1}), _held(4))
    assert next(rejection.reason for rejection in fast.rejections).startswith("already long")
    assert fast.trades[0].exit_reason == "max holding period: held 4 bars"
    assert fast.trades[0].ts_exit == _BARS.index[7]
    assert len(fast.trades) == 1  # the entry at row 8 fills at row 9, then held to the end


def test_an_exit_due_on_the_last_bar_stays_accepted() -> None:
    fast = _both(_BARS, Scripted({6: 1}), _held(4))
    assert fast.orders[-1].reason == "max holding period: held 4 bars"
    assert fast.orders[-1].status.value == "accepted"
    assert not fast.trades
    assert fast.open_positions


def test_plain_signals_are_eligible_brackets_not() -> None:
    """Plain signals on the tick grid take the fast path; a bracket with a holding limit does
    not."""
    assert _eligible(_BARS, Scripted({1: 1, 10: 0}), _held(4))
    assert not _eligible(_BARS, Scripted({1: (1, 90.0, 130.0), 10: 0}), _held(4))


@pytest.mark.parametrize(
    ("symbol", "strategy_name", "holding"),
    [("SPY", "sma-cross", 20), ("SPY", "macd-cross", 20), ("AAPL", "sma-cross", 7)],
)
def test_a_held_default_run_on_the_bundled_adjusted_bars_takes_the_fast_path(
    symbol: str, strategy_name: str, holding: int
) -> None:
    """``paperdesk backtest`` with ``--max-holding-bars`` trades the bundled series adjusted for
    splits and dividends (no tick grid): the exits fill at the exact slipped opens, on the fast
    path, identical to the event kernel."""
    config = RunConfig(
        strategy=strategy_name, symbol=symbol, risk=RiskConfig(max_holding_bars=holding)
    )
    prepared = prepare_run(config)
    bars, instrument = prepared.bars, prepared.instrument
    assert instrument.tick_size == 0
    strategy = create_strategy(strategy_name, {})
    assert _eligible_bundled(bars, strategy, config, instrument)
    fast = simulate(bars, strategy, config, instrument, engine="fastpath")
    assert_identical(fast, simulate(bars, strategy, config, instrument, engine="event"))
    held = [trade for trade in fast.trades if trade.exit_reason.startswith(_HOLDING)]
    assert len(held) > 5
    assert min(trade.exit_price.as_tuple().exponent for trade in held) <= -9  # exact prices


@pytest.mark.parametrize("configs", [signal_configs(), eligible_configs()])
@settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_held_adjusted_runs_equal_the_event_path(
    configs: st.SearchStrategy[RunConfig], data: st.DataObject
) -> None:
    """Plain signals on an adjusted series (no tick grid, each bar's price scale) held 1 to 40
    bars: every sizing, cap, fee, slippage, cash and short setting of the adjusted harness."""
    bars = data.draw(adjusted_bars())
    config = data.draw(held_configs(configs))
    strategy = Scripted(data.draw(scripts(len(bars))))
    result = _assert_same_outcome(bars, strategy, config)
    if result is not None:
        held = sum(order.reason.startswith(_HOLDING) for order in result.orders)
        event(f"holding exits: {min(held, 3)}{'+' if held >= 3 else ''}")
