"""Signals with a stop and/or a target (brackets) on the integer fast path give exactly the event
kernel's result (by repr): legs on both sides and on the wrong side of the fill, gaps through a
leg, bars reaching both legs (``ambiguous_bars``), legs on the entry's own bar, opposite and flat
signals while a bracket is open, fees and slippage, levels on and near the tick."""

from __future__ import annotations

import math
from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd
import pytest
from engine_builders import Scripted, bracket_step, make_bars
from hypothesis import event, given, settings
from hypothesis import strategies as st
from test_fastpath_equivalence import (
    TEST,
    _assert_same_outcome,
    _config,
    _eligible,
    assert_identical,
    bar_series,
    eligible_configs,
)

from paperdesk.analysis.strategies.registry import create_strategy
from paperdesk.config import ExecutionConfig, RiskConfig, RunConfig, SizeTiming, SizingConfig
from paperdesk.data import instrument_for
from paperdesk.domain import InvalidInputError
from paperdesk.engine import fastpath
from paperdesk.engine.backtest import simulate
from paperdesk.service.backtests import load_run_bars

D = Decimal
NAN = math.nan
BRACKET_PARAMETERS = {"stop_atr": 2.0, "target_atr": 3.0}  # benchmarks/peers/backtests.py's


_LEVEL_KINDS = st.sampled_from(["none", "near", "near", "far", "tick", "wrong side", "one tick"])
_NEAR, _FAR, _WITHIN_5_PERCENT = st.floats(0.0001, 0.01), st.floats(0.01, 0.5), st.floats(0.0, 0.05)
DIRECTIONS = st.sampled_from((-1, 0, 1, 1, -1))


def draw_level(draw: st.DrawFn, close: float, direction: int, is_stop: bool) -> float:
    """A stop or target around the signal's close: none, near (inside a bar's range, so both
    legs can be reached), far, on the tick, on the wrong side of the close, or a tick away.
    (A function of ``draw`` with strategies made once: a composite made anew for every level
    of a dense script was most of the tests' time.)"""
    kind = draw(_LEVEL_KINDS)
    if kind == "none":
        return NAN
    away = -1.0 if (direction >= 0) == is_stop else 1.0  # a long's stop below, target above
    if kind == "near":
        value = close * (1 + away * draw(_NEAR))
    elif kind == "far":
        value = close * (1 + away * draw(_FAR))
    elif kind == "tick":
        value = round(close * (1 + away * draw(_WITHIN_5_PERCENT)), 2)
    elif kind == "one tick":
        value = round(close + away * 0.01, 2)
    else:
        value = close * (1 - away * draw(_WITHIN_5_PERCENT))
    return max(value, 0.01)


@st.composite
def bracket_scripts(draw: st.DrawFn, bars: pd.DataFrame, allow_short: bool) -> dict[int, Any]:
    """Signals with brackets at random bars (sometimes the last), every direction; a long's stop
    below its target and a short's above (else the order book rejects the entry: not eligible)."""
    count = len(bars)
    rows = draw(st.lists(st.integers(0, count - 1), min_size=1, max_size=count, unique=True))
    if draw(st.booleans()):
        rows.append(count - 1)
    closes = bars["close"].to_numpy()
    script: dict[int, Any] = {}
    for row in sorted(set(rows)):
        direction = draw(DIRECTIONS)
        close = float(closes[row])
        stop = draw_level(draw, close, direction, True)
        target = draw_level(draw, close, direction, False)
        script[row] = bracket_step(direction, stop, target, allow_short)
    return script


def _bracket_case(data: st.DataObject) -> tuple[pd.DataFrame, Scripted, RunConfig]:
    bars = data.draw(bar_series())
    config = data.draw(eligible_configs())
    script = data.draw(bracket_scripts(bars, config.risk.allow_short))
    return bars, Scripted(script), config


@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_brackets_on_the_fast_path_equal_the_event_path(data: st.DataObject) -> None:
    bars, strategy, config = _bracket_case(data)
    assert _eligible(bars, strategy, config)
    _assert_same_outcome(bars, strategy, config)
    try:
        slow = simulate(bars, strategy, config, TEST, engine="event")
    except ArithmeticError:
        return
    event(f"ambiguous bars: {min(slow.stats.ambiguous_bars, 2)}")
    exits = {trade.exit_reason for trade in slow.trades} & {"stop-loss", "take-profit"}
    event(f"leg exits: {sorted(exits)}")


@settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_alternating_brackets_equal_the_event_path(data: st.DataObject) -> None:
    """Alternating directions with both legs, as macd-cross emits them: every signal reverses
    an open bracket or opens one after a leg closed the last."""
    bars = data.draw(bar_series())
    config = data.draw(eligible_configs())
    rows = data.draw(st.lists(st.integers(0, len(bars) - 1), min_size=1, unique=True))
    first = data.draw(st.sampled_from((-1, 1)))
    closes = bars["close"].to_numpy()
    width = data.draw(st.sampled_from([0.002, 0.01, 0.05]))
    script = {}
    for number, row in enumerate(sorted(rows)):
        direction = first * (-1) ** number
        close = float(closes[row])
        script[row] = (direction, close * (1 - direction * width), close * (1 + direction * width))
    _assert_same_outcome(bars, Scripted(script), config)


