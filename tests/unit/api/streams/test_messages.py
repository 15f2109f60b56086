"""The one table of outbox kinds and message types covers every kind the ledger publishes: each
domain event's kind (``event_documents``), the writer's portfolio and equity entries and the
runner's ``tick.processed``; an unknown kind is still delivered, as ``portfolio_event``."""

from __future__ import annotations

import re
from pathlib import Path

import paperdesk
from paperdesk.api.streams.messages import MESSAGE_TYPES, OTHER_TYPE, message_type
from paperdesk.store.event_documents import _KINDS, FEED_KINDS

SOURCES = Path(paperdesk.__file__).parent
PUBLISHED = re.compile(r'publish\(\s*[^,]+,\s*"([a-z_]+\.[a-z_]+)"', re.MULTILINE)


def _published_literals() -> set[str]:
    """Every kind written as a literal in a ``publish(...)`` call of the package."""
    found: set[str] = set()
    for source in SOURCES.rglob("*.py"):
        found |= set(PUBLISHED.findall(source.read_text()))
    return found


def test_every_published_kind_has_its_message_type() -> None:
    kinds = set(_KINDS.values()) | _published_literals()
    assert {"tick.processed", "portfolio.equity", "portfolio.created"} <= kinds
    assert sorted(kinds - set(MESSAGE_TYPES)) == []


def test_the_issues_six_types_come_from_the_trading_kinds() -> None:
    assert message_type("tick.processed") == "price_update"
    assert message_type("signal.rejected") == "signal_alert"
    assert message_type("order.canceled") == "order_update"
    assert message_type("order.filled") == "trade_execution"
    assert message_type("position.closed") == "trade_closed"
    assert message_type("portfolio.equity") == "equity_update"
    assert message_type("something.new") == OTHER_TYPE
    assert {message_type(kind) for kind in FEED_KINDS} == {"feed_alert"}
