"""Immutable events: every state change the engine makes is told as one of these."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import NamedTuple, TypeAlias, TypeVar

from paperdesk.domain.accounts import CashCheck
from paperdesk.domain.corporate_actions import CorporateActionTerms
from paperdesk.domain.fills import Fill
from paperdesk.domain.orders import Order
from paperdesk.domain.portfolio import Trade
from paperdesk.domain.positions import Position
from paperdesk.domain.signals import Signal

_Kind = TypeVar("_Kind", bound=tuple[object, ...])


def _same_event(event: tuple[object, ...], other: object) -> bool:
    return type(event) is type(other) and tuple.__eq__(event, other)


def _different_event(event: tuple[object, ...], other: object) -> bool:
    return not _same_event(event, other)


def _event_hash(event: tuple[object, ...]) -> int:
    return hash((type(event).__name__, tuple.__hash__(event)))


def _distinct_kind(cls: type[_Kind]) -> type[_Kind]:
    """Make events equal only to events of the same kind, not to any tuple of equal fields."""
    cls.__eq__ = _same_event  # type: ignore[method-assign]
    cls.__ne__ = _different_event  # type: ignore[method-assign, assignment]
    cls.__hash__ = _event_hash  # type: ignore[method-assign, assignment]
    return cls


@_distinct_kind
class OrderAccepted(NamedTuple):
    ts_event: datetime
    order: Order
    ts_eligible: datetime | None = None  # the first bar open it may trade at (None: ts_event)


@_distinct_kind
class OrderRejected(NamedTuple):
    ts_event: datetime
    order: Order
    reason: str


@_distinct_kind
class OrderFilled(NamedTuple):
    ts_event: datetime
    order: Order  # the order after this fill
    fill: Fill


@_distinct_kind
class OrderCanceled(NamedTuple):
    ts_event: datetime
    order: Order
    reason: str = ""


@_distinct_kind
class OrderExpired(NamedTuple):
    ts_event: datetime
    order: Order


@_distinct_kind
class OrderModified(NamedTuple):
    ts_event: datetime
    order: Order
    ts_eligible: datetime | None = None  # from when the change applies (None: ts_event)
    reason: str = ""  # why the engine changed it (an entry trimmed to what the account allows)


@_distinct_kind
class SignalRejected(NamedTuple):
    ts_event: datetime
    signal: Signal
    reason: str


@_distinct_kind
class SignalAccepted(NamedTuple):
    ts_event: datetime
    signal: Signal
    notes: tuple[str, ...] = ()  # what the router changed (a trimmed quantity...)


@_distinct_kind
class PositionOpened(NamedTuple):
    ts_event: datetime
    position: Position  # the position the fill opened (or reversed into)


@_distinct_kind
class PositionChanged(NamedTuple):
    ts_event: datetime
    position: Position  # after the fill that added to or reduced it
    realized_pnl: Decimal  # what that fill realized (before fees)


@_distinct_kind
class PositionClosed(NamedTuple):
    ts_event: datetime
    position: Position  # flat, with the symbol's realized P&L
    trade: Trade  # the round trip the fill completed


@_distinct_kind
class CorporateActionApplied(NamedTuple):
    """A split or dividend booked on a held position, before any fill of the ex-date's bar."""

    ts_event: datetime
    action: CorporateActionTerms
    position: Position  # after the action (flat when a reverse split left only a fraction)
    quantity_before: Decimal
    average_price_before: Decimal
    cash: Decimal  # credited (+) or debited (-): the dividend, or the fraction paid in cash
    realized_pnl: Decimal  # the dividend, or the fraction's cash minus its cost
    trade: Trade | None = None  # the round trip a reverse split closed (only a fraction left)


@_distinct_kind
class MarginCalled(NamedTuple):
    """Equity fell below the maintenance requirement at a bar's close; ``symbols`` are the
    positions sent to liquidation (market exits for the next price), in the order chosen."""

    ts_event: datetime
    equity: Decimal
    requirement: Decimal
    symbols: tuple[str, ...]
    reason: str


@_distinct_kind
class CashOverdrawn(NamedTuple):
    """A fill took cash below zero (an exit's fee, or any fill with ``cash_check=off``)."""

    ts_event: datetime
    order_id: str
    symbol: str
    cash: Decimal  # cash after the fill
    reason: str
    # the account's cash check when it happened; None: an event recorded before it was carried
    cash_check: CashCheck | None = None


AccountEvent: TypeAlias = MarginCalled | CashOverdrawn


@_distinct_kind
class FeedStale(NamedTuple):
    """A live portfolio's feed of ``symbol`` lacks a bar its calendar says has closed, for
    longer than the portfolio's ``stale_after``: its strategies are trading on old prices."""

    ts_event: datetime
    symbol: str
    timeframe: str
    last_bar_close: datetime | None  # the newest stored closed bar's close (None: no bar yet)
    age_seconds: Decimal  # ts_event - last_bar_close (0 when there is no bar)
    reason: str


@_distinct_kind
class FeedFailing(NamedTuple):
    """Every price provider failed to serve a live portfolio's ``symbol`` (outage, rate limit,
    bad answers): nothing new can arrive until one recovers."""

    ts_event: datetime
    symbol: str
    timeframe: str
    last_bar_close: datetime | None
    age_seconds: Decimal
    reason: str


@_distinct_kind
class FeedRecovered(NamedTuple):
    """The feed of ``symbol`` is current again after being stale or failing."""

    ts_event: datetime
    symbol: str
    timeframe: str
    last_bar_close: datetime | None
    age_seconds: Decimal
    reason: str


FeedEvent: TypeAlias = FeedStale | FeedFailing | FeedRecovered
"""A change of a live feed's health (not part of ``Event``: the kernel never makes one)."""

Event: TypeAlias = (
    OrderAccepted
    | OrderRejected
    | OrderFilled
    | OrderCanceled
    | OrderExpired
    | OrderModified
    | SignalRejected
    | SignalAccepted
    | PositionOpened
    | PositionChanged
    | PositionClosed
    | CorporateActionApplied
    | MarginCalled
    | CashOverdrawn
)
OrderEvent: TypeAlias = (
    OrderAccepted | OrderRejected | OrderFilled | OrderCanceled | OrderExpired | OrderModified
)
PositionEvent: TypeAlias = PositionOpened | PositionChanged | PositionClosed
"""Any event; ``isinstance(value, Event)`` works as with a base class."""
