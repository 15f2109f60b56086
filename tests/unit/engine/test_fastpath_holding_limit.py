"""A holding limit (``--max-holding-bars``, ``routing.risk.MaxHoldingPeriod``) on the integer fast
path gives exactly the event kernel's result (by repr) for plain signals: the exit
N bars after the entry's fill bar, submitted at that bar's close before its signals are routed
(no strategy, "max holding period: held N bars"), filled at the next open, replaced by a signal's
own exit on that bar, on a tick grid and on prices of no tick grid (an adjusted series: the exits
fill at the exact slipped opens); with brackets, the exit cancels the legs at its bar's close,
after they were matched on that bar."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pandas as pd
import pytest
from engine_builders import Scripted, make_bars
from hypothesis import event, given, settings
from hypothesis import strategies as st
from test_fastpath_adjusted import (
    NO_TICK,
    _adjusted,
    _assert_same_outcome,
    _eligible_bundled,
    adjusted_bars,
    scripts,
)
from test_fastpath_adjusted import _eligible as _eligible_adjusted
from test_fastpath_brackets import bracket_scripts
from test_fastpath_equivalence import (
    TEST,
    _eligible,
    assert_identical,
    eligible_configs,
)
from test_fastpath_signal_filters import (
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
def held_configs(draw: st.DrawFn, base: st.SearchStrategy[RunConfig], most: int = 40) -> RunConfig:
    """``base``'s runs (every sizing, cap, fee, slippage, cash and short setting, a minimum
    confidence and a cooldown or none) with a holding limit of 1 to ``most`` bars."""
    config = draw(base)
    holding = draw(st.sampled_from([bars for bars in (1, 2, 3, 5, 10, 40) if bars <= most]))
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


@pytest.mark.parametrize("shape", ["brackets", "dense brackets"])
@settings(max_examples=200, deadline=None)
@given(data=st.data())
def test_held_brackets_equal_the_event_path(shape: str, data: st.DataObject) -> None:
    """Brackets held at most 1 to 40 bars on a tick grid: the holding exit cancels the legs at
    its bar's close, after they were matched there (a leg reaching that bar closes first)."""
    result = same_drawn_outcome(data, shape, held_configs(filtered_configs()))
    if result is None:
        return
    held = [order for order in result.orders if order.reason.startswith(_HOLDING)]
    legs_canceled = any(
        order.role.value in ("stop_loss", "take_profit")
        and order.status.value == "canceled"
        and order.ts_updated in {exit_.ts_submitted for exit_ in held}
        for order in result.orders
    )
    event(f"holding exits: {min(len(held), 3)}{'+' if len(held) >= 3 else ''}")
    event(f"legs canceled by a holding exit: {legs_canceled}")


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


def test_plain_signals_and_brackets_are_eligible_on_and_off_the_tick_grid() -> None:
    """Plain signals and brackets held at most N bars take the fast path, on the tick grid and
    on prices of no tick grid (an adjusted series)."""
    assert _eligible(_BARS, Scripted({1: 1, 10: 0}), _held(4))
    assert _eligible(_BARS, Scripted({1: (1, 90.0, 130.0), 10: 0}), _held(4))
    adjusted = _adjusted(_BARS, [Decimal("0.6566606")] * len(_BARS))
    bracket = Scripted({1: (1, 60.0, 90.0), 10: 0})
    assert _eligible_adjusted(adjusted, bracket, _held(4), NO_TICK)
    assert _eligible_adjusted(adjusted, Scripted({1: 1, 10: 0}), _held(4), NO_TICK)


def test_the_holding_exit_cancels_the_legs_at_its_bar_s_close() -> None:
    """Entered at row 2's open with legs no bar reaches, held 4 bars: the exit is submitted at
    row 6's close and cancels both legs there ("replaced by a new exit"), then fills at row
    7's open."""
    fast = _both(_BARS, Scripted({1: (1, 50.0, 200.0), 10: 0}), _held(4))
    _entry, stop, target, exit_order = fast.orders[:4]
    assert (stop.status.value, target.status.value) == ("canceled", "canceled")
    assert stop.ts_updated == target.ts_updated == _BARS["ts_close"].iloc[6]
    assert exit_order.reason == "max holding period: held 4 bars"
    assert (exit_order.strategy, exit_order.status.value) == ("", "filled")
    [trade] = fast.trades
    assert (trade.ts_exit, trade.exit_reason) == (_BARS.index[7], exit_order.reason)


def test_a_leg_reaching_the_exit_s_bar_closes_first() -> None:
    """The legs are matched at the due bar's open onwards, before the holding exit is placed at
    its close: a target reached on row 6 (its high 108.37) fills, and no holding exit is made."""
    fast = _both(_BARS, Scripted({1: (1, 50.0, 108.0), 10: 0}), _held(4))
    assert not any(order.reason.startswith(_HOLDING) for order in fast.orders)
    [trade] = fast.trades
    assert trade.exit_reason == "take-profit"
    assert trade.ts_exit == _BARS.index[6]


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


@pytest.mark.parametrize(
    ("shape", "configs", "most"),
    [
        ("plain", signal_configs(), 40),
        ("plain", eligible_configs(), 40),
        ("brackets", signal_configs(), 3),  # the legs are near: a longer hold is seldom reached
        ("brackets", eligible_configs(), 3),
    ],
)
@settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_held_adjusted_runs_equal_the_event_path(
    shape: str, configs: st.SearchStrategy[RunConfig], most: int, data: st.DataObject
) -> None:
    """Plain signals and brackets on an adjusted series (no tick grid, each bar's price scale)
    held 1 to ``most`` bars: every sizing, cap, fee, slippage, cash and short setting of the
    adjusted harness; the exits fill at the exact slipped opens of the grid."""
    bars = data.draw(adjusted_bars())
    config = data.draw(held_configs(configs, most=most))
    if shape == "plain":
        strategy = Scripted(data.draw(scripts(len(bars))))
    else:
        strategy = Scripted(data.draw(bracket_scripts(bars, config.risk.allow_short)))
    result = _assert_same_outcome(bars, strategy, config)
    if result is not None:
        held = sum(order.reason.startswith(_HOLDING) for order in result.orders)
        event(f"holding exits: {min(held, 3)}{'+' if held >= 3 else ''}")


@pytest.mark.parametrize("script", [{1: (1, 30.0, 150.0), 10: 0}, {1: (1, 30.0, 150.0), 6: 0}])
def test_a_held_bracket_on_an_adjusted_series_exits_at_the_exact_open(
    script: dict[int, Any],
) -> None:
    """The legs never reached on an adjusted series (0.6566606 x the raw prices): the holding
    exit cancels them at row 6's close and fills at row 7's exact slipped open, or a flat
    signal there replaces it."""
    adjusted = _adjusted(_BARS, [Decimal("0.6566606")] * len(_BARS))
    result = _assert_same_outcome(adjusted, Scripted(script), _held(4))
    assert result is not None
    [held] = [order for order in result.orders if order.reason.startswith(_HOLDING)]
    assert held.ts_submitted == adjusted["ts_close"].iloc[6]
    assert held.status.value == ("filled" if 10 in script else "canceled")
    assert result.fills[-1].price.as_tuple().exponent <= -9
