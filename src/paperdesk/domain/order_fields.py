"""The rules every order and intent follows: the check of the fields that make an order
impossible, an intent resized, a quantity rounded to whole lots, and the words a fill of an
order closes a position with (their own module so that the compiled build compiles them:
``paperdesk/native.py``)."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any, Final, TypeVar

from paperdesk.domain.enums import OrderRole, OrderType
from paperdesk.domain.errors import InvalidInputError
from paperdesk.domain.money import INTEGRAL_DOWN, ZERO

if TYPE_CHECKING:  # ``domain/orders.py`` imports this module
    from paperdesk.domain.orders import Order

# Enum member lookups cost a metaclass call each; these run for every order and intent.
_LIMIT: Final = OrderType.LIMIT
_STOP: Final = OrderType.STOP
_STOP_LIMIT: Final = OrderType.STOP_LIMIT
_ZERO: Final = ZERO  # compiled, a C static
# The last lot ``whole_lots`` found positive: a Decimal is immutable, so it stays positive.
_last_lot: Final[list[Decimal]] = [Decimal(1)]
_Intent = TypeVar("_Intent", bound=tuple[Any, ...])
# An OrderIntent's fields by position (``domain/orders.py`` asserts the layout).
_SYMBOL: Final = 0
_QUANTITY: Final = 2
_ORDER_TYPE: Final = 3
_LIMIT_PRICE: Final = 4
_STOP_PRICE: Final = 5
_SIZE_FRACTION: Final = 10


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
    if quantity < _ZERO or (quantity == _ZERO and not allow_zero):
        raise InvalidInputError(f"order quantity must be positive, got {quantity}")
    needs_limit = order_type is _LIMIT or order_type is _STOP_LIMIT
    needs_stop = order_type is _STOP or order_type is _STOP_LIMIT
    if needs_limit and (limit_price is None or limit_price <= _ZERO):
        raise InvalidInputError(_price_needed(order_type, "limit", limit_price))
    if needs_stop and (stop_price is None or stop_price <= _ZERO):
        raise InvalidInputError(_price_needed(order_type, "stop", stop_price))


def _price_needed(order_type: OrderType, which: str, given: Decimal | None) -> str:
    """``a limit order needs a limit price; none was given`` (it said ``got None``)."""
    got = "none was given" if given is None else f"got {given}"
    return f"a {order_type.value} order needs a positive {which} price; {got}"


def whole_lots(quantity: Decimal, lot: Decimal) -> Decimal:
    """``quantity``'s magnitude rounded down to whole steps of ``lot``, keeping its sign
    (``Instrument.round_quantity``, which the compiled kernel calls here without the
    interpreted method's frame)."""
    positive = lot is _last_lot[0]
    if not positive and lot > _ZERO:
        _last_lot[0] = lot
        positive = True
    # a division's quotient is no sNaN: a bound context method, no argument parser
    magnitude = INTEGRAL_DOWN(abs(quantity) / lot) * lot if positive else abs(quantity)
    return magnitude if quantity >= _ZERO else -magnitude


def intent_with_quantity(intent: _Intent, quantity: Decimal) -> _Intent:
    """``OrderIntent.with_quantity``: ``intent`` for ``quantity``, checked as a new intent is
    (compiled, for the router and the risk rules, which resize an entry at each fill)."""
    validate_order_fields(
        intent[_SYMBOL],
        quantity,
        intent[_ORDER_TYPE],
        intent[_LIMIT_PRICE],
        intent[_STOP_PRICE],
        allow_zero=intent[_SIZE_FRACTION] is not None,
    )
    fields = list(intent)
    fields[_QUANTITY] = quantity
    return tuple.__new__(type(intent), fields)


# an exit's words by role, read from tables (``role.value`` is an enum property: a Python frame)
_LEG_EXIT_REASONS: Final = {
    role: role.value.replace("_", "-") for role in (OrderRole.STOP_LOSS, OrderRole.TAKE_PROFIT)
}
_ROLE_WORDS: Final = {role: role.value for role in OrderRole}


def exit_reason(order: Order) -> str:
    """Why a fill of ``order`` closes a position (the round trip's exit reason): a bracket leg's
    role in words (``stop-loss``, ``take-profit``), else the order's reason or its role."""
    return exit_reason_of(order.role, order.reason)


def exit_reason_of(role: OrderRole, reason: str) -> str:
    """``exit_reason`` of an order with ``role`` and ``reason``."""
    leg = _LEG_EXIT_REASONS.get(role)
    if leg is not None:
        return leg
    return reason or _ROLE_WORDS[role]
