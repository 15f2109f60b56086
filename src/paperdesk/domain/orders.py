"""Orders and the intents the router emits before an order exists."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import NamedTuple

from paperdesk.domain.enums import OrderRole, OrderStatus, OrderType, Side, TimeInForce
from paperdesk.domain.money import ZERO
from paperdesk.domain.order_fields import exit_reason as exit_reason
from paperdesk.domain.order_fields import intent_with_quantity, validate_order_fields

_GTC, _ENTRY, _ACCEPTED = TimeInForce.GTC, OrderRole.ENTRY, OrderStatus.ACCEPTED
_MARKET = OrderType.MARKET


class _IntentFields(NamedTuple):
    symbol: str
    side: Side
    quantity: Decimal
    order_type: OrderType = _MARKET
    limit_price: Decimal | None = None
    stop_price: Decimal | None = None
    time_in_force: TimeInForce = _GTC
    role: OrderRole = _ENTRY
    stop_loss: Decimal | None = None
    take_profit: Decimal | None = None
    size_fraction: Decimal | None = None
    strategy: str = ""
    reason: str = ""


# compiled readers take an intent's fields by position (domain/order_fields.py,
# execution/orders_from_intents.py): its layout is this one
_INTENT_LAYOUT = (
    "symbol",
    "side",
    "quantity",
    "order_type",
    "limit_price",
    "stop_price",
    "time_in_force",
    "role",
    "stop_loss",
    "take_profit",
    "size_fraction",
    "strategy",
    "reason",
)
if _IntentFields._fields != _INTENT_LAYOUT:
    raise RuntimeError(  # pragma: no cover
        "OrderIntent's field layout changed: update the positions its compiled readers use"
    )


class OrderIntent(_IntentFields):
    """What the router wants the order book to submit.

    ``size_fraction`` set means the quantity is decided when the order fills, as that fraction of
    the equity available then (all-in sizing at the fill price); ``quantity`` is then the estimate
    made at signal time, used by risk checks.
    """

    __slots__ = ()

    def __new__(
        cls,
        symbol: str,
        side: Side,
        quantity: Decimal,
        order_type: OrderType = _MARKET,
        limit_price: Decimal | None = None,
        stop_price: Decimal | None = None,
        time_in_force: TimeInForce = _GTC,
        role: OrderRole = _ENTRY,
        stop_loss: Decimal | None = None,
        take_profit: Decimal | None = None,
        size_fraction: Decimal | None = None,
        strategy: str = "",
        reason: str = "",
    ) -> OrderIntent:
        validate_order_fields(
            symbol,
            quantity,
            order_type,
            limit_price,
            stop_price,
            allow_zero=size_fraction is not None,
        )
        return super().__new__(
            cls,
            symbol,
            side,
            quantity,
            order_type,
            limit_price,
            stop_price,
            time_in_force,
            role,
            stop_loss,
            take_profit,
            size_fraction,
            strategy,
            reason,
        )

    def with_quantity(self, quantity: Decimal) -> OrderIntent:
        # ``_replace`` by position (compiled; no keyword mapping over 13 fields)
        return intent_with_quantity(self, quantity)


def misplaced_bracket_legs(
    side: Side, entry: Decimal, stop_loss: Decimal | None, take_profit: Decimal | None
) -> list[tuple[str, Decimal, str]]:
    """The bracket legs on the wrong side of ``entry``, each as (field, price, the side it must
    lie on): a buy's stop-loss below its entry and its take-profit above, a sell's the other way
    round (a leg on the wrong side would trigger at once and close the trade at a loss)."""
    buy = side is Side.BUY
    misplaced: list[tuple[str, Decimal, str]] = []
    legs = (("stop_loss", stop_loss, buy), ("take_profit", take_profit, not buy))
    for name, price, below in legs:
        if price is not None and not (price < entry if below else price > entry):
            misplaced.append((name, price, "below" if below else "above"))
    return misplaced


class _OrderFields(NamedTuple):
    order_id: str
    client_order_id: str
    symbol: str
    side: Side
    order_type: OrderType
    quantity: Decimal
    ts_submitted: datetime
    limit_price: Decimal | None = None
    stop_price: Decimal | None = None
    time_in_force: TimeInForce = _GTC
    role: OrderRole = _ENTRY
    parent_id: str | None = None
    status: OrderStatus = _ACCEPTED
    filled_quantity: Decimal = ZERO
    average_price: Decimal | None = None
    triggered: bool = False  # a stop-limit whose stop has been touched
    ts_expire: datetime | None = None
    ts_updated: datetime | None = None
    size_fraction: Decimal | None = None
    strategy: str = ""
    reason: str = ""
    children: tuple[str, ...] = ()


class Order(_OrderFields):
    """An order's state at one moment. Changes produce a new Order (see ``evolve``).

    The constructor and ``evolve`` validate; the order book copies with ``_replace`` (and
    builds with ``_make``) only where the fields it changes keep an order valid.
    """

    __slots__ = ()

    def __new__(
        cls,
        order_id: str,
        client_order_id: str,
        symbol: str,
        side: Side,
        order_type: OrderType,
        quantity: Decimal,
        ts_submitted: datetime,
        limit_price: Decimal | None = None,
        stop_price: Decimal | None = None,
        time_in_force: TimeInForce = _GTC,
        role: OrderRole = _ENTRY,
        parent_id: str | None = None,
        status: OrderStatus = _ACCEPTED,
        filled_quantity: Decimal = ZERO,
        average_price: Decimal | None = None,
        triggered: bool = False,
        ts_expire: datetime | None = None,
        ts_updated: datetime | None = None,
        size_fraction: Decimal | None = None,
        strategy: str = "",
        reason: str = "",
        children: tuple[str, ...] = (),
    ) -> Order:
        validate_order_fields(
            symbol,
            quantity,
            order_type,
            limit_price,
            stop_price,
            allow_zero=size_fraction is not None,
        )
        return super().__new__(
            cls,
            order_id,
            client_order_id,
            symbol,
            side,
            order_type,
            quantity,
            ts_submitted,
            limit_price,
            stop_price,
            time_in_force,
            role,
            parent_id,
            status,
            filled_quantity,
            average_price,
            triggered,
            ts_expire,
            ts_updated,
            size_fraction,
            strategy,
            reason,
            children,
        )

    @property
    def remaining(self) -> Decimal:
        return self.quantity - self.filled_quantity

    @property
    def is_open(self) -> bool:
        return self.status.is_open

    def evolve(self, **changes: object) -> Order:
        """A copy with ``changes``, validated like a new order."""
        changed = self._replace(**changes)  # type: ignore[arg-type]
        validate_order_fields(
            changed.symbol,
            changed.quantity,
            changed.order_type,
            changed.limit_price,
            changed.stop_price,
            allow_zero=changed.size_fraction is not None,
        )
        return changed


def order_number(order_id: str) -> int:
    """The number in an order id (``O17`` -> 17), which orders the book by submission."""
    digits = "".join(ch for ch in order_id if ch.isdigit())
    return int(digits) if digits else 0
