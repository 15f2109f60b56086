"""Events as JSON documents for the outbox: exact decimals as strings, times in ISO-8601 UTC."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from operator import attrgetter, methodcaller
from typing import Any, NamedTuple

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


def generic_document(event: Event | FeedEvent) -> Document:
    """``event_document`` by ``plain``'s generic tests of every value (the reference the
    dispatch is held to, and the way for a tuple whose fields are not plain attributes)."""
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


# The same documents by a dispatch on each value's exact type, decided once a type: an order
# event's document took 23 calls of ``plain``, each testing its value against Decimal, the
# times, an enum's ``value`` and tuple in turn (docs/live-speed.md, "fifteenth pass").
Convert = Callable[[Any], object]
_NESTED = (Order, Fill, Signal, Position, Trade, CorporateActionTerms)
_AS_IS = (str, int, float, bool, type(None))  # ``plain`` returns these unchanged (no ``value``)


class _Converters(dict[type, Convert | None]):
    """A value's type -> how ``plain`` converts it (None: unchanged), learned at a type's first
    value; ``nested`` also gives the whole-document conversion of ``_NESTED`` types (an
    event's own fields)."""

    def __init__(self, *, nested: bool) -> None:
        super().__init__()
        self.nested = nested

    def __missing__(self, kind: type) -> Convert | None:
        convert = _converter(kind, nested=self.nested)
        self[kind] = convert
        return convert


def _converter(kind: type, *, nested: bool) -> Convert | None:
    """``plain``'s branch for values of exactly ``kind``, in ``plain``'s order of tests."""
    if nested and issubclass(kind, _NESTED):
        return _tuple_document(kind, _PLAIN, _fields)
    if issubclass(kind, Decimal):
        return str
    if issubclass(kind, datetime | date):
        return methodcaller("isoformat")
    if kind in _AS_IS:
        return None
    if issubclass(kind, Enum) and all(isinstance(member.value, str | int) for member in kind):
        return attrgetter("value")
    return plain  # anything else (tuples, other enums) by ``plain`` itself


class _Item(NamedTuple):
    value: object  # its attribute's type: how a named tuple's own field is read


_OWN_FIELD = type(_Item.value)


def _tuple_document(
    kind: type, converters: _Converters, generic: Convert, *, timed: bool = False
) -> Convert:
    """A named tuple type's document, its fields converted by ``converters`` in field order
    (``timed``: an event's, its first field ``ts_event`` in ISO-8601 and the others by
    ``converters``); ``generic`` when a field is not the tuple's own item (an overriding
    property) or an event's first field is not its time."""
    names: tuple[str, ...] = getattr(kind, "_fields", ())
    if not all(type(getattr(kind, name, None)) is _OWN_FIELD for name in names) or (
        timed and names[:1] != ("ts_event",)
    ):
        return generic
    rest = names[1:] if timed else names

    def document(value: Any) -> Document:
        items = iter(value)
        built: Document = {"ts_event": next(items).isoformat()} if timed else {}
        for name, item in zip(rest, items, strict=True):
            convert = converters[type(item)]
            built[name] = item if convert is None else convert(item)
        return built

    return document


_PLAIN = _Converters(nested=False)
_EVENT_FIELDS = _Converters(nested=True)
_EVENTS: dict[type, Convert] = {}


def event_document(event: Event | FeedEvent) -> Document:
    """Every field of ``event`` (orders, fills, signals, positions and trades in full), as
    ``generic_document`` gives it, by each value's type (decided once a type)."""
    kind = type(event)
    document = _EVENTS.get(kind)
    if document is None:
        document = _EVENTS[kind] = _tuple_document(
            kind, _EVENT_FIELDS, generic_document, timed=True
        )
    return document(event)  # type: ignore[return-value]
