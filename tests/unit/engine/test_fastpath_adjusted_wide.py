"""Adjusted (tick 0) runs with brackets on the fast path against the event kernel, over wider
prices than ``test_fastpath_adjusted``: scales from 10**-8 to 10**4 with up to 15 significant
digits (prices from about 10**-7 to 10**7), legs at the very floats of later bars' opens, highs,
lows and closes (a gap through a leg, a leg equal to the open or to a high or low), shorts."""

from __future__ import annotations

import math
from decimal import Decimal
from typing import Any

import pandas as pd
from engine_builders import Scripted, bracket_step
from hypothesis import assume, event, given, settings
from hypothesis import strategies as st
from test_fastpath_adjusted import NO_TICK, _adjusted, _assert_same_outcome, _eligible
from test_fastpath_equivalence import bar_series, eligible_configs
from test_fastpath_signal_sizing import signal_configs

NAN = math.nan


@st.composite
def wide_scales(draw: st.DrawFn) -> Decimal:
    digits = Decimal(draw(st.integers(1, 10 ** draw(st.integers(1, 15)) - 1)))
    magnitude = draw(st.integers(-8, 4))
    return digits.scaleb(magnitude - digits.adjusted()).normalize()


@st.composite
def wide_bars(draw: st.DrawFn) -> pd.DataFrame:
    raw = draw(bar_series())
    count = len(raw)
    change = draw(st.integers(0, count))
    first, second = draw(wide_scales()), draw(wide_scales())
    assert first > 0
    assert second > 0
    return _adjusted(raw, [first if row < change else second for row in range(count)])


@st.composite
def wide_scripts(draw: st.DrawFn, bars: pd.DataFrame, allow_short: bool) -> dict[int, Any]:
    count = len(bars)
    rows = sorted(set(draw(st.lists(st.integers(0, count - 1), min_size=1, max_size=count))))
    columns = {name: bars[name].to_numpy() for name in ("open", "high", "low", "close")}
    script: dict[int, Any] = {}
    for row in rows:
        direction = draw(st.sampled_from((-1, 0, 1, 1, -1)))
        close = float(columns["close"][row])

        def leg(
            is_stop: bool, direction: int = direction, row: int = row, close: float = close
        ) -> float:
            kind = draw(st.sampled_from(["none", "relative", "bar", "bar", "bar"]))
            if kind == "none":
                return NAN
            if kind == "relative":
                away = -1.0 if (direction >= 0) == is_stop else 1.0
                return close * (1 + away * draw(st.floats(1e-6, 0.3)))
            at = min(row + draw(st.integers(1, 4)), count - 1)
            name = draw(st.sampled_from(["open", "high", "low", "close"]))
            value = float(columns[name][at])
            return draw(
                st.sampled_from([value, math.nextafter(value, 0), math.nextafter(value, math.inf)])
            )

        stop, target = leg(True), leg(False)
        script[row] = bracket_step(direction, stop, target, allow_short)
    return script


def _checked(bars: pd.DataFrame, strategy: Scripted, config: Any) -> None:
    eligible = _eligible(bars, strategy, config, NO_TICK)
    if not eligible:
        event("not eligible")
    assume(eligible)
    _assert_same_outcome(bars, strategy, config)


@settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_wide_adjusted_brackets_equal_the_event_path(data: st.DataObject) -> None:
    bars = data.draw(wide_bars())
    config = data.draw(signal_configs())
    strategy = Scripted(data.draw(wide_scripts(bars, config.risk.allow_short)))
    _checked(bars, strategy, config)


@settings(max_examples=80, deadline=None)
@given(data=st.data())
def test_wide_adjusted_brackets_all_in_equal_the_event_path(data: st.DataObject) -> None:
    bars = data.draw(wide_bars())
    config = data.draw(eligible_configs())
    strategy = Scripted(data.draw(wide_scripts(bars, config.risk.allow_short)))
    _checked(bars, strategy, config)


@settings(max_examples=100, deadline=None)
@given(data=st.data())
def test_wide_adjusted_plain_signals_equal_the_event_path(data: st.DataObject) -> None:
    bars = data.draw(wide_bars())
    config = data.draw(signal_configs())
    rows = sorted(set(data.draw(st.lists(st.integers(0, len(bars) - 1), min_size=1))))
    strategy = Scripted({row: data.draw(st.sampled_from((-1, 0, 1))) for row in rows})
    _checked(bars, strategy, config)
