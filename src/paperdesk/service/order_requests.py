"""A manual order as a person or a script asks for it (light: the CLI builds one before any
service loads)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from paperdesk.domain import OrderType, Side, TimeInForce


@dataclass(frozen=True, slots=True)
class OrderRequest:
    """A manual order, as a person or a script asks for it."""

    symbol: str
    side: Side
    quantity: Decimal
    order_type: OrderType = OrderType.MARKET
    limit_price: Decimal | None = None
    stop_price: Decimal | None = None
    time_in_force: TimeInForce = TimeInForce.GTC
    stop_loss: Decimal | None = None
    take_profit: Decimal | None = None
    client_order_id: str | None = None
    reason: str = "manual order"
    strategy: str = "manual"  # who placed it: "manual", or "plan" for a trade plan's rows
