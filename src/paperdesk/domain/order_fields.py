"""The check every order and intent passes: the one rule for which fields make an order
impossible (its own module so that the compiled build compiles it: ``paperdesk/native.py``)."""

from __future__ import annotations

from decimal import Decimal

from paperdesk.domain.enums import OrderType
from paperdesk.domain.errors import InvalidInputError


def validate_order_fields(
    symbol: str,
    quantity: Decimal,
    order_type: OrderType,
    limit_price: Decimal | None,
    stop_price: Decimal | None,
    allow_zero: bool = False,
) -> None:
    """Raise InvalidInputError naming the first field that makes an order impossible."""
    if not symbol:
        raise InvalidInputError("order symbol must not be empty")
    if quantity < 0 or (quantity == 0 and not allow_zero):
        raise InvalidInputError(f"order quantity must be positive, got {quantity}")
    needs_limit = order_type is OrderType.LIMIT or order_type is OrderType.STOP_LIMIT
    needs_stop = order_type is OrderType.STOP or order_type is OrderType.STOP_LIMIT
    if needs_limit and (limit_price is None or limit_price <= 0):
        raise InvalidInputError(_price_needed(order_type, "limit", limit_price))
    if needs_stop and (stop_price is None or stop_price <= 0):
        raise InvalidInputError(_price_needed(order_type, "stop", stop_price))


def _price_needed(order_type: OrderType, which: str, given: Decimal | None) -> str:
    """``a limit order needs a limit price; none was given`` (it said ``got None``)."""
    got = "none was given" if given is None else f"got {given}"
    return f"a {order_type.value} order needs a positive {which} price; {got}"
