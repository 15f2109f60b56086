"""``after_fill`` with its comparisons and ``abs`` made once and a long's realized P&L taken
without the product by 1 gives what the function gave before, digit for digit, on random
positions and fills (long, short, added to, reduced, closed, reversed)."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from paperdesk.domain import ZERO, Fill, Side
from paperdesk.domain.positions import Position, after_fill, cost_share

TS = datetime(2024, 3, 4, 14, 30, tzinfo=UTC)
QUANTITIES = ("1", "2", "3", "10", "10.0", "0.5", "7.25", "1E+1", "3.000")
PRICES = ("99.5", "101.25", "100", "98.125", "1E+2", "0", "100.10")


def after_fill_before(position: Position, fill: Fill) -> tuple[Position, Decimal]:
    """``after_fill`` before the trim, in its public terms."""
    signed = fill.signed_quantity
    symbol, quantity, cost = position.symbol, position.quantity, position.cost_basis
    if quantity == 0 or (quantity > 0) == (signed > 0):
        new_quantity = quantity + signed
        new_cost = cost + signed * fill.price
        opened = position.ts_opened if quantity != 0 else fill.ts
        held = Position(symbol, new_quantity, new_cost / new_quantity, position.realized_pnl)
        return held._replace(ts_opened=opened, cost=new_cost), ZERO
    closing = min(abs(signed), abs(quantity))
    removed = cost if closing == abs(quantity) else cost_share(cost, closing, abs(quantity))
    sign = Decimal(1) if quantity > 0 else Decimal(-1)
    realized = closing * fill.price * sign - removed
    new_quantity = quantity + signed
    total = position.realized_pnl + realized
    if new_quantity == 0:
        return Position(symbol, ZERO, ZERO, total, None, ZERO), realized
    if (new_quantity > 0) == (quantity > 0):
        left = cost - removed
        opened = position.ts_opened
    else:
        left = new_quantity * fill.price
        opened = fill.ts
    return Position(symbol, new_quantity, left / new_quantity, total, opened, left), realized


def digits(position: Position) -> tuple[str, ...]:
    return tuple(repr(value) for value in position)


@pytest.mark.parametrize("seed", range(40))
def test_the_position_and_realized_pnl_are_those_before_digit_for_digit(seed: int) -> None:
    rng = random.Random(seed)
    position = Position("SPY", cost=ZERO)
    closes = reversals = 0
    for index in range(80):
        fill = Fill(
            f"o{index}",
            "SPY",
            rng.choice((Side.BUY, Side.SELL)),
            Decimal(rng.choice(QUANTITIES)),
            Decimal(rng.choice(PRICES)),
            ZERO,
            TS + timedelta(minutes=index),
        )
        if position.quantity != 0 and rng.random() < 0.2:  # through zero, the other way
            side = Side.SELL if position.quantity > 0 else Side.BUY
            fill = fill._replace(side=side, quantity=abs(position.quantity) + fill.quantity)
        after, realized = after_fill(position, fill)
        expected, expected_realized = after_fill_before(position, fill)
        assert digits(after) == digits(expected)
        assert repr(realized) == repr(expected_realized)
        closes += realized is not ZERO
        reversals += (after.quantity > 0 > position.quantity) or (
            after.quantity < 0 < position.quantity
        )
        position = after
    assert closes
    assert reversals
