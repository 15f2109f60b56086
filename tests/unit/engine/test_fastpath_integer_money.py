"""The fast path's integer money rules agree with paperdesk's Decimal ones."""

from __future__ import annotations

import random
from decimal import Decimal

import pytest

from paperdesk.domain import Instrument, Side
from paperdesk.engine.fastpath.errors import FastPathUnsupportedError
from paperdesk.engine.fastpath.integer_money import (
    AllInSizer,
    MoneyScale,
    _digits,
    slipped_ticks,
)
from paperdesk.execution import FixedBasisPoints, NoFee, NoSlippage, PercentOfNotional
from paperdesk.routing import FeeFunction
from paperdesk.routing.affordability import max_affordable_quantity

EQUITY = Instrument.equity("TEST", calendar="24/7")
FRACTIONS = [Decimal(1), Decimal("0.5"), Decimal("0.333"), (1 - Decimal(2) ** -52)]


@pytest.mark.parametrize("fee_model", [NoFee(), PercentOfNotional(Decimal("0.1"))])
@pytest.mark.parametrize("fraction", FRACTIONS)
def test_all_in_quantity_is_max_affordable_quantity(
    fee_model: NoFee | PercentOfNotional, fraction: Decimal
) -> None:
    scale = MoneyScale.for_run(2, fee_model)
    sizer = AllInSizer(fraction, scale)
    generator = random.Random(7)

    def estimate(quantity: Decimal, price: Decimal) -> Decimal:
        return fee_model.fee(quantity, price, EQUITY)

    checked = 0
    for case in range(1500):
        cash = generator.randrange(1, 10 ** generator.randint(3, 14))
        price = generator.randrange(1, 10 ** generator.randint(2, 7))
        if case % 3 == 0:  # a budget right on a quantity boundary
            lots = generator.randrange(1, 10**5)
            cash = lots * price * (scale.units_per_tick + scale.fee_per_tick)
            cash += generator.randint(-2, 2)
            cash = max(cash, 1)
        budget = scale.to_decimal(cash) * fraction
        try:
            mine = sizer.quantity(cash, price)
        except FastPathUnsupportedError:
            continue  # an exact quotient: left to the event kernel
        assert mine == max_affordable_quantity(
            budget, Decimal(price).scaleb(-2), EQUITY, FeeFunction(estimate)
        ), (cash, price)
        checked += 1
    assert checked > 1400


@pytest.mark.parametrize("bps", [Decimal(1), Decimal("2.5"), Decimal(5), Decimal(900)])
def test_slipped_ticks_are_the_models_prices(bps: Decimal) -> None:
    model = FixedBasisPoints(bps)
    raw = [*range(1, 3000, 7), 10**9 + 7]
    for buy, side in ((True, Side.BUY), (False, Side.SELL)):
        for tick, moved in zip(raw, slipped_ticks(raw, buy, model), strict=True):
            expected = model.adjust(Decimal(tick).scaleb(-2), side, EQUITY)
            assert Decimal(moved).scaleb(-2) == expected


def test_no_slippage_keeps_the_ticks() -> None:
    assert slipped_ticks([5, 7], True, NoSlippage()) == [5, 7]


@pytest.mark.parametrize("percent", ["0", "0.1", "0.15", "1", "2.5"])
def test_integer_fees_are_the_models_fees(percent: str) -> None:
    model = PercentOfNotional(Decimal(percent))
    scale = MoneyScale.for_run(2, model)
    for quantity, price in ((1, 1), (3, 12345), (997, 5001), (10**6, 99999)):
        expected = model.fee(Decimal(quantity), Decimal(price).scaleb(-2), EQUITY)
        assert scale.to_decimal(scale.fee(quantity, price)) == expected


def test_digit_counts() -> None:
    for value in (1, 9, 10, 99, 100, 10**27 - 1, 10**27, 10**60 + 1, 2**500):
        assert _digits(value) == len(str(value))
