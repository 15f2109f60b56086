"""Outbox entries as stream messages: the ONE table of which entry kind is sent as which
message type, and the message envelope every stream shares.

Every message is ``{"type", "sequence", "timestamp", "portfolio_id", "event", "data"}``:
``sequence`` is the outbox number (resume with it), ``timestamp`` the event's time in ISO-8601
UTC, ``event`` the outbox kind the message came from and ``data`` the entry's payload as the
ledger wrote it (money as exact decimal strings), a closed trade's ``direction`` added
(``delivered_payload``).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from paperdesk.api.times import utc_text as api_utc_text
from paperdesk.domain.records import OutboxEntry, delivered_payload

MESSAGE_TYPES: Mapping[str, str] = {
    "tick.processed": "price_update",  # the bar a tick processed (open, high, low, close...)
    "signal.accepted": "signal_alert",
    "signal.rejected": "signal_alert",
    "order.accepted": "order_update",
    "order.rejected": "order_update",
    "order.canceled": "order_update",
    "order.expired": "order_update",
    "order.modified": "order_update",
    "order.filled": "trade_execution",
    "position.closed": "trade_closed",
    "portfolio.equity": "equity_update",
    "position.opened": "position_update",
    "position.changed": "position_update",
    "corporate_action.applied": "account_update",
    "account.margin_called": "account_update",
    "account.cash_overdrawn": "account_update",
    "portfolio.created": "portfolio_update",
    "portfolio.archived": "portfolio_update",
    "portfolio.unarchived": "portfolio_update",
    "portfolio.renamed": "portfolio_update",
    "portfolio.edited": "portfolio_update",
    "feed.stale": "feed_alert",  # a source=live portfolio's feed (docs/live-data.md)
    "feed.failing": "feed_alert",
    "feed.recovered": "feed_alert",
}
OTHER_TYPE = "portfolio_event"  # a kind this table does not know yet is still delivered
PRICE_KIND = "tick.processed"


def message_type(kind: str) -> str:
    return MESSAGE_TYPES.get(kind, OTHER_TYPE)


def utc_text(value: datetime) -> str:
    """ISO-8601 in UTC, the API's one form (``api.times``)."""
    return api_utc_text(value)


@dataclass(frozen=True, slots=True)
class StreamItem:
    """One outbox entry ready to send: its message text is built once for every client."""

    sequence: int
    portfolio_id: int | None
    kind: str
    symbol: str | None  # the priced symbol of a price update
    price_key: str | None  # which bar priced it (timeframe and open), to send a price once
    text: str


def stream_item(entry: OutboxEntry) -> StreamItem:
    payload = entry.payload
    priced = entry.kind == PRICE_KIND and "close" in payload
    message = envelope(
        message_type(entry.kind),
        entry.sequence,
        utc_text(entry.ts_event),
        entry.portfolio_id,
        delivered_payload(entry),
        event=entry.kind,
    )
    return StreamItem(
        sequence=entry.sequence,
        portfolio_id=entry.portfolio_id,
        kind=entry.kind,
        symbol=str(payload.get("symbol")) if priced else None,
        price_key=f"{payload.get('timeframe')}@{payload.get('bar_open')}" if priced else None,
        text=json.dumps(message, separators=(",", ":")),
    )


def envelope(
    kind: str,
    sequence: int | None,
    timestamp: str,
    portfolio_id: int | None,
    data: Mapping[str, Any],
    *,
    event: str | None = None,
) -> dict[str, Any]:
    return {
        "type": kind,
        "sequence": sequence,
        "timestamp": timestamp,
        "portfolio_id": portfolio_id,
        "event": event,
        "data": dict(data),
    }


def control(kind: str, sequence: int | None, **data: Any) -> str:
    """A message of the stream itself (``subscribed``, ``error``): no portfolio, no event."""
    now = api_utc_text(datetime.now(UTC))
    return json.dumps(envelope(kind, sequence, now, None, data), separators=(",", ":"))
