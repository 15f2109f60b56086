"""What the ledger holds, as values: the store reads rows and returns these, never rows."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any, NamedTuple

from paperdesk.domain.fills import Fill
from paperdesk.domain.orders import Order
from paperdesk.domain.portfolio import trade_direction


@dataclass(frozen=True, slots=True)
class PortfolioRecord:
    """A portfolio's stored totals and settings (the run description as JSON)."""

    id: int
    name: str
    base_currency: str
    starting_cash: Decimal
    cash: Decimal
    fees_paid: Decimal
    realized_pnl: Decimal
    status: str
    settings: Mapping[str, Any]
    order_sequence: int
    ts_created: datetime
    ts_archived: datetime | None = None
    # bumped by every transaction that changes what a restore reads (a cache checks it)
    revision: int = 0

    @property
    def active(self) -> bool:
        return self.status == "active"


class AccountState(NamedTuple):
    """The totals a portfolio row keeps, as the kernel holds them after a unit of work."""

    cash: Decimal
    fees_paid: Decimal
    realized_pnl: Decimal
    order_sequence: int


class WorkingOrder(NamedTuple):
    """A stored order and the first bar open at which it may trade."""

    order: Order
    ts_eligible: datetime


class FillRecord(NamedTuple):
    """A stored fill with the strategy it belongs to and why it closed (for round trips)."""

    fill: Fill
    strategy: str
    reason: str
    id: int = 0


@dataclass(frozen=True, slots=True)
class CursorRecord:
    """Where a portfolio stands in one symbol's bars: the last bar matched and its close."""

    symbol: str
    timeframe: str
    ts_bar: datetime | None
    ts_bar_close: datetime | None
    bar_index: int | None
    last_price: Decimal | None
    replay_index: int | None


@dataclass(frozen=True, slots=True)
class SignalView:
    id: int
    strategy: str
    symbol: str
    ts_bar: datetime
    direction: int
    confidence: float
    stop: Decimal | None
    target: Decimal | None
    reason: str
    status: str
    rejection: str | None


@dataclass(frozen=True, slots=True)
class AuditView:
    id: int
    ts_recorded: datetime
    ts_event: datetime
    kind: str
    message: str
    details: dict[str, Any]
    tick_id: int | None


@dataclass(frozen=True, slots=True)
class EquityView:
    ts: datetime
    cash: Decimal
    positions_value: Decimal
    equity: Decimal
    realized_pnl: Decimal
    unrealized_pnl: Decimal
    fees_paid: Decimal


@dataclass(frozen=True, slots=True)
class TickRunView:
    id: int
    strategy: str
    symbol: str
    ts_bar: datetime
    outcome: str
    summary: str
    ts_recorded: datetime


@dataclass(frozen=True, slots=True)
class OutboxEntry:
    """One committed event, numbered without gaps per database (``sequence``)."""

    sequence: int
    portfolio_id: int | None
    kind: str
    ts_event: datetime
    ts_recorded: datetime
    payload: dict[str, Any]


def delivered_payload(entry: OutboxEntry) -> dict[str, Any]:
    """What a stream message and a webhook carry as ``data``: the entry's payload as the ledger
    wrote it, and for a closed position (``position.closed``) the round trip's ``direction`` in
    the trades API's words (``long``/``short``) beside its opening order's ``side`` (``buy``/
    ``sell``), entries written before this field included; an overdraft's ``cash_check``
    (``off``, ``trim`` or ``reject``), null in an entry written before the event carried it."""
    payload = dict(entry.payload)
    trade = payload.get("trade")
    if entry.kind == "position.closed" and isinstance(trade, Mapping) and "side" in trade:
        payload["trade"] = {**trade, "direction": trade_direction(str(trade["side"]))}
    if entry.kind == "account.cash_overdrawn":  # null: written before the event carried it
        payload.setdefault("cash_check", None)
    return payload
