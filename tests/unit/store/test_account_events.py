"""Account events in the audit log and the outbox: margin calls, overdrafts and trimmed
entries each become one readable entry with their numbers."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from paperdesk.domain import CashOverdrawn, Direction, MarginCalled, Signal, SignalAccepted
from paperdesk.store.audit import event_entry
from paperdesk.store.event_documents import event_document, event_kind

TS = datetime(2006, 1, 4, 21, tzinfo=UTC)
CALLED = MarginCalled(
    TS, Decimal("1579.00"), Decimal(2500), ("ES",), "margin call: equity 1579.00 below 2500"
)
OVERDRAWN = CashOverdrawn(TS, "O7", "ES", Decimal("-2.16"), "cash_check=off: buy 2 ES ...")


def test_a_margin_call_is_audited_and_published_with_its_numbers() -> None:
    kind, message, details = event_entry(CALLED, "USD")
    assert (kind, message) == ("account.margin_called", CALLED.reason)
    assert details == {
        "equity": "1579.00",
        "requirement": "2500",
        "symbols": ["ES"],
        "reason": CALLED.reason,
    }
    assert event_kind(CALLED) == "account.margin_called"
    assert event_document(CALLED)["equity"] == "1579.00"


def test_an_overdraft_is_audited_and_published_with_the_cash_left() -> None:
    kind, message, details = event_entry(OVERDRAWN, "USD")
    assert (kind, message) == ("account.cash_overdrawn", OVERDRAWN.reason)
    assert (details["order_id"], details["cash"]) == ("O7", "-2.16")
    assert event_kind(OVERDRAWN) == "account.cash_overdrawn"
    assert event_document(OVERDRAWN)["cash"] == "-2.16"


def test_a_trimmed_entry_is_audited_with_the_routers_note() -> None:
    signal = Signal("sma-cross", "SPY", Direction.LONG, TS)
    note = "cash 10,000.00 cannot pay for the SPY entry and its fee; SPY quantity trimmed"
    kind, message, details = event_entry(SignalAccepted(TS, signal, (note,)), "USD")
    assert (kind, message) == ("signal.adjusted", f"sma-cross SPY: {note}")
    assert details["notes"] == [note]
