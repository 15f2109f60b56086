"""An order as the book keeps it while it works: a mutable record changed in place.

The public ``Order`` is an immutable 22-field record; the book used to copy it at every change of
state (a fill, a resize, a leg activated, a cancel), and the copies and their deallocation were
a large part of a backtest's time (docs/kernel-speed.md, "Stage 1 on lazy result orders"). The
book now keeps one ``LiveOrder`` per order, changes it in place and builds the ``Order`` only
when a reader asks (``snapshot``: an event, a query, the result), cached until the next change.
Compiled by mypyc, the venue, the scan and the kernel read its fields as C struct members.

The fields are ``Order``'s, by the same names; every change goes through a method here, which
drops the cached snapshot.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Final

from paperdesk.domain import (
    Fill,
    Order,
    OrderFilled,
    OrderRole,
    OrderStatus,
    OrderType,
    Side,
    TimeInForce,
)
from paperdesk.domain.field_positions import FILL_TS
from paperdesk.domain.trusted import trusted_maker

_order: Final = trusted_maker(Order)
_filled: Final = trusted_maker(OrderFilled)  # (ts_event, order, fill)


class LiveOrder:
    """One order's current state in the book (``Order``'s fields), changed in place."""

    def __init__(
        self,
        order_id: str,
        client_order_id: str,
        symbol: str,
        side: Side,
        order_type: OrderType,
        quantity: Decimal,
        ts_submitted: datetime,
        limit_price: Decimal | None,
        stop_price: Decimal | None,
        time_in_force: TimeInForce,
        role: OrderRole,
        parent_id: str | None,
        status: OrderStatus,
        filled_quantity: Decimal,
        average_price: Decimal | None,
        triggered: bool,
        ts_expire: datetime | None,
        ts_updated: datetime | None,
        size_fraction: Decimal | None,
        strategy: str,
        reason: str,
        children: tuple[str, ...],
    ) -> None:
        """A record of ``Order``'s fields, in its order (a quiet book builds its records from
        the intent: the ``Order`` only when a reader asks)."""
        self.order_id = order_id
        self.client_order_id = client_order_id
        self.symbol = symbol
        self.side = side
        self.order_type = order_type
        self.quantity = quantity
        self.ts_submitted = ts_submitted
        self.limit_price = limit_price
        self.stop_price = stop_price
        self.time_in_force = time_in_force
        self.role = role
        self.parent_id = parent_id
        self.status = status
        self.filled_quantity = filled_quantity
        self.average_price = average_price
        self.triggered = triggered
        self.ts_expire = ts_expire
        self.ts_updated = ts_updated
        self.size_fraction = size_fraction
        self.strategy = strategy
        self.reason = reason
        self.children = children
        self._snapshot: Order | None = None

    # the fields' types, declared for mypyc (native attributes)
    order_id: str
    client_order_id: str
    symbol: str
    side: Side
    order_type: OrderType
    quantity: Decimal
    ts_submitted: datetime
    limit_price: Decimal | None
    stop_price: Decimal | None
    time_in_force: TimeInForce
    role: OrderRole
    parent_id: str | None
    status: OrderStatus
    filled_quantity: Decimal
    average_price: Decimal | None
    triggered: bool
    ts_expire: datetime | None
    ts_updated: datetime | None
    size_fraction: Decimal | None
    strategy: str
    reason: str
    children: tuple[str, ...]

    def snapshot(self) -> Order:
        """The public ``Order`` of this state (built once per state)."""
        snapshot = self._snapshot
        if snapshot is None:
            snapshot = self._snapshot = _order(
                (
                    self.order_id,
                    self.client_order_id,
                    self.symbol,
                    self.side,
                    self.order_type,
                    self.quantity,
                    self.ts_submitted,
                    self.limit_price,
                    self.stop_price,
                    self.time_in_force,
                    self.role,
                    self.parent_id,
                    self.status,
                    self.filled_quantity,
                    self.average_price,
                    self.triggered,
                    self.ts_expire,
                    self.ts_updated,
                    self.size_fraction,
                    self.strategy,
                    self.reason,
                    self.children,
                )
            )
        return snapshot

    @property
    def is_open(self) -> bool:
        return self.status.is_open

    def fill(self, status: OrderStatus, filled: Decimal, average: Decimal, ts: datetime) -> None:
        """After a fill: its status, filled quantity and average price from ``ts``."""
        self.status = status
        self.filled_quantity = filled
        self.average_price = average
        self.ts_updated = ts
        self._snapshot = None

    def resize(
        self,
        quantity: Decimal,
        ts: datetime | None = None,
        status: OrderStatus | None = None,
    ) -> None:
        """For ``quantity`` (from ``ts`` when given; a resize at a fill keeps its time), with
        ``status`` when given (a pending leg activated)."""
        self.quantity = quantity
        if ts is not None:
            self.ts_updated = ts
        if status is not None:
            self.status = status
        self._snapshot = None

    def close(self, status: OrderStatus, ts: datetime) -> None:
        """Canceled or expired at ``ts``."""
        self.status = status
        self.ts_updated = ts
        self._snapshot = None

    def trigger(self, ts: datetime) -> None:
        """A stop-limit's stop touched at ``ts``: it rests as a limit from now on."""
        self.triggered = True
        self.ts_updated = ts
        self._snapshot = None


def live_order(order: Order) -> LiveOrder:
    """The record of ``order``, whose snapshot is ``order`` itself until the first change."""
    (order_id, client_order_id, symbol, side, order_type, quantity, ts_submitted, limit_price,
     stop_price, time_in_force, role, parent_id, status, filled_quantity, average_price,
     triggered, ts_expire, ts_updated, size_fraction, strategy, reason,
     children) = order  # fmt: skip
    record = LiveOrder(
        order_id, client_order_id, symbol, side, order_type, quantity, ts_submitted, limit_price,
        stop_price, time_in_force, role, parent_id, status, filled_quantity, average_price,
        triggered, ts_expire, ts_updated, size_fraction, strategy, reason, children,
    )  # fmt: skip
    record._snapshot = order
    return record


class BookedFill:
    """A fill a quiet book (a backtest's) booked, as a venue's step: the order's record and the
    fill, for the kernel to book in its ledger; the ``OrderFilled`` event a loud book gives
    instead is built only when asked (``event``)."""

    def __init__(self, order: LiveOrder, fill: Fill) -> None:
        self.order = order
        self.fill = fill

    def event(self) -> OrderFilled:
        """The ``OrderFilled`` of this fill, with the order as it is now."""
        return _filled((self.fill[FILL_TS], self.order.snapshot(), self.fill))
