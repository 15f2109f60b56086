"""Entries sized at the signal (the default ``SizeTiming.SIGNAL``) with the default exposure cap
on the integer fast path give exactly the event kernel's result (by repr), plain and bracket
signals alike: the quantity decided at the signal bar's close, then trimmed at the fill by the
exposure cap and the cash check (each trim an adjustment with the rules' own words)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import numpy as np
import pytest
from engine_builders import Scripted, make_bars, make_config
from hypothesis import given, settings
from hypothesis import strategies as st
from test_fastpath_brackets import BRACKET_PARAMETERS, bracket_scripts
from test_fastpath_equivalence import (
    TEST,
    _assert_same_outcome,
    _eligible,
    assert_identical,
    bar_series,
    scripted_signals,
)

from paperdesk.analysis.strategies.registry import create_strategy
from paperdesk.config import (
    ExecutionConfig,
    FillTiming,
    RiskConfig,
    RunConfig,
    SizeTiming,
    SizingConfig,
)
from paperdesk.data import instrument_for
from paperdesk.engine import backtest, fastpath
from paperdesk.engine.backtest import simulate
from paperdesk.engine.fastpath.integer_money import AllInSizer, MoneyScale
from paperdesk.engine.fastpath.signal_sizing import SignalSizing, Trim
from paperdesk.engine.trim_reasons import trimmed_at_fill
from paperdesk.execution import NoFee
from paperdesk.service.backtests import load_run_bars

D = Decimal


@st.composite
def signal_configs(draw: st.DrawFn) -> RunConfig:
    """Percent-equity sizing at the signal (or all-in at the fill), a fixed quantity or risk per
    trade (to each signal's stop; without one the router rejects the signal), an
    exposure cap or none (all-in at the fill: at or above the percent), every fee, slippage,
    cash and short setting of the all-in harness."""
    percent = draw(st.sampled_from([D("1"), D("33.3"), D("50"), D("80"), D("80"), D("100")]))
    method = draw(st.sampled_from(["percent-equity", "percent-equity", "fixed", "risk"]))
    timing = SizeTiming.SIGNAL
    if method == "percent-equity":
        timing = draw(st.sampled_from([SizeTiming.SIGNAL, SizeTiming.SIGNAL, SizeTiming.FILL]))
    quantity = draw(st.sampled_from([D(1), D(3), D("7.9"), D(25), D(400)]))
    cap = draw(st.sampled_from([None, percent, D("20"), D("80"), D("80"), D("100"), D("150")]))
    if cap is not None and cap < percent and timing is SizeTiming.FILL:
        cap = percent
    risk_percent = draw(st.sampled_from([D("0.5"), D(1), D(2), D(10)]))
    sizing = SizingConfig(
        method=method, percent=percent, quantity=quantity, risk_percent=risk_percent, timing=timing
    )
    risk = RiskConfig(allow_short=draw(st.booleans()), exposure_cap_percent=cap)
    fee = draw(st.sampled_from(["none", "percent:0", "percent:0.1", "0.0015", "percent:1"]))
    execution = ExecutionConfig(
        fill_timing=FillTiming.NEXT_OPEN,
        commission=fee,
        slippage_bps=draw(st.sampled_from([D(0), D(1), D("2.5"), D(5), D(5), D(25), D(900)])),
    )
    cash = draw(st.sampled_from([D("1"), D("100"), D("1000"), D("10000"), D("25000.50")]))
    return make_config(cash=cash, sizing=sizing, risk=risk, execution=execution)


@settings(max_examples=250, deadline=None)
@given(data=st.data())
def test_entries_sized_at_the_signal_equal_the_event_path(data: st.DataObject) -> None:
    bars = data.draw(bar_series())
    strategy = Scripted(data.draw(scripted_signals(len(bars))))
    config = data.draw(signal_configs())
    assert _eligible(bars, strategy, config)
    _assert_same_outcome(bars, strategy, config)


@settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_reversals_sized_at_the_signal_equal_the_event_path(data: st.DataObject) -> None:
    bars = data.draw(bar_series())
    rows = data.draw(st.lists(st.integers(0, len(bars) - 1), min_size=1, unique=True))
    first = data.draw(st.sampled_from((-1, 1)))
    script = {row: first * (-1) ** number for number, row in enumerate(sorted(rows))}
    _assert_same_outcome(bars, Scripted(script), data.draw(signal_configs()))


@settings(max_examples=250, deadline=None)
@given(data=st.data())
def test_brackets_sized_at_the_signal_equal_the_event_path(data: st.DataObject) -> None:
    bars = data.draw(bar_series())
    config = data.draw(signal_configs())
    strategy = Scripted(data.draw(bracket_scripts(bars, config.risk.allow_short)))
    assert _eligible(bars, strategy, config)
    _assert_same_outcome(bars, strategy, config)


def _default_config(**changes: Any) -> RunConfig:
    """The defaults a user's run has (80% of equity at the signal, exposure cap 80%, 5 bp)."""
    return RunConfig(strategy="scripted", symbol="TEST", timeframe="1h", **changes)


@pytest.mark.parametrize(
    ("script", "note"),
    [
        ({0: 1, 2: 0}, "gross exposure 0.00 plus the TEST entry would exceed the cap"),
        ({0: -1, 2: 0}, "gross exposure 0.00 plus the TEST entry would exceed the cap"),
        ({0: (1, 90.0, 130.0), 2: 0}, "gross exposure 0.00 plus the TEST entry would exceed"),
    ],
)
def test_an_entry_trimmed_at_its_fill_by_the_exposure_cap_is_an_adjustment_on_both_paths(
    script: dict[int, Any], note: str
) -> None:
    """The bar after the signal opens 10% above its close: 80% of the equity at the close is
    more than the cap (80% of the equity at the fill) at the open."""
    bars = make_bars([(101, 101, 101, 101), (111, 112, 110, 111), (111, 111, 111, 111)])
    config = _default_config(risk=RiskConfig(allow_short=True))
    strategy = Scripted(script)
    fast = simulate(bars, strategy, config, TEST, engine="fastpath")
    assert_identical(fast, simulate(bars, strategy, config, TEST, engine="event"))
    [(_, reason)] = fast.adjustments
    assert reason.startswith(f"trimmed at fill: {note}")
    assert fast.orders[0].quantity < 80
    assert fast.orders[0].size_fraction is None


@pytest.mark.parametrize("direction", [1, -1])
def test_an_entry_trimmed_at_its_fill_by_the_cash_check_is_an_adjustment_on_both_paths(
    direction: int,
) -> None:
    """All of the equity at the signal, no cap: the gap up leaves the cash (a long) or the
    equity (a short's 100% margin) short of the quantity at the open."""
    bars = make_bars([(101, 101, 101, 101), (111, 112, 110, 111), (111, 111, 111, 111)])
    config = _default_config(
        sizing=SizingConfig(method="percent-equity", percent=D(100)),
        risk=RiskConfig(allow_short=True, exposure_cap_percent=None),
        execution=ExecutionConfig(commission="percent:0.1"),
    )
    strategy = Scripted({0: direction, 2: 0})
    fast = simulate(bars, strategy, config, TEST, engine="fastpath")
    assert_identical(fast, simulate(bars, strategy, config, TEST, engine="event"))
    [(_, reason)] = fast.adjustments
    wording = "cash 10,000.00 cannot pay" if direction > 0 else "a short needs 100% margin"
    assert reason.startswith(f"trimmed at fill: {wording}")


@pytest.mark.parametrize(
    ("percent", "cap", "direction", "wording"),
    [
        (D(80), D(80), 1, "gross exposure 0.00 plus the TEST entry would exceed the cap 160.00"),
        (D(100), None, 1, "cash 200.00 cannot pay for the TEST entry and its fee"),
        (D(100), None, -1, "a short needs 100% margin: equity 200.00 less open shorts 0.00"),
    ],
)
def test_an_entry_a_rule_leaves_nothing_of_at_its_fill_is_canceled_on_both_paths(
    percent: Decimal, cap: Decimal | None, direction: int, wording: str
) -> None:
    """One lot fits at the signal's close, none at the gapped open: the venue cancels the entry
    with the rejecting rule's reason (an adjustment), on the plain and the bracket path."""
    bars = make_bars([(101, 101, 101, 101), (251, 251, 251, 251), (251, 251, 251, 251)])
    config = _default_config(
        cash=D(200),
        sizing=SizingConfig(method="percent-equity", percent=percent),
        risk=RiskConfig(allow_short=True, exposure_cap_percent=cap),
    )
    for signal in (direction, (direction, 101.0 - 50 * direction, 101.0 + 50 * direction)):
        strategy = Scripted({0: signal, 2: 0})
        fast = simulate(bars, strategy, config, TEST, engine="fastpath")
        assert_identical(fast, simulate(bars, strategy, config, TEST, engine="event"))
        [(_, reason)] = fast.adjustments
        assert reason.startswith(f"nothing fits at fill: {wording}")
        assert reason.endswith("; not even one lot of TEST fits")
        assert fast.orders[0].status.value == "canceled"


def test_an_entry_that_rounds_to_zero_at_its_signal_is_a_rejection_on_both_paths() -> None:
    """80% of 50.00 buys nothing at 101: the router rejects the signal (its reason written by
    the router itself, as for every rejection of the fast path)."""
    bars = make_bars([(101, 101, 101, 101), (101, 101, 101, 101), (101, 101, 101, 101)])
    config = _default_config(cash=D(50))
    for script in ({0: 1, 1: 1}, {0: (1, 90.0, 110.0), 1: (1, 90.0, 110.0)}):
        strategy = Scripted(script)
        fast = simulate(bars, strategy, config, TEST, engine="fastpath")
        assert_identical(fast, simulate(bars, strategy, config, TEST, engine="event"))
        assert [rejection.reason for rejection in fast.rejections] == [
            "TEST size rounds to zero at price 101 (equity 50.00, lot size 1)"
        ] * 2


def test_a_reversal_whose_entry_rounds_to_zero_is_left_to_the_event_kernel() -> None:
    """The router keeps the exit and notes the entry's rejection: the fast path gives up."""
    bars = make_bars([(10, 10, 10, 10), (10, 10, 10, 10), (20, 20, 20, 20), (20, 20, 20, 20)])
    config = _default_config(cash=D(50), risk=RiskConfig(allow_short=True))
    strategy = Scripted({0: -1, 2: 1})  # short 4 at 10; at 20, 80% of the 10.00 left buys none
    with pytest.raises(fastpath.FastPathUnsupportedError, match="reversal"):
        simulate(bars, strategy, config, TEST, engine="fastpath")
    slow = simulate(bars, strategy, config, TEST, engine="event")
    assert_identical(simulate(bars, strategy, config, TEST), slow)
    assert "entry rejected" in slow.adjustments[-1][1]


def test_the_cap_quotient_is_the_decimal_whole_part() -> None:
    """floor(room / price), given up on where an exact quotient ends in zeros; the trim worded
    as ExposureCap words it."""
    scale = MoneyScale.for_run(2, NoFee())
    sizing = SignalSizing(AllInSizer(D("0.8"), scale), scale, D(80))
    # 10,000.00 of equity, 80% cap = 8,000.00; 81 units at 100.00 exceed it: 80 would fit
    with pytest.raises(fastpath.FastPathUnsupportedError, match="round lots"):
        sizing.at_fill(0, 81, 1_000_000, 10_000, 1)
    # at 99.00: 8,000 / 99 = 80.8...: 80
    assert sizing.at_fill(3, 90, 1_000_000, 9_900, 1) == 80
    assert sizing.trims == [Trim(3, 90, 80, 80, 1_000_000, 1, True)]
    [(_, reason)] = trimmed_at_fill(
        sizing.trims,
        symbol="TEST",
        cap_percent=D(80),
        scale=scale,
        signal_ns=np.arange(4, dtype=np.int64),
        filled_ns=np.arange(4, dtype=np.int64),
    )
    assert reason == (
        "trimmed at fill: gross exposure 0.00 plus the TEST entry would exceed the cap "
        "8,000.00 (80% of equity 10,000.00); TEST quantity trimmed from 90 to 80"
    )


@pytest.mark.parametrize(
    ("strategy_name", "parameters"),
    [("sma-cross", {}), ("macd-cross", {}), ("macd-cross", BRACKET_PARAMETERS)],
)
def test_a_default_run_on_the_bundled_bars_takes_the_fast_path(
    strategy_name: str, parameters: dict[str, float]
) -> None:
    """A user's run with the defaults (only the strategy and the symbol given; raw prices, as
    an adjusted series is off the tick) on the bundled SPY bars is eligible and identical."""
    config = RunConfig(strategy=strategy_name, params=parameters, symbol="SPY")
    config = config.with_changes(source=config.source.with_changes(adjust="raw"))
    bars = load_run_bars(config)
    strategy = create_strategy(strategy_name, parameters)
    instrument = instrument_for("SPY")
    feed = backtest._BarArrays(bars, "SPY", "1d")
    frame = strategy.signals(bars)
    rows = bars.index.get_indexer(frame.index)
    assert backtest._fast_path_eligible(config, instrument, feed, frame, rows)
    fast = simulate(bars, strategy, config, instrument, engine="fastpath")
    slow = simulate(bars, strategy, config, instrument, engine="event")
    assert_identical(fast, slow)
    assert len(fast.trades) > 10
    assert any(reason.startswith("trimmed at fill") for _, reason in fast.adjustments)


@pytest.mark.parametrize("bracket", [False, True])
def test_a_fixed_quantity_is_trimmed_at_its_signal_and_at_its_fill_on_both_paths(
    bracket: bool,
) -> None:
    """100 units at 101 exceed the 80% cap at the signal (trimmed to 79 there, an adjustment
    without a prefix) and again at the gapped open (to 72, "trimmed at fill")."""
    bars = make_bars([(101, 101, 101, 101), (111, 112, 110, 111), (111, 111, 111, 111)])
    config = _default_config(sizing=SizingConfig(method="fixed", quantity=D(100)))
    signal: Any = (1, 90.0, 130.0) if bracket else 1
    strategy = Scripted({0: signal, 2: 0})
    fast = simulate(bars, strategy, config, TEST, engine="fastpath")
    assert_identical(fast, simulate(bars, strategy, config, TEST, engine="event"))
    assert [reason[:40] for _, reason in fast.adjustments] == [
        "gross exposure 0.00 plus the TEST entry ",
        "trimmed at fill: gross exposure 0.00 plu",
    ]
    assert fast.adjustments[0][1].endswith("trimmed from 100 to 79")
    assert fast.fills[0].quantity == 72


def test_a_fixed_quantity_no_lot_of_which_fits_at_its_signal_is_a_rejection() -> None:
    bars = make_bars([(101, 101, 101, 101)] * 3)
    config = _default_config(cash=D(50), sizing=SizingConfig(method="fixed", quantity=D(5)))
    strategy = Scripted({0: 1})
    fast = simulate(bars, strategy, config, TEST, engine="fastpath")
    assert_identical(fast, simulate(bars, strategy, config, TEST, engine="event"))
    [rejection] = fast.rejections
    assert rejection.reason.endswith("; not even one lot of TEST fits")


@pytest.mark.parametrize("allow_short", [False, True])
def test_risk_sizing_of_the_bracket_run_on_the_bundled_bars_takes_the_fast_path(
    allow_short: bool,
) -> None:
    """macd-cross with its ATR stop and target, 1% of the equity risked to the stop, the other
    settings the defaults (the 80% cap trims the entries whose stop is close)."""
    config = RunConfig(
        strategy="macd-cross",
        params=BRACKET_PARAMETERS,
        symbol="SPY",
        sizing=SizingConfig(method="risk", risk_percent=D(1)),
        risk=RiskConfig(allow_short=allow_short),
    )
    config = config.with_changes(source=config.source.with_changes(adjust="raw"))
    bars = load_run_bars(config)
    strategy = create_strategy("macd-cross", BRACKET_PARAMETERS)
    instrument = instrument_for("SPY")
    fast = simulate(bars, strategy, config, instrument, engine="fastpath")
    assert_identical(fast, simulate(bars, strategy, config, instrument, engine="event"))
    assert len(fast.trades) > 10
    assert len({trade.quantity for trade in fast.trades}) > 10  # sized by each stop's distance