def test_a_bar_reaching_both_legs_is_a_stop_loss_and_counts_as_ambiguous() -> None:
    bars = make_bars([(97, 97, 97, 97), (97, 103, 91, 97), (97, 97, 97, 97)])
    strategy = Scripted({0: (1, 92.0, 102.0)})
    fast = simulate(bars, strategy, _config(), TEST, engine="fastpath")
    assert_identical(fast, simulate(bars, strategy, _config(), TEST, engine="event"))
    assert fast.stats.ambiguous_bars == 1
    assert [(t.exit_reason, t.exit_price) for t in fast.trades] == [("stop-loss", D("92.00"))]


def test_a_bar_opening_through_the_target_fills_the_target_at_the_open() -> None:
    bars = make_bars([(97, 97, 97, 97), (97, 97, 97, 97), (107, 107, 90, 95)])
    strategy = Scripted({0: (1, 92.0, 102.0)})
    fast = simulate(bars, strategy, _config(), TEST, engine="fastpath")
    assert_identical(fast, simulate(bars, strategy, _config(), TEST, engine="event"))
    assert fast.stats.ambiguous_bars == 0
    assert [(t.exit_reason, t.exit_price) for t in fast.trades] == [("take-profit", D("107.0"))]


def test_a_stop_above_a_long_entry_fills_at_the_open_of_the_entry_bar() -> None:
    """A leg on the wrong side of the fill is not refused for a strategy's signal: it trades at
    once, on the entry's own bar."""
    bars = make_bars([(97, 97, 97, 97), (97, 98, 96, 97), (97, 97, 97, 97)])
    strategy = Scripted({0: (1, 97.5, 110.0)})
    fast = simulate(bars, strategy, _config(), TEST, engine="fastpath")
    assert_identical(fast, simulate(bars, strategy, _config(), TEST, engine="event"))
    trade = fast.trades[0]
    assert (trade.exit_reason, trade.ts_entry, trade.ts_exit) == (
        "stop-loss",
        trade.ts_entry,
        trade.ts_entry,
    )


def test_an_opposite_signal_cancels_the_legs_and_reverses() -> None:
    bars = make_bars([(97, 98, 96, 97)] * 6)
    strategy = Scripted({0: (1, 90.0, 110.0), 2: (-1, 110.0, 90.0), 4: 0})
    config = _config(allow_short=True)
    fast = simulate(bars, strategy, config, TEST, engine="fastpath")
    assert_identical(fast, simulate(bars, strategy, config, TEST, engine="event"))
    assert [order.status.value for order in fast.orders] == [
        "filled", "canceled", "canceled", "filled", "filled", "canceled", "canceled", "filled",
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("script", "allow_short"),
    [
        ({1: (1, 110.0, 90.0)}, False),  # a long's stop above its target: the book rejects it
        ({1: (-1, 90.0, 110.0)}, True),  # a short's stop below its target
        ({1: (1, -1.0, NAN)}, False),  # a stop that is not a price
        ({1: (1, math.inf, NAN)}, False),
    ],
)
def test_levels_the_order_book_refuses_leave_the_run_to_the_event_kernel(
    script: dict[int, Any], allow_short: bool, flat_bars: pd.DataFrame
) -> None:
    config = _config(allow_short=allow_short)
    assert not _eligible(flat_bars, Scripted(script), config)
    with pytest.raises(InvalidInputError, match="not eligible"):
        simulate(flat_bars, Scripted(script), config, TEST, engine="fastpath")


def test_a_short_levels_order_is_not_checked_when_shorts_are_off(flat_bars: pd.DataFrame) -> None:
    """A sell signal only exits then: its levels are never used."""
    script = {1: (1, 90.0, 110.0), 3: (-1, 90.0, 110.0)}
    assert _eligible(flat_bars, Scripted(script), _config())
    _assert_same_outcome(flat_bars, Scripted(script), _config())


def test_a_leg_rounding_to_no_tick_is_left_to_the_event_kernel() -> None:
    bars = make_bars([(0.05, 0.05, 0.01, 0.05)] * 3)
    strategy = Scripted({0: (1, 0.004, NAN)})
    with pytest.raises(fastpath.FastPathUnsupportedError, match="rounds to no tick"):
        simulate(bars, strategy, _config(), TEST, engine="fastpath")
    with pytest.raises(InvalidInputError):
        simulate(bars, strategy, _config(), TEST)  # the event kernel names the bad price


