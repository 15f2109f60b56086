"""Orders and the intents the router emits before an order exists."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from decimal import Decimal

from paperdesk.domain.enums import OrderRole, OrderStatus, OrderType, Side, TimeInForce
from paperdesk.domain.errors import InvalidInputError
from paperdesk.domain.money import ZERO


@dataclass(frozen=True, slots=True)
class OrderIntent:
    """What the router wants the order manager to submit.

    ``size_fraction`` set means the quantity is decided when the order fills, as that fraction of
    the equity available then (all-in sizing at the fill price); ``quantity`` is then the estimate
    made at signal time, used by risk checks.
    """

    symbol: str
    side: Side
    quantity: Decimal
    order_type: OrderType = OrderType.MARKET
    limit_price: Decimal | None = None
    stop_price: Decimal | None = None
    time_in_force: TimeInForce = TimeInForce.GTC
    role: OrderRole = OrderRole.ENTRY
    stop_loss: Decimal | None = None
    take_profit: Decimal | None = None
    size_fraction: Decimal | None = None
    strategy: str = ""
    reason: str = ""

    def __post_init__(self) -> None:
        validate_order_fields(
            self.symbol,
            self.quantity,
            self.order_type,
            self.limit_price,
            self.stop_price,
            allow_zero=self.size_fraction is not None,
        )

    def with_quantity(self, quantity: Decimal) -> OrderIntent:
        return replace(self, quantity=quantity)


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
    needs_limit = order_type in (OrderType.LIMIT, OrderType.STOP_LIMIT)
    needs_stop = order_type in (OrderType.STOP, OrderType.STOP_LIMIT)
    if needs_limit and (limit_price is None or limit_price <= 0):
        raise InvalidInputError(
            f"{order_type.value} order needs a positive limit price, got {limit_price}"
        )
    if needs_stop and (stop_price is None or stop_price <= 0):
        raise InvalidInputError(
            f"{order_type.value} order needs a positive stop price, got {stop_price}"
        )


@dataclass(frozen=True, slots=True)
class Order:
    """An order's state at one moment. Changes produce a new Order (see ``evolve``)."""

    order_id: str
    client_order_id: str
    symbol: str
    side: Side
    order_type: OrderType
    quantity: Decimal
    ts_submitted: datetime
    limit_price: Decimal | None = None
    stop_price: Decimal | None = None
    time_in_force: TimeInForce = TimeInForce.GTC
    role: OrderRole = OrderRole.ENTRY
    parent_id: str | None = None
    status: OrderStatus = OrderStatus.ACCEPTED
    filled_quantity: Decimal = ZERO
    average_price: Decimal | None = None
    triggered: bool = False  # a stop-limit whose stop has been touched
    ts_expire: datetime | None = None
    ts_updated: datetime | None = None
    size_fraction: Decimal | None = None
    strategy: str = ""
    reason: str = ""
    children: tuple[str, ...] = field(default_factory=tuple)

    def __post_init__(self) -> None:
        validate_order_fields(
            self.symbol,
            self.quantity,
            self.order_type,
            self.limit_price,
            self.stop_price,
            allow_zero=self.size_fraction is not None,
        )

    @property
    def remaining(self) -> Decimal:
        return self.quantity - self.filled_quantity

    @property
    def is_open(self) -> bool:
        return self.status.is_open

    def evolve(self, **changes: object) -> Order:
        return replace(self, **changes)  # type: ignore[arg-type]
