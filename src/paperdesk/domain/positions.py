"""Positions with average cost and realized P&L; long and short, reversals included."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import NamedTuple

from paperdesk.domain.enums import Side
from paperdesk.domain.fills import Fill
from paperdesk.domain.money import ZERO
from paperdesk.domain.trusted import trusted_maker

# The cost taken off a position by a partial close is rounded to this increment, so every
# ledger sum stays a finite decimal and the cash identity holds exactly (see ``apply``).
COST_INCREMENT = Decimal("1e-12")
_BUY = Side.BUY  # enum member lookups are slow on the hot path


class Position(NamedTuple):
    """A signed holding: quantity > 0 is long, < 0 is short, 0 is flat.

    ``cost`` is the exact signed cost of the open quantity (sum of quantity x price of the fills
    still open); ``average_price`` is cost / quantity. ``realized_pnl`` excludes fees (they are
    booked separately), so that cash = starting cash + realized P&L - fees - sum of costs.
    """

    symbol: str
    quantity: Decimal = ZERO
    average_price: Decimal = ZERO
    realized_pnl: Decimal = ZERO
    ts_opened: datetime | None = None
    cost: Decimal | None = None  # defaults to quantity x average_price

    @property
    def is_flat(self) -> bool:
        return self.quantity == 0

    @property
    def cost_basis(self) -> Decimal:
        return self.quantity * self.average_price if self.cost is None else self.cost

    def market_value(self, price: Decimal) -> Decimal:
        return self.quantity * price

    def unrealized_pnl(self, price: Decimal) -> Decimal:
        return self.quantity * price - self.cost_basis

    def apply(self, fill: Fill) -> tuple[Position, Decimal]:
        """Return the position after ``fill`` and the P&L the fill realized (before fees)."""
        signed = fill.quantity if fill.side is _BUY else -fill.quantity  # signed_quantity
        quantity = self.quantity
        cost = self.cost
        if cost is None:  # cost_basis
            cost = quantity * self.average_price
        if quantity == 0 or (quantity > 0) == (signed > 0):
            new_quantity = quantity + signed
            new_cost = cost + signed * fill.price
            opened = self.ts_opened if quantity != 0 else fill.ts
            return self._with(new_quantity, new_cost, self.realized_pnl, opened), ZERO
        closing = min(abs(signed), abs(quantity))
        removed = cost if closing == abs(quantity) else cost_share(cost, closing, abs(quantity))
        sign = 1 if quantity > 0 else -1
        realized = closing * fill.price * sign - removed
        new_quantity = quantity + signed
        realized_total = self.realized_pnl + realized
        if new_quantity == 0:
            return _position((self.symbol, ZERO, ZERO, realized_total, None, ZERO)), realized
        if (new_quantity > 0) == (quantity > 0):
            return self._with(
                new_quantity, cost - removed, realized_total, self.ts_opened
            ), realized
        # reversed through zero: the remainder opens a new position at the fill price
        return self._with(
            new_quantity, new_quantity * fill.price, realized_total, fill.ts
        ), realized

    def _with(
        self, quantity: Decimal, cost: Decimal, realized: Decimal, opened: datetime | None
    ) -> Position:
        return _position((self.symbol, quantity, cost / quantity, realized, opened, cost))


def cost_share(cost: Decimal, part: Decimal, whole: Decimal) -> Decimal:
    """The cost of ``part`` of ``whole`` (a partial close's cost), rounded to ``COST_INCREMENT``
    and written with no more decimals than it needs down to the cost's own: 2 of 5 shares
    costing 1468.5 cost 587.4, not 587.400000000000, whose trailing zeros would go on into
    the position's cost, its realized and unrealized P&L and every figure the API shows (the
    value is the same either way)."""
    rounded = (cost * part / whole).quantize(COST_INCREMENT)
    exponent = cost.as_tuple().exponent
    places = min(exponent, 0) if isinstance(exponent, int) else 0
    shorter = rounded.quantize(_ONE.scaleb(places))
    return shorter if shorter == rounded else rounded


_ONE = Decimal(1)
_position = trusted_maker(Position)  # every field of a Position, in order
