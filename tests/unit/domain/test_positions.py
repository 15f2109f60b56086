"""A partial close takes its share of the position's cost, exactly, and writes it with no more
decimals than it needs (down to the cost's own), so the position's figures read as money."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from paperdesk.domain import Fill, Side
from paperdesk.domain.positions import Position, cost_share

DAY = datetime(2020, 1, 6, tzinfo=UTC)


def fill(side: Side, quantity: str, price: str) -> Fill:
    return Fill("O1", "AAPL", side, Decimal(quantity), Decimal(price), Decimal(0), DAY)


def test_a_partial_close_leaves_the_cost_and_pnl_at_their_own_decimals() -> None:
    bought, _ = Position("AAPL").apply(fill(Side.BUY, "5", "293.7"))
    left, realized = bought.apply(fill(Side.SELL, "2", "299.83"))
    assert (str(left.cost), str(realized), str(left.realized_pnl)) == ("881.1", "12.26", "12.26")
    assert str(left.unrealized_pnl(Decimal("317.7"))) == "72.0"  # was 72.000000000000


def test_the_share_keeps_the_costs_scale_and_rounds_only_what_does_not_end() -> None:
    assert str(cost_share(Decimal("3206.10"), Decimal(3), Decimal(10))) == "961.83"
    assert str(cost_share(Decimal("2001.00"), Decimal(1), Decimal(2))) == "1000.50"
    assert str(cost_share(Decimal("1000"), Decimal(1), Decimal(4))) == "250"
    third = cost_share(Decimal("1000"), Decimal(1), Decimal(3))
    assert str(third) == "333.333333333333"  # a third does not end: rounded at 1e-12, as before


def test_the_cash_identity_holds_after_partial_closes() -> None:
    """cash = starting cash + realized P&L - sum of costs (no fees here), exactly."""
    position, cash = Position("AAPL"), Decimal(10000)
    for side, quantity, price in (
        (Side.BUY, "7", "101.37"),
        (Side.SELL, "3", "99.5"),
        (Side.SELL, "1", "104.2"),
        (Side.BUY, "2", "100.01"),
        (Side.SELL, "4", "98.75"),
    ):
        position, _ = position.apply(fill(side, quantity, price))
        cash += (-1 if side is Side.BUY else 1) * Decimal(quantity) * Decimal(price)
        assert cash == Decimal(10000) + position.realized_pnl - position.cost_basis
