"""``after_fill`` with a long's realized P&L taken without the product by 1 gives what it gave
before, digit for digit, on random positions and fills."""

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


def realized_before(position: Position, fill: Fill) -> Decimal:
    """The P&L ``after_fill`` realized before the trim: ``closing x price x sign - removed``."""
    signed = fill.signed_quantity
    quantity, cost = position.quantity, position.cost_basis
    if quantity == 0 or (quantity > 0) == (signed > 0):
        return ZERO
    closing = min(abs(signed), abs(quantity))
    removed = cost if closing == abs(quantity) else cost_share(cost, closing, abs(quantity))
    sign = Decimal(1) if quantity > 0 else Decimal(-1)
    return closing * fill.price * sign - removed


@pytest.mark.parametrize("seed", range(30))
def test_the_realized_pnl_is_the_one_before_digit_for_digit(seed: int) -> None:
    rng = random.Random(seed)
    position = Position("SPY")
    closes = 0
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
        after, realized = after_fill(position, fill)
        expected = realized_before(position, fill)
        assert repr(realized) == repr(expected)
        assert repr(after.realized_pnl) == repr(position.realized_pnl + expected)
        closes += realized is not ZERO
        position = after
    assert closes  # the fills closed positions, long and short
