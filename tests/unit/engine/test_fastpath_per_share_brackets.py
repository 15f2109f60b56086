"""Brackets paying a per-share fee (``--commission per-share:RATE[:min=M][:max-pct=P]``), entries
sized at the signal, on the fast path, identical to the event kernel by repr: every fill (the
entry, a signal's exit, a stop-loss or take-profit leg, a holding exit) pays the fee model's fee
of its quantity at its own price (``MoneyScale.fee``), and a reversal's entry is sized from the
equity less the held position's exit fee at the close (``MoneyScale.exit_fee``)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from engine_builders import Scripted, make_bars
from hypothesis import event, given, settings
from hypothesis import strategies as st
from test_fastpath_adjusted import _assert_same_outcome as same_outcome_on_no_tick
from test_fastpath_adjusted import adjusted_bars
from test_fastpath_brackets import BRACKET_PARAMETERS, bracket_scripts
from test_fastpath_equivalence import TEST, _eligible, assert_identical
from test_fastpath_holding_limit import held_configs
from test_fastpath_per_share import per_share_configs
from test_fastpath_signal_filters import (
    identical_bundled_run,
    per_share_filtered_configs,
    same_drawn_outcome,
)

from paperdesk.config import ExecutionConfig, RiskConfig, RunConfig
from paperdesk.engine.backtest import simulate
from paperdesk.engine.result import BacktestResult


def _legs_filled(result: BacktestResult | None) -> None:
    if result is None:
        return
    legs = [order for order in result.orders if order.role.value in ("stop_loss", "take_profit")]
    event(f"a leg filled: {any(order.status.value == 'filled' for order in legs)}")


@settings(max_examples=200, deadline=None)
@given(data=st.data())
def test_brackets_with_a_per_share_fee_equal_the_event_path(data: st.DataObject) -> None:
    """Every sizing at the signal (percent-equity, fixed, risk), cap, slippage, cash and short
    setting, with the per-share fees of ``test_fastpath_per_share``, on a tick grid."""
    _legs_filled(same_drawn_outcome(data, "brackets", per_share_configs()))


@settings(max_examples=100, deadline=None)
@given(data=st.data())
def test_filtered_held_brackets_with_a_per_share_fee_equal_the_event_path(
    data: st.DataObject,
) -> None:
    """Dense brackets with a minimum confidence, a cooldown and a holding limit."""
    _legs_filled(
        same_drawn_outcome(data, "dense brackets", held_configs(per_share_filtered_configs()))
    )


@settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_adjusted_brackets_with_a_per_share_fee_equal_the_event_path(data: st.DataObject) -> None:
    """No tick grid (an adjusted series' exact prices)."""
    bars = data.draw(adjusted_bars())
    config = data.draw(per_share_configs())
    strategy = Scripted(data.draw(bracket_scripts(bars, config.risk.allow_short)))
    _legs_filled(same_outcome_on_no_tick(bars, strategy, config))


def test_a_take_profit_leg_pays_the_minimum_fee() -> None:
    """A long of 78 at 101.37 (80% of 10,000 at the signal's close) reaches its target: the entry
    and the leg each pay the 1.00 minimum (78 x 0.005 = 0.39)."""
    bars = make_bars([(100.37 + i, 101.37 + i, 99.37 + i, 100.37 + i) for i in range(12)])
    config = RunConfig(
        strategy="scripted",
        symbol="TEST",
        timeframe="1h",
        execution=ExecutionConfig(commission="per-share:0.005:min=1", slippage_bps=Decimal(0)),
    )
    strategy = Scripted({0: (1, 90.0, 105.0)})
    assert _eligible(bars, strategy, config)
    result = simulate(bars, strategy, config, TEST, engine="fastpath")
    assert_identical(result, simulate(bars, strategy, config, TEST, engine="event"))
    [trade] = result.trades
    assert trade.exit_reason == "take-profit"
    assert [fill.fee for fill in result.fills] == [Decimal("1.00"), Decimal("1.00")]


@pytest.mark.parametrize(
    "commission", ["per-share:0.005:min=1", "per-share:0.01:min=0.35:max-pct=1"]
)
def test_the_bundled_bracket_run_with_a_per_share_fee_takes_the_fast_path(commission: str) -> None:
    """``paperdesk backtest --strategy macd-cross`` with its ATR stop and target on the bundled
    adjusted SPY, ``--commission per-share:...``: eligible, identical, the legs paying it."""
    config = RunConfig(
        strategy="macd-cross",
        params=BRACKET_PARAMETERS,
        symbol="SPY",
        risk=RiskConfig(),
        execution=ExecutionConfig(commission=commission),
    )
    fast = identical_bundled_run(config, BRACKET_PARAMETERS)
    legs = [trade for trade in fast.trades if trade.exit_reason in ("stop-loss", "take-profit")]
    assert len(legs) > 10
    assert all(fill.fee > 0 for fill in fast.fills)
