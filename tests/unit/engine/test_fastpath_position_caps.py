"""A position cap (``--max-position-pct``, ``routing.risk.MaxPositionSize``) and an open-position
cap (``--max-open-positions``) on the integer fast path give exactly the event kernel's result
(by repr), plain and bracket signals alike: an entry sized at its signal is checked by the
position cap, then the exposure cap, then the cash check, at the signal's close and again at the
fill price; each trim is an adjustment and each refusal a rejection or a canceled entry, in the
rules' own words. The open-position cap never refuses an entry of the one instrument."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import numpy as np
import pytest
from engine_builders import Scripted, make_bars
from hypothesis import event, given, settings
from hypothesis import strategies as st
from test_fastpath_adjusted import _eligible_bundled
from test_fastpath_brackets import BRACKET_PARAMETERS, bracket_scripts
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
from paperdesk.config import RiskConfig, RunConfig, SizeTiming, SizingConfig
from paperdesk.engine import fastpath
from paperdesk.engine.backtest import simulate
from paperdesk.engine.fastpath.integer_money import AllInSizer, MoneyScale
from paperdesk.engine.fastpath.signal_sizing import SignalSizing, Trim
from paperdesk.engine.result import BacktestResult
from paperdesk.engine.trim_reasons import trimmed_at_fill
from paperdesk.execution import NoFee
from paperdesk.service.backtests import prepare_run

D = Decimal
_POSITION_PERCENTS = [D("0.5"), D(10), D("33.3"), D(50), D(60), D(80), D(90), D(100)]


@st.composite
def position_capped_configs(draw: st.DrawFn) -> RunConfig:
    """The signal-sizing harness's runs (percent-equity at the signal or all-in at the fill, a
    fixed quantity, risk per trade; every exposure cap, fee, slippage, cash and short setting)
    with a position cap: any when sized at the signal, at or above the sizing percent when
    all-in at the fill (where it never trims); an open-position cap of 1 or 2, or none."""
    config = draw(signal_configs())
    position = draw(st.sampled_from(_POSITION_PERCENTS))
    if config.sizing.timing is SizeTiming.FILL and position < config.sizing.percent:
        position = config.sizing.percent
    risk = config.risk.with_changes(
        max_position_percent=position, max_open_positions=draw(st.sampled_from([None, 1, 2]))
    )
    return config.with_changes(risk=risk)


def _script(data: st.DataObject, bars: Any, shape: str, allow_short: bool) -> Scripted:
    """Plain signals, alternating ones (a crossover's reversals) or brackets."""
    if shape == "brackets":
        return Scripted(data.draw(bracket_scripts(bars, allow_short)))
    if shape == "plain":
        return Scripted(data.draw(scripted_signals(len(bars))))
    rows = data.draw(st.lists(st.integers(0, len(bars) - 1), min_size=1, unique=True))
    first = data.draw(st.sampled_from((-1, 1)))
    return Scripted({row: first * (-1) ** number for number, row in enumerate(sorted(rows))})


@st.composite
def per_share_position_configs(draw: st.DrawFn) -> RunConfig:
    """Sized at the signal with a per-share fee (plain signals only) and a position cap."""
    config = draw(position_capped_configs())
    if config.sizing.timing is SizeTiming.FILL:
        config = config.with_changes(sizing=config.sizing.with_changes(timing=SizeTiming.SIGNAL))
    fee = draw(st.sampled_from(["per-share:0.005:min=1", "per-share:0.01:min=0.35:max-pct=1"]))
    return config.with_changes(execution=config.execution.with_changes(commission=fee))


@pytest.mark.parametrize(
    ("shape", "configs"),
    [
        ("plain", position_capped_configs()),
        ("reversals", position_capped_configs()),
        ("brackets", position_capped_configs()),
        ("plain", per_share_position_configs()),  # a per-share fee: plain signals only
    ],
)
@settings(max_examples=200, deadline=None)
@given(data=st.data())
def test_position_capped_runs_equal_the_event_path(
    shape: str, configs: st.SearchStrategy[RunConfig], data: st.DataObject
) -> None:
    bars = data.draw(bar_series())
    config = data.draw(configs)
    strategy = _script(data, bars, shape, config.risk.allow_short)
    assert _eligible(bars, strategy, config)
    _same_outcome(bars, strategy, config)


def _same_outcome(bars: Any, strategy: Scripted, config: RunConfig) -> None:
    """``_assert_same_outcome``, noting (hypothesis events) whether the position cap trimmed or
    refused an entry in the run."""
    result = _assert_same_outcome(bars, strategy, config)
    if result is None:
        return
    reasons = [reason for _, reason in result.adjustments]
    reasons += [rejection.reason for rejection in result.rejections]
    event(f"position cap in a reason: {any('position may not' in r for r in reasons)}")


def _both(bars: Any, strategy: Scripted, config: RunConfig) -> BacktestResult:
    """The fast path's result, identical to the event kernel's."""
    fast = simulate(bars, strategy, config, TEST, engine="fastpath")
    assert_identical(fast, simulate(bars, strategy, config, TEST, engine="event"))
    return fast


def _default_config(**changes: Any) -> RunConfig:
    """A user's run (80% of the equity at the signal, the 80% exposure cap, 5 bp) with its
    own risk options."""
    return RunConfig(strategy="scripted", symbol="TEST", timeframe="1h", **changes)


_SIGNALS = [1, -1, (1, 90.0, 130.0), (-1, 130.0, 90.0)]


@pytest.mark.parametrize("signal", _SIGNALS)
def test_an_entry_trimmed_by_the_position_cap_at_its_signal_and_fill_on_both_paths(
    signal: Any,
) -> None:
    """80% of 10,000.00 at 101 is 79 units; the 50% position cap trims it to 49 at the signal
    (5,000 / 101) and, at the open 10% higher, to 45 (5,000 / 111): the exposure cap (80%)
    does not trim after it."""
    bars = make_bars([(101, 101, 101, 101), (111, 112, 110, 111), (111, 111, 111, 111)])
    config = _default_config(
        risk=RiskConfig(allow_short=True, max_position_percent=D(50)),
        execution={"slippage_bps": D(0)},
    )
    strategy = Scripted({0: signal, 2: 0})
    fast = _both(bars, strategy, config)
    assert [reason for _, reason in fast.adjustments] == [
        "the TEST position may not exceed 5,000.00 (50% of equity 10,000.00); "
        "TEST quantity trimmed from 79 to 49",
        "trimmed at fill: the TEST position may not exceed 5,000.00 (50% of equity "
        "10,000.00); TEST quantity trimmed from 49 to 45",
    ]
    assert fast.fills[0].quantity == 45


def test_the_position_cap_and_then_the_exposure_cap_both_trim_on_both_paths() -> None:
    """All of the equity at the signal (99 units at 101); the 90% position cap trims it to 89,
    then the 80% exposure cap to 79: one adjustment with both rules' notes, in their order."""
    bars = make_bars([(101, 101, 101, 101)] * 3)
    config = _default_config(
        sizing=SizingConfig(method="percent-equity", percent=D(100)),
        risk=RiskConfig(max_position_percent=D(90)),
        execution={"slippage_bps": D(0)},
    )
    strategy = Scripted({0: 1, 2: 0})
    fast = _both(bars, strategy, config)
    [(_, reason)] = fast.adjustments
    assert reason == (
        "the TEST position may not exceed 9,000.00 (90% of equity 10,000.00); TEST quantity "
        "trimmed from 99 to 89; gross exposure 0.00 plus the TEST entry would exceed the cap "
        "8,000.00 (80% of equity 10,000.00); TEST quantity trimmed from 89 to 79"
    )


@pytest.mark.parametrize("signal", _SIGNALS)
def test_an_entry_the_position_cap_leaves_nothing_of_at_its_fill_is_canceled(
    signal: Any,
) -> None:
    """60% of 200.00 buys one unit at 101, none at the open of 251: the venue cancels the entry
    with the position cap's reason."""
    bars = make_bars([(101, 101, 101, 101), (251, 251, 251, 251), (251, 251, 251, 251)])
    config = _default_config(
        cash=D(200),
        risk=RiskConfig(allow_short=True, max_position_percent=D(60)),
    )
    strategy = Scripted({0: signal, 2: 0})
    fast = _both(bars, strategy, config)
    [(_, reason)] = fast.adjustments
    assert reason == (
        "nothing fits at fill: the TEST position may not exceed 120.00 (60% of equity "
        "200.00); not even one lot of TEST fits"
    )
    assert fast.orders[0].status.value == "canceled"


@pytest.mark.parametrize("signal", _SIGNALS[::2])
def test_an_entry_the_position_cap_leaves_nothing_of_at_its_signal_is_a_rejection(
    signal: Any,
) -> None:
    """10% of 500.00 buys nothing at 101: the router rejects the signal with the cap's words."""
    bars = make_bars([(101, 101, 101, 101)] * 3)
    config = _default_config(cash=D(500), risk=RiskConfig(max_position_percent=D(10)))
    strategy = Scripted({0: signal, 1: signal})
    fast = _both(bars, strategy, config)
    assert [rejection.reason for rejection in fast.rejections] == [
        "the TEST position may not exceed 50.00 (10% of equity 500.00); not even one lot of "
        "TEST fits"
    ] * 2


def test_all_in_at_the_fill_takes_the_fast_path_only_with_a_cap_that_never_trims() -> None:
    """All-in at the fill has no fill-time trim on the fast path: a position cap at or above
    the sizing percent is eligible (and identical), one below it is not."""
    bars = make_bars([(101, 101, 101, 101), (111, 112, 110, 111), (111, 111, 111, 111)])
    strategy = Scripted({0: 1, 2: 0})
    for position, eligible in ((D(50), True), (D(80), True), (D(40), False)):
        config = _default_config(
            sizing=SizingConfig(method="percent-equity", percent=D(50), timing=SizeTiming.FILL),
            risk=RiskConfig(exposure_cap_percent=None, max_position_percent=position),
        )
        assert _eligible(bars, strategy, config) is eligible
        slow = simulate(bars, strategy, config, TEST, engine="event")
        assert_identical(simulate(bars, strategy, config, TEST), slow)
        if eligible:
            assert_identical(simulate(bars, strategy, config, TEST, engine="fastpath"), slow)


def test_the_position_cap_quotient_and_its_words() -> None:
    """floor(equity x percent / price), checked before the exposure cap; given up on where an
    exact quotient ends in zeros; a trim worded as MaxPositionSize words it."""
    scale = MoneyScale.for_run(2, NoFee())
    sizing = SignalSizing(AllInSizer(D("0.8"), scale), scale, D(80), position_percent=D(30))
    # 10,000.00 of equity, 30% = 3,000.00; at 99.00: 30.30...: 30
    assert sizing.at_fill(3, 90, 1_000_000, 9_900, -1) == 30
    assert sizing.trims == [Trim(3, 90, 30, 30, 1_000_000, -1, True, 30)]
    with pytest.raises(fastpath.FastPathUnsupportedError, match="round lots"):
        sizing.at_fill(4, 90, 1_000_000, 10_000, 1)  # 3,000 / 100 = 30 exactly
    stamps = np.arange(4, dtype=np.int64)  # signal k's close and fill: k
    caps = {"cap_percent": D(80), "position_percent": D(30)}
    [(_, reason)] = trimmed_at_fill(
        sizing.trims, symbol="TEST", scale=scale, signal_ns=stamps, filled_ns=stamps, **caps
    )
    assert reason == (
        "trimmed at fill: the TEST position may not exceed 3,000.00 (30% of equity "
        "10,000.00); TEST quantity trimmed from 90 to 30"
    )


@pytest.mark.parametrize("script", [{0: 1, 1: -1, 2: 1, 3: 0}, {0: (1, 90.0, 130.0), 3: -1}])
def test_an_open_position_cap_of_one_takes_the_fast_path_and_refuses_nothing(
    script: dict[int, Any],
) -> None:
    """One instrument, one position at most: every entry (and a reversal's) is made."""
    bars = make_bars([(101, 101, 101, 101)] * 6)
    config = _default_config(risk=RiskConfig(allow_short=True, max_open_positions=1))
    strategy = Scripted(script)
    assert _eligible(bars, strategy, config)
    fast = _both(bars, strategy, config)
    assert not fast.rejections
    assert len(fast.trades) == len(script) - 1


@pytest.mark.parametrize(
    ("strategy_name", "parameters"),
    [("sma-cross", {}), ("macd-cross", {}), ("macd-cross", BRACKET_PARAMETERS)],
)
def test_a_position_capped_default_run_on_the_bundled_bars_takes_the_fast_path(
    strategy_name: str, parameters: dict[str, float]
) -> None:
    """``paperdesk backtest --strategy NAME --symbol SPY --max-position-pct 50
    --max-open-positions 1`` (the bundled adjusted series, the other options the defaults):
    eligible, identical, the cap trimming."""
    config = RunConfig(
        strategy=strategy_name,
        params=parameters,
        symbol="SPY",
        risk=RiskConfig(max_position_percent=D(50), max_open_positions=1),
    )
    prepared = prepare_run(config)
    bars, instrument = prepared.bars, prepared.instrument
    strategy = create_strategy(strategy_name, parameters)
    assert _eligible_bundled(bars, strategy, config, instrument)
    fast = simulate(bars, strategy, config, instrument, engine="fastpath")
    assert_identical(fast, simulate(bars, strategy, config, instrument, engine="event"))
    assert len(fast.trades) > 10
    assert any("position may not exceed" in reason for _, reason in fast.adjustments)
