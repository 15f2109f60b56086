"""Events as JSON documents for the outbox: exact decimals as strings, times in ISO-8601 UTC."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from paperdesk.domain import (
    CashOverdrawn,
    CorporateActionApplied,
    CorporateActionTerms,
    Event,
    FeedEvent,
    FeedFailing,
    FeedRecovered,
    FeedStale,
    Fill,
    MarginCalled,
    Order,
    OrderAccepted,
    OrderCanceled,
    OrderExpired,
    OrderFilled,
    OrderModified,
    OrderRejected,
    Position,
    PositionChanged,
    PositionClosed,
    PositionOpened,
    Signal,
    SignalAccepted,
    SignalRejected,
    Trade,
)

Document = dict[str, Any]


def plain(value: object) -> object:
    """A JSON value: exact decimals as strings, times in ISO-8601, enums by value."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if hasattr(value, "value") and isinstance(getattr(value, "value", None), str | int):
        return value.value  # enums
    if isinstance(value, tuple):
        return [plain(item) for item in value]
    return value


def _fields(value: Order | Fill | Signal | Position | Trade | CorporateActionTerms) -> Document:
    return {name: plain(getattr(value, name)) for name in value._fields}


_KINDS: dict[type, str] = {
    OrderAccepted: "order.accepted",
    OrderRejected: "order.rejected",
    OrderFilled: "order.filled",
    OrderCanceled: "order.canceled",
    OrderExpired: "order.expired",
    OrderModified: "order.modified",
    SignalAccepted: "signal.accepted",
    SignalRejected: "signal.rejected",
    PositionOpened: "position.opened",
    PositionChanged: "position.changed",
    PositionClosed: "position.closed",
    CorporateActionApplied: "corporate_action.applied",
    MarginCalled: "account.margin_called",
    CashOverdrawn: "account.cash_overdrawn",
    FeedStale: "feed.stale",
    FeedFailing: "feed.failing",
    FeedRecovered: "feed.recovered",
}
FEED_KINDS = ("feed.stale", "feed.failing", "feed.recovered")


def event_kind(event: Event | FeedEvent) -> str:
    return _KINDS[type(event)]


def event_document(event: Event | FeedEvent) -> Document:
    """Every field of ``event`` (orders, fills, signals, positions and trades in full)."""
    document: Document = {"ts_event": event.ts_event.isoformat()}
    for name in event._fields:
        if name == "ts_event":
            continue
        value = getattr(event, name)
        if isinstance(value, Order | Fill | Signal | Position | Trade | CorporateActionTerms):
            document[name] = _fields(value)
        else:
            document[name] = plain(value)
    return document