@pytest.mark.parametrize("allow_short", [True, False])
@pytest.mark.parametrize(("fee", "bps"), [("none", 0), ("percent:0.1", 5)])
def test_macd_cross_with_atr_levels_on_the_bundled_spy_bars(
    allow_short: bool, fee: str, bps: int
) -> None:
    """The benchmark's strategy on real daily bars (raw prices; 24 highs and lows off the cent,
    compared exactly as floats): leg exits of both kinds, an ambiguous bar with shorts."""
    config = RunConfig(
        strategy="macd-cross",
        params=BRACKET_PARAMETERS,
        symbol="SPY",
        timeframe="1d",
        sizing=SizingConfig(method="percent-equity", percent=D(100), timing=SizeTiming.FILL),
        risk=RiskConfig(allow_short=allow_short, exposure_cap_percent=None),
        execution=ExecutionConfig(commission=fee, slippage_bps=D(bps)),
    )
    config = config.with_changes(source=config.source.with_changes(adjust="raw"))
    bars = load_run_bars(config)
    strategy = create_strategy("macd-cross", BRACKET_PARAMETERS)
    instrument = instrument_for("SPY")
    fast = simulate(bars, strategy, config, instrument, engine="fastpath")
    assert_identical(fast, simulate(bars, strategy, config, instrument, engine="event"))
    reasons = {trade.exit_reason for trade in fast.trades}
    assert {"stop-loss", "take-profit"} <= reasons
    assert fast.stats.ambiguous_bars == (1 if allow_short else 0)
    assert not np.isnan(fast.equity_curve.to_numpy()).any()


@settings(max_examples=300, deadline=None)
@given(
    ticks=st.lists(st.integers(2, 10**9), min_size=1, max_size=20),
    nudges=st.lists(
        st.sampled_from([0.0, 0.0, 1e-13, -1e-13, 1e-10, 0.3, 0.5, 0.999]), min_size=20, max_size=20
    ),
    places=st.sampled_from([0, 1, 2, 3, 4]),
    long=st.booleans(),
)
def test_leg_levels_are_the_order_books_decimals(
    ticks: list[int], nudges: list[float], places: int, long: bool
) -> None:
    """Each leg's ticks and Decimal (repr and all) equal ``round_against_trader`` of the signal's
    float, for levels on the tick (whose Decimals keep exponents of their own), a hair from it,
    and between ticks."""
    import dataclasses

    from paperdesk.domain import Side, to_decimal
    from paperdesk.engine.fastpath.bracket_levels import leg_levels
    from paperdesk.execution.orders_from_intents import round_against_trader

    instrument = dataclasses.replace(TEST, tick_size=Decimal(1).scaleb(-places))
    values = np.array(
        [(tick + nudge) / 10**places for tick, nudge in zip(ticks, nudges, strict=False)]
    )
    sides = np.full(len(values), 1 if long else -1, dtype=np.int64)
    levels = leg_levels(values, values, sides, places, instrument)
    side = Side.SELL if long else Side.BUY
    for signal, value in enumerate(values.tolist()):
        for is_stop, found in ((True, levels.stop_ticks), (False, levels.target_ticks)):
            expected = round_against_trader(to_decimal(value), side, is_stop, instrument)
            assert repr(levels.decimal(signal, is_stop)) == repr(expected)
            assert levels.exponent(signal, is_stop) == expected.as_tuple().exponent
            assert int(found[signal]) == int(expected.scaleb(places))


@pytest.mark.parametrize("script", [{0: 1}, {0: (1, 90.0, 110.0)}])
def test_an_entry_nothing_fits_at_is_an_adjustment_on_both_paths(script: dict[int, Any]) -> None:
    """The kernel records an entry canceled at its fill (nothing fits) among the adjustments;
    the fast path did not (the equivalence checks now compare the adjustments too)."""
    bars = make_bars([(97, 98, 96, 97)] * 3)
    config = _config().with_changes(cash=D("1"))
    fast = simulate(bars, Scripted(script), config, TEST, engine="fastpath")
    slow = simulate(bars, Scripted(script), config, TEST, engine="event")
    assert_identical(fast, slow)
    assert [reason for _, reason in fast.adjustments] == ["nothing fits at fill"]


@pytest.mark.parametrize("script", [{0: -1, 2: 0}, {0: (-1, 60.0, 5.0), 2: 0}])
def test_an_overdraft_is_left_to_the_event_kernel(script: dict[int, Any]) -> None:
    """A short bought back far above its entry leaves the cash below zero: the kernel records
    the overdraft among the account events, which the fast path does not reproduce."""
    bars = make_bars([(10.01,) * 4, (10.03,) * 4, (50.07,) * 4, (50.09,) * 4])
    config = _config(allow_short=True)
    with pytest.raises(fastpath.FastPathUnsupportedError, match="overdraws"):
        simulate(bars, Scripted(script), config, TEST, engine="fastpath")
    result = simulate(bars, Scripted(script), config, TEST)
    assert_identical(result, simulate(bars, Scripted(script), config, TEST, engine="event"))
    assert [type(event).__name__ for event in result.account_events] == ["CashOverdrawn"]
