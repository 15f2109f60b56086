"""Fees and slippage are chosen per instrument: a run holding a forex pair and a stock estimates
and charges each one its own way (the router's estimate equals the venue's charge)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from paperdesk.config import ExecutionConfig, RiskConfig, RunConfig, SizingConfig
from paperdesk.domain import (
    Bar,
    Direction,
    Instrument,
    InvalidInputError,
    OrderFilled,
    Side,
    Signal,
)
from paperdesk.engine.wiring import build_kernel
from paperdesk.execution.costs import cost_models

EURUSD, SPY = Instrument.forex("EURUSD"), Instrument.equity("SPY")
D = Decimal
OPEN = datetime(2024, 1, 2, 14, 30, tzinfo=UTC)


def bar(symbol: str, day: int, price: str) -> Bar:
    start = OPEN + timedelta(days=day)
    p = D(price)
    return Bar(symbol, "1d", start, start + timedelta(hours=6), p, p, p, p, D(1_000_000))


def test_the_fee_estimate_of_each_instrument_is_the_fee_the_venue_charges() -> None:
    config = RunConfig(
        strategy="x",
        cash=D(100_000),
        sizing=SizingConfig(percent=D(50)),
        risk=RiskConfig(exposure_cap_percent=None),
        execution=ExecutionConfig(commission="per-lot:7", slippage_bps=D(0)),
    )
    # EURUSD first: the old wiring bound the fee estimate to the first instrument
    kernel = build_kernel(config, {"EURUSD": EURUSD, "SPY": SPY}, None)
    signal = Signal("x", "SPY", Direction.LONG, OPEN + timedelta(hours=6))
    kernel.on_bar(bar("SPY", 0, "400"), [signal], 0)
    events = kernel.on_bar(bar("SPY", 1, "400"), [], 1)
    (fill,) = [e.fill for e in events if isinstance(e, OrderFilled)]
    assert fill.fee == D(7) * fill.quantity  # a SPY share is one lot of contract size 1
    # sized with SPY's own fee: q * 400 + 7 q <= 50% of 100,000, the largest whole q
    assert fill.quantity == D(50_000) // D(407)


def test_a_forex_spread_applies_to_forex_pairs_and_bps_to_the_rest() -> None:
    costs = cost_models(ExecutionConfig(slippage_bps=D(10), spread_pips=D(2)), (EURUSD, SPY))
    buy = Side.BUY
    assert costs.slippage.adjust(D("1.10000"), buy, EURUSD) == D("1.10010")  # half of 2 pips
    assert costs.slippage.adjust(D("400.00"), buy, SPY) == D("400.40")  # 10 bps


def test_a_spread_with_no_forex_pair_is_refused() -> None:
    with pytest.raises(InvalidInputError, match="--spread-pips applies to forex pairs"):
        cost_models(ExecutionConfig(spread_pips=D(2)), (SPY,))
