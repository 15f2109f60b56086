"""Outbox entries as Alpaca ``trade_updates`` messages (pure: no socket, no database).

paperdesk event -> Alpaca event: ``order.accepted`` -> ``new``; ``order.filled`` -> ``fill``
(or ``partial_fill`` while the order stays open) with the fill's ``price`` and ``qty`` and the
position after it (``position_qty``, from the position event of the same transaction);
``order.canceled`` -> ``canceled``; ``order.expired`` -> ``expired``; ``order.rejected`` ->
``rejected``; ``order.modified`` -> ``replaced``. Prices and quantities stay decimal strings.
An order accepted while its market is closed (at the event's time, the portfolio's clock then)
is announced as Alpaca announces an order queued for the open: event ``accepted``, its order
``accepted`` (received, not routed yet; ``mapping.order_status``).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from typing import Any

from paperdesk.api.alpaca.mapping import (
    QUEUED,
    Document,
    execution_uuid,
    order_document,
    order_status,
)
from paperdesk.api.times import utc_text
from paperdesk.domain import Order, OrderRole, OrderStatus, OrderType, Side, TimeInForce
from paperdesk.domain.records import OutboxEntry

EVENTS = {
    "order.accepted": "new",
    "order.canceled": "canceled",
    "order.expired": "expired",
    "order.rejected": "rejected",
    "order.modified": "replaced",
}


def _decimal(value: Any) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def _time(value: Any) -> datetime | None:
    return None if value is None else datetime.fromisoformat(str(value))


def order_of(document: dict[str, Any]) -> Order:
    """The order an outbox document describes (``event_documents``: every field, decimals as
    strings, times in ISO-8601)."""
    quantity = _decimal(document["quantity"])
    submitted = _time(document["ts_submitted"])
    assert quantity is not None
    assert submitted is not None
    return Order(
        order_id=str(document["order_id"]),
        client_order_id=str(document["client_order_id"]),
        symbol=str(document["symbol"]),
        side=Side(document["side"]),
        order_type=OrderType(document["order_type"]),
        quantity=quantity,
        ts_submitted=submitted,
        limit_price=_decimal(document.get("limit_price")),
        stop_price=_decimal(document.get("stop_price")),
        time_in_force=TimeInForce(document.get("time_in_force", "gtc")),
        role=OrderRole(document.get("role", "entry")),
        parent_id=document.get("parent_id"),
        status=OrderStatus(document["status"]),
        filled_quantity=_decimal(document.get("filled_quantity")) or Decimal(0),
        average_price=_decimal(document.get("average_price")),
        triggered=bool(document.get("triggered", False)),
        ts_expire=_time(document.get("ts_expire")),
        ts_updated=_time(document.get("ts_updated")),
        size_fraction=_decimal(document.get("size_fraction")),
        strategy=str(document.get("strategy", "")),
        reason=str(document.get("reason", "")),
        children=tuple(document.get("children") or ()),
    )


def trade_update_messages(
    portfolio_id: int,
    entries: list[OutboxEntry],
    closed_at: Callable[[str, datetime], bool] | None = None,
) -> list[Document]:
    """The ``trade_updates`` messages of ``entries`` (order and position events, in sequence
    order); position events only lend their quantity to the fill before them. ``closed_at``
    tells whether a symbol's market is closed at a time (none is without it)."""
    messages: list[Document] = []
    for index, entry in enumerate(entries):
        if not entry.kind.startswith("order.") or "order" not in entry.payload:
            continue
        order = order_of(entry.payload["order"])
        moment = entry.ts_event

        def closed(symbol: str, moment: datetime = moment) -> bool:
            return closed_at is not None and closed_at(symbol, moment)

        event = EVENTS.get(entry.kind, "fill")
        if entry.kind == "order.accepted" and order_status(order, closed) == QUEUED:
            event = QUEUED
        data: Document = {
            "event": event,
            "timestamp": utc_text(entry.ts_event),
            "order": order_document(portfolio_id, order, closed=closed),
            "paperdesk_sequence": entry.sequence,
        }
        if entry.kind == "order.filled":
            fill = entry.payload.get("fill", {})
            data["event"] = "partial_fill" if order.status.is_open else "fill"
            data["execution_id"] = execution_uuid(portfolio_id, entry.sequence)
            data["price"] = fill.get("price")
            data["qty"] = fill.get("quantity")
            position = _position_after(entries[index + 1 :], order.symbol)
            if position is not None:
                data["position_qty"] = position
        messages.append({"stream": "trade_updates", "data": data})
    return messages


def _position_after(later: list[OutboxEntry], symbol: str) -> str | None:
    """The quantity of ``symbol``'s position in the first position event after a fill (the
    same transaction writes it right after the fill)."""
    for entry in later:
        if entry.kind == "order.filled":  # the next fill: this one moved no position
            return None
        position = entry.payload.get("position")
        if entry.kind.startswith("position.") and position and position["symbol"] == symbol:
            return str(position["quantity"])
    return None
