"""Positions with average cost and realized P&L; long and short, reversals included."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Final, NamedTuple

from paperdesk.domain.enums import Side
from paperdesk.domain.field_positions import (
    FILL_PRICE,
    FILL_QUANTITY,
    FILL_SIDE,
    FILL_TS,
    POSITION_AVERAGE_PRICE,
    POSITION_COST,
    POSITION_FIELDS,
    POSITION_QUANTITY,
    POSITION_REALIZED_PNL,
    POSITION_SYMBOL,
    POSITION_TS_OPENED,
)
from paperdesk.domain.fills import Fill
from paperdesk.domain.money import ZERO
from paperdesk.domain.trusted import trusted_maker

# The cost taken off a position by a partial close is rounded to this increment, so every
# ledger sum stays a finite decimal and the cash identity holds exactly (see ``apply``).
COST_INCREMENT = Decimal("1e-12")
_BUY: Final = Side.BUY  # enum member lookups are slow on the hot path


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
        return after_fill(self, fill)


def after_fill(position: Position, fill: Fill) -> tuple[Position, Decimal]:
    """``position.apply(fill)``: the position after ``fill`` and the P&L the fill realized
    (before fees). A function, so that compiled code calls it directly (a method of a NamedTuple
    is looked up and called through its Python entry point); the fields are read by position
    (``domain/field_positions.py``: a direct read of the tuple's slot, not an attribute lookup)."""
    fill_quantity, price, ts = fill[FILL_QUANTITY], fill[FILL_PRICE], fill[FILL_TS]
    signed = fill_quantity if fill[FILL_SIDE] is _BUY else -fill_quantity  # signed_quantity
    symbol, quantity = position[POSITION_SYMBOL], position[POSITION_QUANTITY]
    realized_before, ts_opened = position[POSITION_REALIZED_PNL], position[POSITION_TS_OPENED]
    cost = position[POSITION_COST]
    if cost is None:  # cost_basis
        cost = quantity * position[POSITION_AVERAGE_PRICE]
    # compared with the Decimal ZERO, not the int 0 (which Decimal converts at each comparison);
    # each comparison and ``abs`` made once
    flat = quantity == _ZERO
    long = quantity > _ZERO
    if flat or long == (signed > _ZERO):
        new_quantity = quantity + signed
        new_cost = cost + signed * price
        opened = ts if flat else ts_opened
        return _held(symbol, new_quantity, new_cost, realized_before, opened), ZERO
    size = abs(quantity)
    closing = min(abs(signed), size)
    removed = cost if closing == size else cost_share(cost, closing, size)
    # ``closing x price x sign - removed``, the sign the Decimal 1 or -1 (as Decimal converts
    # the ints): a product by 1 is the product itself, digit for digit, so a long's is skipped
    proceeds = closing * price
    realized = (proceeds if long else proceeds * _MINUS_ONE) - removed
    new_quantity = quantity + signed
    realized_total = realized_before + realized
    if new_quantity == _ZERO:
        return _position((symbol, ZERO, ZERO, realized_total, None, ZERO)), realized
    if (new_quantity > _ZERO) == long:
        return _held(symbol, new_quantity, cost - removed, realized_total, ts_opened), realized
    # reversed through zero: the remainder opens a new position at the fill price
    return _held(symbol, new_quantity, new_quantity * price, realized_total, ts), realized


def _held(
    symbol: str, quantity: Decimal, cost: Decimal, realized: Decimal, opened: datetime | None
) -> Position:
    """The position holding ``quantity`` (not zero) at ``cost``."""
    return _position((symbol, quantity, cost / quantity, realized, opened, cost))


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


_ONE: Final = Decimal(1)
_MINUS_ONE: Final = Decimal(-1)
_ZERO: Final = ZERO
_position: Final = trusted_maker(Position)  # every field of a Position, in order
if Position._fields != POSITION_FIELDS:  # pragma: no cover
    raise RuntimeError("Position's field layout changed: update domain/field_positions.py")
