"""What a split or cash dividend does to a held position, as a broker books it on raw prices.

A split multiplies the quantity by ``shares_after / shares_before`` and keeps the cost, so the
average price is divided by the same ratio; a fractional share left over is paid in cash at the
reference price on the new terms (as Lean's ``SecurityPortfolioManager.ApplySplit`` does),
rounded half-up to the cent, and counts as a sale of that fraction. A cash dividend credits
quantity x distribution (a short position pays it). Either keeps the ledger's identity:
cash = starting cash + realized P&L - fees - cost of the open positions.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import NamedTuple

from paperdesk.domain import ZERO, CorporateActionTerms, Position
from paperdesk.domain.positions import COST_INCREMENT

CENT = Decimal("0.01")


class ActionOutcome(NamedTuple):
    """The position after an action, the cash it moved and the P&L it realized."""

    position: Position
    cash: Decimal
    realized_pnl: Decimal
    fraction: Decimal  # the part of a new share paid in cash (signed as the position)


def apply_action(position: Position, action: CorporateActionTerms) -> ActionOutcome:
    """``position`` after ``action`` (a dividend or a split), with the cash it moves."""
    if action.kind == "dividend":
        amount = position.quantity * action.distribution
        after = position._replace(realized_pnl=position.realized_pnl + amount)
        return ActionOutcome(after, amount, amount, ZERO)
    return _split(position, action)


def split_quantity(quantity: Decimal, action: CorporateActionTerms) -> Decimal:
    """The whole shares ``quantity`` becomes in ``action``'s split (toward zero)."""
    return Decimal(int(Fraction(quantity) * action.shares_after / action.shares_before))


def _split(position: Position, action: CorporateActionTerms) -> ActionOutcome:
    exact = Fraction(position.quantity) * action.shares_after / action.shares_before
    whole = split_quantity(position.quantity, action)  # a short keeps its whole shares too
    fraction_exact = exact - Fraction(whole)
    cost = position.cost_basis
    if fraction_exact == 0:
        after = Position(
            position.symbol, whole, cost / whole, position.realized_pnl, position.ts_opened, cost
        )
        return ActionOutcome(after, ZERO, ZERO, ZERO)
    fraction = Decimal(fraction_exact.numerator) / Decimal(fraction_exact.denominator)
    price = Fraction(action.reference_price) * action.shares_before / action.shares_after
    cash_exact = fraction_exact * price
    cash = (Decimal(cash_exact.numerator) / Decimal(cash_exact.denominator)).quantize(
        CENT, ROUND_HALF_UP
    )
    fraction_cost_exact = Fraction(cost) * fraction_exact / exact
    fraction_cost = (
        Decimal(fraction_cost_exact.numerator) / Decimal(fraction_cost_exact.denominator)
    ).quantize(COST_INCREMENT)
    realized = cash - fraction_cost
    realized_total = position.realized_pnl + realized
    if whole == 0:
        after = Position(position.symbol, ZERO, ZERO, realized_total, None, ZERO)
    else:
        remaining = cost - fraction_cost
        after = Position(
            position.symbol,
            whole,
            remaining / whole,
            realized_total,
            position.ts_opened,
            remaining,
        )
    return ActionOutcome(after, cash, realized, fraction)
