"""A minimum confidence (``--min-confidence``, ``routing.filters.MinimumConfidence``) and a
cooldown (``--cooldown-bars``, ``routing.filters.Cooldown``) on the integer fast path give exactly
the event kernel's result (by repr), plain and bracket signals alike: a signal below the minimum
is rejected in the filter's words whatever the book holds and is not remembered; a signal fewer
than N bars after the last accepted one is rejected in the cooldown's words, before any other
rule; a bracket's legs keep working past an opposite signal the cooldown rejects."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd
import pytest
from engine_builders import Scripted, bracket_step, make_bars
from hypothesis import event, given, settings
from hypothesis import strategies as st
from test_fastpath_adjusted import _eligible_bundled
from test_fastpath_brackets import BRACKET_PARAMETERS, DIRECTIONS, bracket_scripts, draw_level
from test_fastpath_equivalence import (
    TEST,
    _assert_same_outcome,
    _eligible,
    assert_identical,
    bar_series,
    scripted_signals,
)
from test_fastpath_signal_sizing import signal_configs

from paperdesk.analysis.strategies.registry import create_strategy
from paperdesk.config import RiskConfig, RunConfig, SizeTiming
from paperdesk.engine.backtest import simulate
from paperdesk.engine.fastpath.bracket_hits import window_ends
from paperdesk.engine.result import BacktestResult
from paperdesk.service.backtests import prepare_run

D = Decimal
_CONFIDENCES = [0.0, 0.2, 0.5, 0.5, 0.9, 1.0]


class Confident(Scripted):
    """``Scripted`` with a confidence per signal row (1.0 where none is given)."""

    def __init__(self, script: dict[int, Any], confidences: dict[int, float]) -> None:
        super().__init__(script)
        self.confidences = confidences

    def compute(self, bars: pd.DataFrame) -> pd.DataFrame:
        frame = super().compute(bars)
        rows = bars.index.get_indexer(frame.index).tolist()
        frame["confidence"] = [self.confidences.get(row, 1.0) for row in rows]
        return frame


@st.composite
def filtered_configs(draw: st.DrawFn) -> RunConfig:
    """The signal-sizing harness's runs (every sizing, exposure cap, fee, slippage, cash and
    short setting) with a minimum confidence and a cooldown, either of them none."""
    config = draw(signal_configs())
    risk = config.risk.with_changes(
        min_confidence=draw(st.sampled_from([0.0, 0.2, 0.5, 0.9, 1.0])),
        cooldown_bars=draw(st.sampled_from([0, 1, 2, 5, 10, 30, 60])),
    )
    return config.with_changes(risk=risk)


@st.composite
def per_share_filtered_configs(draw: st.DrawFn) -> RunConfig:
    """Sized at the signal with a per-share fee (plain signals only), filtered."""
    config = draw(filtered_configs())
    if config.sizing.timing is SizeTiming.FILL:
        config = config.with_changes(sizing=config.sizing.with_changes(timing=SizeTiming.SIGNAL))
    fee = draw(st.sampled_from(["per-share:0.005:min=1", "per-share:0.01:min=0.35:max-pct=1"]))
    return config.with_changes(execution=config.execution.with_changes(commission=fee))


def _script(data: st.DataObject, bars: pd.DataFrame, shape: str, allow_short: bool) -> Confident:
    """Plain signals, alternating ones (a crossover's reversals) or brackets, each with a
    confidence (one draw: ``data.draw`` records every value it gives, costly for a dense
    script's hundreds)."""
    return data.draw(confident_scripts(bars, shape, allow_short))


_DENSITY = st.integers(0, 3)
_CONFIDENCE = st.sampled_from(_CONFIDENCES)


@st.composite
def confident_scripts(
    draw: st.DrawFn, bars: pd.DataFrame, shape: str, allow_short: bool
) -> Confident:
    """``_script``'s strategy."""
    script: dict[int, Any]
    if shape == "brackets":
        script = draw(bracket_scripts(bars, allow_short))
    elif shape.startswith("dense"):  # a signal on most bars: the cooldown rejects many
        rows = [row for row in range(len(bars)) if draw(_DENSITY)]
        closes = bars["close"].to_numpy()
        script = {}
        for row in rows:
            direction = draw(DIRECTIONS)
            if shape == "dense":
                script[row] = direction
                continue
            close = float(closes[row])
            stop = draw_level(draw, close, direction, True)
            target = draw_level(draw, close, direction, False)
            script[row] = bracket_step(direction, stop, target, allow_short)
    elif shape == "plain":
        script = draw(scripted_signals(len(bars)))
    else:
        rows = draw(st.lists(st.integers(0, len(bars) - 1), min_size=1, unique=True))
        first = draw(st.sampled_from((-1, 1)))
        script = {row: first * (-1) ** number for number, row in enumerate(sorted(rows))}
    confidences = {row: draw(_CONFIDENCE) for row in script}
    return Confident(script, confidences)


def same_drawn_outcome(
    data: st.DataObject, shape: str, configs: st.SearchStrategy[RunConfig]
) -> BacktestResult | None:
    """A drawn run (bars, one of ``configs``, signals of ``shape``): eligible, and the fast path's
    result identical to the event kernel's (``_assert_same_outcome``); that result, or None when
    both paths raise the same arithmetic error."""
    bars = data.draw(bar_series())
    config = data.draw(configs)
    strategy = _script(data, bars, shape, config.risk.allow_short)
    assert _eligible(bars, strategy, config)
    return _assert_same_outcome(bars, strategy, config)


@pytest.mark.parametrize(
    ("shape", "configs"),
    [
        ("plain", filtered_configs()),
        ("reversals", filtered_configs()),
        ("brackets", filtered_configs()),
        ("dense", filtered_configs()),
        ("dense brackets", filtered_configs()),
        ("plain", per_share_filtered_configs()),  # a per-share fee: plain signals only
    ],
)
@settings(max_examples=200, deadline=None)
@given(data=st.data())
def test_filtered_runs_equal_the_event_path(
    shape: str, configs: st.SearchStrategy[RunConfig], data: st.DataObject
) -> None:
    result = same_drawn_outcome(data, shape, configs)
    if result is None:
        return
    reasons = [rejection.reason for rejection in result.rejections]
    event(f"a confidence rejection: {any('below the minimum' in r for r in reasons)}")
    event(f"a cooldown rejection: {any(r.startswith('cooldown:') for r in reasons)}")


def _both(bars: pd.DataFrame, strategy: Scripted, config: RunConfig) -> BacktestResult:
    """The fast path's result, identical to the event kernel's."""
    assert _eligible(bars, strategy, config)
    fast = simulate(bars, strategy, config, TEST, engine="fastpath")
    assert_identical(fast, simulate(bars, strategy, config, TEST, engine="event"))
    return fast


def _default_config(**risk: Any) -> RunConfig:
    """A user's run (80% of the equity at the signal, the 80% exposure cap, 5 bp)."""
    return RunConfig(strategy="scripted", symbol="TEST", timeframe="1h", risk=RiskConfig(**risk))


_RISING = make_bars([(100.37 + i, 101.37 + i, 99.37 + i, 100.37 + i) for i in range(12)])


@pytest.mark.parametrize("exit_signal", [0, -1])
def test_an_exit_below_the_minimum_confidence_leaves_the_position_open(exit_signal: int) -> None:
    """The filter comes before the router reads the book: a flat or opposite signal of low
    confidence does not close the long, and it is rejected in the filter's words."""
    strategy = Confident({1: 1, 4: exit_signal, 8: 0}, {4: 0.3})
    fast = _both(_RISING, strategy, _default_config(min_confidence=0.5))
    assert [rejection.reason for rejection in fast.rejections] == [
        "confidence 0.30 is below the minimum 0.50"
    ]
    [trade] = fast.trades
    assert trade.ts_exit == _RISING.index[9]  # closed by the flat signal at row 8
    assert fast.signals == 3


def test_a_signal_in_the_cooldown_is_rejected_before_the_book_is_read() -> None:
    """A cooldown of 3 bars: the exit 2 bars after the entry is rejected in the cooldown's
    words (not the router's), the repeat 3 bars after is a pyramiding rejection (the cooldown
    has passed), the exit at row 5 is accepted, and the cooldown counts from it: the entry at
    row 7 is rejected, the flat signal at row 8 is out of it (and has nothing to close)."""
    strategy = Scripted({0: 1, 2: 0, 3: 1, 5: 0, 7: 1, 8: 0})
    fast = _both(_RISING, strategy, _default_config(cooldown_bars=3))
    assert [rejection.reason for rejection in fast.rejections] == [
        "cooldown: 2 bars since the last accepted TEST signal, 3 required",
        "already long 78 TEST; pyramiding is disabled",
        "cooldown: 2 bars since the last accepted TEST signal, 3 required",
        "no open position in TEST to close",
    ]
    assert [trade.ts_exit for trade in fast.trades] == [_RISING.index[6]]


def test_the_cooldown_counts_a_low_confidence_signal_as_not_accepted() -> None:
    """Both filters: the entry at row 2 is below the minimum, so the cooldown still counts
    from row 0's entry... which the flat signal at row 1 was too early to close."""
    strategy = Confident({0: 1, 1: 0, 2: 0, 4: 0}, {2: 0.1})
    fast = _both(_RISING, strategy, _default_config(min_confidence=0.5, cooldown_bars=3))
    assert [rejection.reason for rejection in fast.rejections] == [
        "cooldown: 1 bars since the last accepted TEST signal, 3 required",
        "confidence 0.10 is below the minimum 0.50",
    ]
    [trade] = fast.trades
    assert trade.ts_exit == _RISING.index[5]


@pytest.mark.parametrize("fee", ["none", "percent:0.1"])
def test_a_bracket_keeps_its_legs_past_an_opposite_signal_the_cooldown_rejects(fee: str) -> None:
    """The long's target (108) is reached at row 7, after a short signal at row 3 the cooldown
    of 5 rejects: the legs still work there (the position is not closed at row 4)."""
    strategy = Scripted({0: (1, 90.0, 108.0), 3: -1, 10: 0})
    config = _default_config(cooldown_bars=5, allow_short=True)
    config = config.with_changes(execution=config.execution.with_changes(commission=fee))
    fast = _both(_RISING, strategy, config)
    [trade] = fast.trades
    assert trade.exit_reason == "take-profit"
    assert trade.ts_exit == _RISING.index[7]
    assert [rejection.reason for rejection in fast.rejections] == [
        "cooldown: 3 bars since the last accepted TEST signal, 5 required",
        "no open position in TEST to close",
    ]


def test_the_legs_window_ends_at_the_first_other_side_out_of_the_cooldown() -> None:
    rows = np.array([0, 3, 4, 9, 12], dtype=np.int64)
    sides = np.array([1, -1, 1, -1, 0], dtype=np.int64)
    assert window_ends(rows, sides, 20).tolist() == [3, 4, 9, 12, 19]
    # with a cooldown of 5: row 0's window passes rows 3 and 4 (inside it) to row 9; row 3's
    # passes row 4 (inside it) and row 9 (its own side) to row 12
    assert window_ends(rows, sides, 20, 5).tolist() == [9, 12, 9, 19, 19]
    assert window_ends(rows, np.ones(5, dtype=np.int64), 20, 5).tolist() == [19] * 5


@pytest.mark.parametrize(
    ("strategy_name", "parameters"),
    [("sma-cross", {}), ("macd-cross", {}), ("macd-cross", BRACKET_PARAMETERS)],
)
def test_a_filtered_default_run_on_the_bundled_bars_takes_the_fast_path(
    strategy_name: str, parameters: dict[str, float]
) -> None:
    """``paperdesk backtest --strategy NAME --symbol SPY --min-confidence 0.5
    --cooldown-bars 10`` (the bundled adjusted series, the other options the defaults):
    eligible, identical, both filters rejecting signals."""
    config = RunConfig(
        strategy=strategy_name,
        params=parameters,
        symbol="SPY",
        risk=RiskConfig(min_confidence=0.5, cooldown_bars=10),
    )
    fast = identical_bundled_run(config, parameters)
    assert len(fast.trades) > 10
    reasons = [rejection.reason for rejection in fast.rejections]
    assert any(reason.startswith("cooldown:") for reason in reasons)
    if strategy_name == "macd-cross":  # sma-cross's confidences are all above 0.5
        assert any("below the minimum" in reason for reason in reasons)


def identical_bundled_run(config: RunConfig, parameters: dict[str, float]) -> BacktestResult:
    """``config``'s run on ``paperdesk backtest``'s bundled bars for its symbol (its strategy
    with ``parameters``): eligible, and the fast path's result identical to the event
    kernel's."""
    prepared = prepare_run(config)
    bars, instrument = prepared.bars, prepared.instrument
    strategy = create_strategy(config.strategy, parameters)
    assert _eligible_bundled(bars, strategy, config, instrument)
    fast = simulate(bars, strategy, config, instrument, engine="fastpath")
    assert_identical(fast, simulate(bars, strategy, config, instrument, engine="event"))
    return fast
