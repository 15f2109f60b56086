"""The allowed symbols (``--allowed-symbols``, ``routing.filters.AllowedSymbols``) on the fast
path, identical to the event kernel: the router's second filter, after the minimum confidence
and before the cooldown. On a one-instrument run it passes every signal (the symbol is allowed)
or refuses every signal in its words, exits included (no position is ever opened, so no leg or
holding exit is ever made)."""

from __future__ import annotations

from typing import Any

import pytest
from engine_builders import Scripted, make_bars
from hypothesis import event, given, settings
from hypothesis import strategies as st
from test_fastpath_adjusted import (
    _assert_same_outcome,
    adjusted_bars,
    scripts,
)
from test_fastpath_brackets import BRACKET_PARAMETERS, bracket_scripts
from test_fastpath_equivalence import TEST, _eligible, assert_identical, eligible_configs
from test_fastpath_holding_limit import held_configs
from test_fastpath_signal_filters import (
    Confident,
    filtered_configs,
    identical_bundled_run,
    per_share_filtered_configs,
    same_drawn_outcome,
)
from test_fastpath_signal_sizing import signal_configs

from paperdesk.config import RiskConfig, RunConfig
from paperdesk.engine.backtest import simulate
from paperdesk.engine.result import BacktestResult

_OUTSIDE = "is not among the allowed symbols"
_LISTS = [("TEST",), ("OTHER",), ("TEST", "ZZZ"), ("AAA", "BBB")]  # the run's symbol is TEST


@st.composite
def allowed_configs(draw: st.DrawFn, base: st.SearchStrategy[RunConfig]) -> RunConfig:
    """``base``'s runs with allowed symbols that name the run's symbol or do not."""
    config = draw(base)
    risk = config.risk.with_changes(allowed_symbols=draw(st.sampled_from(_LISTS)))
    return config.with_changes(risk=risk)


def _events(result: BacktestResult | None) -> None:
    if result is None:
        return
    reasons = [rejection.reason for rejection in result.rejections]
    outside = sum(_OUTSIDE in reason for reason in reasons)
    event(f"signals refused as outside the allowed symbols: {bool(outside)}")
    if outside:  # then every signal is refused, by the confidence or the symbol
        assert not result.trades
        assert len(reasons) == result.signals


@pytest.mark.parametrize(
    ("shape", "configs"),
    [
        ("plain", allowed_configs(filtered_configs())),
        ("reversals", allowed_configs(filtered_configs())),
        ("brackets", allowed_configs(filtered_configs())),
        ("dense", allowed_configs(held_configs(filtered_configs()))),
        ("dense brackets", allowed_configs(held_configs(filtered_configs()))),
        ("plain", allowed_configs(per_share_filtered_configs())),
    ],
)
@settings(max_examples=100, deadline=None)
@given(data=st.data())
def test_runs_with_allowed_symbols_equal_the_event_path(
    shape: str, configs: st.SearchStrategy[RunConfig], data: st.DataObject
) -> None:
    """Every sizing, cap, fee, slippage, cash and short setting, a minimum confidence and a
    cooldown (and a holding limit for the dense shapes), on a tick grid."""
    _events(same_drawn_outcome(data, shape, configs))


@pytest.mark.parametrize(
    ("shape", "configs"),
    [
        ("plain", allowed_configs(signal_configs())),
        ("plain", allowed_configs(eligible_configs())),
        ("brackets", allowed_configs(signal_configs())),
        ("brackets", allowed_configs(eligible_configs())),
    ],
)
@settings(max_examples=100, deadline=None)
@given(data=st.data())
def test_adjusted_runs_with_allowed_symbols_equal_the_event_path(
    shape: str, configs: st.SearchStrategy[RunConfig], data: st.DataObject
) -> None:
    """On adjusted series (no tick grid, each bar's price scale)."""
    bars = data.draw(adjusted_bars())
    config = data.draw(configs)
    if shape == "plain":
        strategy = Scripted(data.draw(scripts(len(bars))))
    else:
        strategy = Scripted(data.draw(bracket_scripts(bars, config.risk.allow_short)))
    _events(_assert_same_outcome(bars, strategy, config))


_RISING = make_bars([(100.37 + i, 101.37 + i, 99.37 + i, 100.37 + i) for i in range(12)])


def _both(strategy: Scripted, **risk: Any) -> BacktestResult:
    config = RunConfig(strategy="scripted", symbol="TEST", timeframe="1h", risk=RiskConfig(**risk))
    assert _eligible(_RISING, strategy, config)
    fast = simulate(_RISING, strategy, config, TEST, engine="fastpath")
    assert_identical(fast, simulate(_RISING, strategy, config, TEST, engine="event"))
    return fast


def test_a_symbol_outside_the_list_has_every_signal_refused_exits_too() -> None:
    """Entries, a bracket, a flat signal and a short: all refused in the filter's words but the
    one below the minimum confidence (the first filter); no order is ever made."""
    strategy = Confident({1: 1, 3: (1, 90.0, 120.0), 4: 0, 6: -1, 8: 1}, {6: 0.1})
    fast = _both(strategy, allowed_symbols=("QQQ", "SPY"), min_confidence=0.5, cooldown_bars=2)
    reasons = [rejection.reason for rejection in fast.rejections]
    outside = "symbol TEST is not among the allowed symbols: QQQ, SPY"
    low = "confidence 0.10 is below the minimum 0.50"
    assert reasons == [outside, outside, outside, low, outside]
    assert (fast.orders, fast.trades, fast.signals) == ((), (), 5)


def test_a_symbol_in_the_list_is_never_refused_for_it() -> None:
    fast = _both(Scripted({1: 1, 3: 1, 5: 0}), allowed_symbols=("TEST",))
    assert [rejection.reason for rejection in fast.rejections] == [
        "already long 78 TEST; pyramiding is disabled"
    ]
    assert len(fast.trades) == 1


@pytest.mark.parametrize(
    ("strategy_name", "parameters", "allowed"),
    [
        ("sma-cross", {}, ("SPY",)),
        ("macd-cross", BRACKET_PARAMETERS, ("SPY", "QQQ")),
        ("sma-cross", {}, ("QQQ",)),
        ("macd-cross", BRACKET_PARAMETERS, ("QQQ",)),
    ],
)
def test_a_default_run_on_the_bundled_bars_with_allowed_symbols_takes_the_fast_path(
    strategy_name: str, parameters: dict[str, float], allowed: tuple[str, ...]
) -> None:
    """``paperdesk backtest --strategy NAME --symbol SPY --allowed-symbols ...`` on the bundled
    adjusted series (with a minimum confidence and a cooldown): eligible, identical."""
    config = RunConfig(
        strategy=strategy_name,
        params=parameters,
        symbol="SPY",
        risk=RiskConfig(allowed_symbols=allowed, min_confidence=0.5, cooldown_bars=10),
    )
    fast = identical_bundled_run(config, parameters)
    outside = [r for r in fast.rejections if _OUTSIDE in r.reason]
    if "SPY" in allowed:
        assert len(fast.trades) > 10
        assert not outside
    else:
        assert not fast.trades
        assert len(outside) > 10
        assert len(fast.rejections) == fast.signals
