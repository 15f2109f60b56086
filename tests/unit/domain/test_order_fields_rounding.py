"""The compiled entry path's helpers equal what they replace, digit for digit: ``whole_lots``
(``Instrument.round_quantity``'s one definition) and ``intent_with_quantity``
(``OrderIntent.with_quantity``)."""

from __future__ import annotations

from decimal import ROUND_DOWN, Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from paperdesk.domain import Instrument, InvalidInputError, OrderIntent, OrderType, Side
from paperdesk.domain.order_fields import intent_with_quantity, whole_lots

D = Decimal

quantities = st.decimals(
    allow_nan=False, allow_infinity=False, min_value=-(10**12), max_value=10**12
)
lots = st.sampled_from(
    [D(1), D("1.0"), D("0.001"), D("0.00000001"), D(100), D("1E+2"), D("0.5"), D(0)]
)


def rounded_as_before(quantity: Decimal, lot: Decimal) -> Decimal:
    """``Instrument.round_quantity`` as it was written before ``whole_lots`` (keyword rounding,
    comparisons with the int 0)."""
    if lot <= 0:
        magnitude = abs(quantity)
    else:
        magnitude = (abs(quantity) / lot).to_integral_value(rounding=ROUND_DOWN) * lot
    return magnitude if quantity >= 0 else -magnitude


def same_digits(left: Decimal, right: Decimal) -> bool:
    return left.as_tuple() == right.as_tuple()


@given(quantities, lots)
def test_whole_lots_is_the_old_rounding_digit_for_digit(quantity: Decimal, lot: Decimal) -> None:
    assert same_digits(whole_lots(quantity, lot), rounded_as_before(quantity, lot))


@pytest.mark.parametrize(
    "quantity",
    [
        D("12345678901234567890123456789.75"),  # more digits than the context's precision
        D("-0.0"),
        D("1E+3"),
        D("0E-8"),
        D("-7.99999999"),
    ],
)
def test_whole_lots_on_hard_cases(quantity: Decimal) -> None:
    for lot in (D(1), D("0.00000001"), D("1E+2"), D("0.3")):
        assert same_digits(whole_lots(quantity, lot), rounded_as_before(quantity, lot))
        instrument = Instrument.crypto("BTCUSD", lot_size=lot)
        assert same_digits(instrument.round_quantity(quantity), rounded_as_before(quantity, lot))


def test_intent_with_quantity_is_replace_by_position() -> None:
    intent = OrderIntent(
        "AAPL",
        Side.BUY,
        D(10),
        OrderType.LIMIT,
        limit_price=D("101.5"),
        stop_loss=D(95),
        take_profit=D(110),
        size_fraction=D("0.5"),
        strategy="s",
        reason="r",
    )
    resized = intent_with_quantity(intent, D(7))
    assert type(resized) is OrderIntent
    assert resized == intent._replace(quantity=D(7))
    assert resized.quantity is not intent.quantity
    assert intent.with_quantity(D(0)) == intent._replace(quantity=D(0))  # sized at the fill


def test_intent_with_quantity_refuses_as_the_constructor_does() -> None:
    intent = OrderIntent("AAPL", Side.SELL, D(3))
    with pytest.raises(InvalidInputError, match="order quantity must be positive, got 0"):
        intent_with_quantity(intent, D(0))
    with pytest.raises(InvalidInputError, match="order quantity must be positive, got -1"):
        intent.with_quantity(D(-1))
