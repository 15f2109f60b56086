"""Runs paying a per-share fee (``--commission per-share:RATE[:min=M][:max-pct=P]``) with plain
signals sized at the signal take the integer fast path and give exactly the event kernel's result
(by repr): the fee in whole money units (``MoneyScale.per_share``) and the kernel's
``max_affordable_quantity`` in closed form (``fastpath/per_share.py``)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from engine_builders import Scripted, make_bars
from hypothesis import event, given, settings
from hypothesis import strategies as st
from test_fastpath_adjusted import _assert_same_outcome as same_outcome_on_no_tick
from test_fastpath_adjusted import _eligible_bundled, adjusted_bars, scripts
from test_fastpath_equivalence import (
    TEST,
    _assert_same_outcome,
    _eligible,
    assert_identical,
    bar_series,
)
from test_fastpath_signal_sizing import signal_configs

from paperdesk.analysis.strategies.registry import create_strategy
from paperdesk.config import ExecutionConfig, RiskConfig, RunConfig, SizeTiming, SizingConfig
from paperdesk.domain import InvalidInputError
from paperdesk.engine import fastpath
from paperdesk.engine.backtest import simulate
from paperdesk.engine.fastpath.integer_money import MoneyScale
from paperdesk.execution import PerShare, parse_fee_model
from paperdesk.routing import max_affordable_quantity
from paperdesk.service.backtests import prepare_run

D = Decimal
# rates of 0 to 4 decimals, minimums below and above a small fill's, maximum percents that bind
# on cheap prices
PER_SHARE_FEES = [
    "per-share:0",
    "per-share:0.005",
    "per-share:0.01:min=1",
    "per-share:0.0035:min=0.35:max-pct=1",
    "per-share:0.05:min=2.5:max-pct=0.5",
    "per-share:0.2:max-pct=0.25",
    "per-share:1:min=7",
    "per-share:0.013:min=0.999",
]


@st.composite
def per_share_configs(draw: st.DrawFn) -> RunConfig:
    """The signal-sizing harness's runs sized at the signal (percent-equity, fixed, risk; every
    cap, slippage, cash and short setting) with a per-share fee."""
    config = draw(signal_configs())
    if config.sizing.timing is not SizeTiming.SIGNAL:
        config = config.with_changes(sizing=config.sizing.with_changes(timing=SizeTiming.SIGNAL))
    fee = draw(st.sampled_from(PER_SHARE_FEES))
    return config.with_changes(execution=config.execution.with_changes(commission=fee))


@settings(max_examples=500, deadline=None)
@given(data=st.data())
def test_a_per_share_fee_equals_the_event_path(data: st.DataObject) -> None:
    """Plain signals at random bars, or alternating ones (each reversal sizes its entry from the
    equity once the held position's exit fee, at least the minimum, is paid)."""
    bars = data.draw(bar_series())
    strategy = Scripted(data.draw(scripts(len(bars))))
    config = data.draw(per_share_configs())
    assert _eligible(bars, strategy, config)
    _assert_same_outcome(bars, strategy, config)


@settings(max_examples=200, deadline=None)
@given(data=st.data())
def test_a_per_share_fee_on_adjusted_prices_equals_the_event_path(data: st.DataObject) -> None:
    """No tick grid (an adjusted series' prices of up to 17 decimals)."""
    bars = data.draw(adjusted_bars())
    strategy = Scripted(data.draw(scripts(len(bars))))
    same_outcome_on_no_tick(bars, strategy, data.draw(per_share_configs()))


@settings(max_examples=600, deadline=None)
@given(
    budget=st.integers(1, 10**9),
    price=st.integers(1, 10**6),
    fee=st.sampled_from(PER_SHARE_FEES),
    fraction=st.sampled_from([D(1), D("0.8"), D("0.333"), D("0.05")]),
)
def test_the_sizer_is_max_affordable_quantity(
    budget: int, price: int, fee: str, fraction: Decimal
) -> None:
    """Equity in cents, price in cents: the same quantity as the kernel's, and its Decimal plain
    (the sizer gives up exactly where the kernel's could keep a positive exponent)."""
    from paperdesk.engine.fastpath.per_share import PerShareSizer  # new with the fee

    model = parse_fee_model(fee)
    assert isinstance(model, PerShare)
    scale = MoneyScale.for_run(2, model)
    equity = D(budget).scaleb(-2)
    expected = max_affordable_quantity(equity * fraction, D(price).scaleb(-2), TEST, model)
    units = budget * scale.units_per_tick
    try:
        quantity = PerShareSizer(fraction, scale).quantity(units, price)
    except fastpath.FastPathUnsupportedError:
        event("given up on")
        return
    assert quantity == expected
    assert repr(D(quantity)) == repr(expected) or expected == 0


@pytest.mark.parametrize(
    ("cash", "close", "fee", "expected"),
    [
        # the minimum binds: 80 x 9.99 = 799.20 and 0.80 of fees is below the 1.00 minimum
        (D(1000), 9.99, "per-share:0.01:min=1", "79"),
        # the rate binds: 79 x (9.99 + 0.01) = 790.00 fits 800 exactly at the boundary
        (D("987.5"), 9.99, "per-share:0.01", "79"),
        # the maximum percent binds on a cheap price: 1% of 0.50 is below the rate
        (D(1000), 0.5, "per-share:0.05:min=2:max-pct=1", "1584"),
        # a round lot whose cost is exactly the budget, 20 x (39.95 + 0.05) = 800: the kernel's
        # estimate (its rate 1.00 / 799) is an inexact quotient, so 20 is plain, not 2E+1
        (D(1000), 39.95, "per-share:0.05:min=0.5", "20"),
    ],
)
def test_rounding_corners_equal_the_event_path(
    cash: Decimal, close: float, fee: str, expected: str
) -> None:
    """A buy at the default 80% of equity at the close, filled at an unchanged next open with no
    slippage; the quantities are the kernel's, by repr."""
    bars = make_bars([(close,) * 4] * 4)
    config = _config(cash, fee)
    strategy = Scripted({0: 1, 2: 0})
    fast = simulate(bars, strategy, config, TEST, engine="fastpath")
    assert_identical(fast, simulate(bars, strategy, config, TEST, engine="event"))
    assert repr(fast.fills[0].quantity) == f"Decimal('{expected}')"


def test_the_minimum_fee_is_charged_on_each_fill_and_the_reversal_s_exit() -> None:
    """Small fills pay the minimum; a reversal sizes its entry from the equity once the exit's
    minimum is paid (the router's estimate), and the fast path gives the kernel's quantities."""
    bars = make_bars([(10.0,) * 4, (10.5,) * 4, (10.25,) * 4, (9.75,) * 4, (9.75,) * 4])
    config = _config(D(500), "per-share:0.005:min=1", allow_short=True)
    strategy = Scripted({0: 1, 1: -1, 2: 1, 3: 0})
    fast = simulate(bars, strategy, config, TEST, engine="fastpath")
    assert_identical(fast, simulate(bars, strategy, config, TEST, engine="event"))
    assert {repr(fill.fee) for fill in fast.fills} == {"Decimal('1')"}
    assert len(fast.fills) == 6


def test_an_entry_from_cash_below_the_minimum_fee_takes_the_fast_path() -> None:
    """Cash 5.00 under a 7.00 minimum that the maximum percent caps (1% of the notional at 0.50):
    7 units fit 80% of the cash with their 0.035 fee, on both paths."""
    bars = make_bars([(0.5,) * 4] * 4)
    config = _config(D(5), "per-share:0.01:min=7:max-pct=1")
    strategy = Scripted({0: 1, 2: 0})
    fast = simulate(bars, strategy, config, TEST, engine="fastpath")
    assert_identical(fast, simulate(bars, strategy, config, TEST, engine="event"))
    assert [repr(fill.quantity) for fill in fast.fills] == ["Decimal('7')"] * 2


def test_an_estimate_that_divides_exactly_into_round_lots_is_given_up_on() -> None:
    """80% of 1,001 = 800.8 at 40 with 0.04 a share: the kernel's estimate 800.8 / (40 x 1.001)
    is exactly 20 and keeps the exponent (``2E+1``) into the order; the fast path gives up and
    the event kernel runs the run."""
    bars = make_bars([(40.0,) * 4] * 4)
    config = _config(D(1001), "per-share:0.04")
    strategy = Scripted({0: 1, 2: 0})
    with pytest.raises(fastpath.FastPathUnsupportedError, match="divides exactly"):
        simulate(bars, strategy, config, TEST, engine="fastpath")
    auto = simulate(bars, strategy, config, TEST)
    assert_identical(auto, simulate(bars, strategy, config, TEST, engine="event"))
    assert repr(auto.orders[0].quantity) == "Decimal('2E+1')"


def test_a_per_share_fee_all_in_at_the_fill_takes_the_event_path() -> None:
    """(A bracket with a per-share fee sized at the signal takes the fast path since branch
    ``h-fast4``: ``test_fastpath_per_share_brackets.py``.)"""
    bars = make_bars([(100.0 + i, 101.0 + i, 99.0 + i, 100.5 + i) for i in range(6)])
    config = _config(D(10_000), "per-share:0.005:min=1")
    script: dict[int, Any] = {1: 1, 4: 0}
    sizing = SizingConfig(method="percent-equity", percent=D(50), timing=SizeTiming.FILL)
    config = config.with_changes(sizing=sizing)
    strategy = Scripted(script)
    assert not _eligible(bars, strategy, config)
    with pytest.raises(InvalidInputError, match="not eligible"):
        simulate(bars, strategy, config, TEST, engine="fastpath")
    assert simulate(bars, strategy, config, TEST).fills


def test_the_money_unit_holds_every_part_of_the_fee() -> None:
    scale = MoneyScale.for_run(2, PerShare(D("0.0035"), D("0.35"), D("0.5")))
    assert scale.money_places == 5  # 2 price places + 0.005 (0.5%): 5; the rate: 4
    assert scale.per_share is not None
    assert (scale.per_share.rate, scale.per_share.minimum, scale.per_share.cap_per_tick) == (
        350,
        35_000,
        5,
    )
    assert scale.fee(100, 1000) == 35_000  # 100 x 0.0035 = 0.35, the minimum
    assert scale.fee(1000, 1000) == 350_000  # 1000 x 0.0035 = 3.50 (0.5% of 10,000 is 50)
    assert scale.fee(1000, 10) == 50_000  # 0.5% of 1000 x 0.10 = 0.50: the maximum
    assert scale.exit_fee(0, 1000) == 0  # nothing held: no minimum


@pytest.mark.parametrize("symbol", ["SPY", "AAPL"])
@pytest.mark.parametrize("strategy_name", ["sma-cross", "macd-cross"])
@pytest.mark.parametrize("commission", ["per-share:0.005:min=1", "per-share:0.005:min=1:max-pct=1"])
def test_the_bundled_series_with_a_per_share_fee_take_the_fast_path(
    symbol: str, strategy_name: str, commission: str
) -> None:
    """The default run on the bundled adjusted series with ``--commission per-share:...``:
    eligible, on the fast path, every field identical to the event kernel."""
    config = RunConfig(
        strategy=strategy_name, symbol=symbol, execution=ExecutionConfig(commission=commission)
    )
    prepared = prepare_run(config)
    strategy = create_strategy(strategy_name, {})
    bars, instrument = prepared.bars, prepared.instrument
    assert _eligible_bundled(bars, strategy, config, instrument)
    fast = simulate(bars, strategy, config, instrument, engine="fastpath")
    assert_identical(fast, simulate(bars, strategy, config, instrument, engine="event"))
    assert len(fast.trades) > 50
    assert all(fill.fee > 0 for fill in fast.fills)


def _config(cash: Decimal, fee: str, *, allow_short: bool = False) -> RunConfig:
    """The defaults (80% of equity at the signal, cap 80%) with ``fee``, no slippage."""
    return RunConfig(
        strategy="scripted",
        symbol="TEST",
        timeframe="1h",
        cash=cash,
        risk=RiskConfig(allow_short=allow_short),
        execution=ExecutionConfig(commission=fee, slippage_bps=D(0)),
    )
