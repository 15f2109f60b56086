"""A bracket entry's pending legs (``bracket_legs``, the fields read by position) are the
``Order``s the validating constructor builds from the entry's fields, and a leg whose price the
tick rounds to zero is refused as the constructor refuses it."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from paperdesk.domain import (
    Instrument,
    InvalidInputError,
    Order,
    OrderIntent,
    OrderRole,
    OrderStatus,
    OrderType,
    Side,
)
from paperdesk.execution.orders_from_intents import bracket_legs, levels_on_the_tick

D = Decimal
TS = datetime(2024, 3, 4, 14, 30, tzinfo=UTC)
EQUITY = Instrument.equity("AAA")
_PRICES = st.none() | st.decimals("0.5", "500", places=3)


def _expected(intent: OrderIntent, leg_ids: list[str]) -> list[Order]:
    stop, target = levels_on_the_tick(intent.side, intent.stop_loss, intent.take_profit, EQUITY)
    quantity = intent.quantity if intent.quantity > 0 else EQUITY.lot_size
    legs: list[Order] = []
    ids = iter(leg_ids)
    for role, price, order_type, reason in (
        (OrderRole.STOP_LOSS, stop, OrderType.STOP, "stop loss"),
        (OrderRole.TAKE_PROFIT, target, OrderType.LIMIT, "take profit"),
    ):
        if price is None:
            continue
        leg_id = next(ids)
        legs.append(
            Order(
                leg_id,
                leg_id,
                intent.symbol,
                intent.side.opposite,
                order_type,
                quantity,
                TS,
                price if order_type is OrderType.LIMIT else None,
                price if order_type is OrderType.STOP else None,
                role=role,
                parent_id="O1",
                status=OrderStatus.PENDING,
                ts_updated=TS,
                strategy=intent.strategy,
                reason=reason,
            )
        )
    return legs


@given(
    st.sampled_from([Side.BUY, Side.SELL]),
    st.sampled_from(["0", "1", "7", "250"]),
    _PRICES,
    _PRICES,
    st.booleans(),
)
def test_the_legs_are_the_orders_the_constructor_builds(
    side: Side, quantity: str, stop_loss: Decimal | None, take_profit: Decimal | None, all_in: bool
) -> None:
    if stop_loss is None and take_profit is None:
        return
    fraction = D("0.5") if all_in or quantity == "0" else None
    intent = OrderIntent(
        "AAA",
        side,
        D(quantity),
        stop_loss=stop_loss,
        take_profit=take_profit,
        size_fraction=fraction,
        strategy="macd-cross",
    )
    leg_ids = [f"O{n}" for n in range(2, 2 + (stop_loss is not None) + (take_profit is not None))]
    legs = bracket_legs(intent, "O1", leg_ids, EQUITY, TS)
    assert list(legs) == _expected(intent, leg_ids)
    assert all(type(leg) is Order for leg in legs)


@pytest.mark.parametrize("take_profit", [None, D("150")])
def test_a_stop_rounded_to_a_zero_price_is_refused(take_profit: Decimal | None) -> None:
    intent = OrderIntent("AAA", Side.BUY, D(5), stop_loss=D("0.001"), take_profit=take_profit)
    with pytest.raises(InvalidInputError, match="stop price"):
        bracket_legs(intent, "O1", ["O2", "O3"], EQUITY, TS)
