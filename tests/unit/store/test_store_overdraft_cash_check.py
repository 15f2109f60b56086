"""An overdraft carries the account's cash check (``CashOverdrawn.cash_check``): the audit's
sentence is built with it instead of guessing it from the stored reason's wording, the audit
entry's details and the outbox's payload name it, and an overdraft written before the event
carried it (no ``cash_check`` in its payload, an event of the five fields of old) still reads."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import update

from ledger_support import bare_portfolio, es_bought
from paperdesk.domain import (
    CashCheck,
    CashOverdrawn,
    OrderFilled,
    OrderRole,
)
from paperdesk.domain.account_words import fill_words, overdraft_words
from paperdesk.domain.records import delivered_payload
from paperdesk.store import Database
from paperdesk.store.models import OutboxRow

DAY = datetime(2024, 3, 4, 15, tzinfo=UTC)
LATER = DAY + timedelta(hours=1)
FEE, CASH_LEFT = Decimal("1.00000"), Decimal("-1234.50000")


def _filled(role: OrderRole = OrderRole.ENTRY) -> OrderFilled:
    return es_bought(role, DAY, LATER, FEE)


def _reason(cash_check: CashCheck, role: OrderRole) -> str:
    """The reason as the portfolio writes it (``margin_calls.overdraft``)."""
    what = fill_words("buy", "2", "ES", "4500.25", str(FEE))
    return overdraft_words(what, str(CASH_LEFT), cash_check, role)


def _recorded(database: Database, role: OrderRole, overdrawn: CashOverdrawn) -> int:
    pid = bare_portfolio(database, DAY)
    with database.transaction() as repository:
        repository.writer.record_events(
            pid, [_filled(role), overdrawn], recorded_at=LATER, currency="USD"
        )
    return pid


def _entry(database: Database, pid: int) -> tuple[str, dict[str, object]]:
    with database.reading() as repository:
        (entry,) = [e for e in repository.audit(pid) if e.kind == "account.cash_overdrawn"]
        return entry.message, entry.details


@pytest.mark.parametrize(
    ("cash_check", "role", "said"),
    [
        (CashCheck.OFF, OrderRole.ENTRY, "cash_check=off: buy 2 ES at 4500.25 fee 1.00 left cash"),
        (CashCheck.REJECT, OrderRole.ENTRY, "(the entry was checked at an estimated fee)"),
        (CashCheck.TRIM, OrderRole.EXIT, "; exits are never refused"),
    ],
)
def test_the_audit_and_the_outbox_carry_the_overdrafts_cash_check(
    database: Database, cash_check: CashCheck, role: OrderRole, said: str
) -> None:
    reason = _reason(cash_check, role)
    overdrawn = CashOverdrawn(LATER, "O1", "ES", CASH_LEFT, reason, cash_check)
    pid = _recorded(database, role, overdrawn)
    message, details = _entry(database, pid)
    what = fill_words("buy", "2", "ES", "4500.25", "1.00")  # the fee and cash by the money rule
    assert message == overdraft_words(what, "-1,234.50", cash_check, role)
    assert said in message
    assert details["cash_check"] == cash_check.value
    assert details["reason"] == reason  # kept as the portfolio wrote it
    with database.reading() as repository:
        (entry,) = [e for e in repository.outbox() if e.kind == "account.cash_overdrawn"]
    assert entry.payload["cash_check"] == cash_check.value
    assert delivered_payload(entry)["cash_check"] == cash_check.value


def test_the_audit_uses_the_carried_cash_check_not_the_reasons_wording(
    database: Database,
) -> None:
    # a reason in other words than the cash check's: the carried check decides, so the
    # stored reason is kept rather than matched to the words of another check
    reason = _reason(CashCheck.OFF, OrderRole.ENTRY)
    overdrawn = CashOverdrawn(LATER, "O1", "ES", CASH_LEFT, reason, CashCheck.TRIM)
    pid = _recorded(database, OrderRole.ENTRY, overdrawn)
    message, details = _entry(database, pid)
    assert message == reason
    assert details["cash_check"] == "trim"


def test_an_overdraft_stored_before_the_event_carried_its_cash_check_still_reads(
    database: Database,
) -> None:
    reason = _reason(CashCheck.OFF, OrderRole.ENTRY)
    old = CashOverdrawn(LATER, "O1", "ES", CASH_LEFT, reason)  # the five fields of old
    assert old.cash_check is None
    pid = _recorded(database, OrderRole.ENTRY, old)
    message, details = _entry(database, pid)
    # its words still tell the check apart (off from on), as before
    assert message == "cash_check=off: buy 2 ES at 4500.25 fee 1.00 left cash at -1,234.50"
    assert "cash_check" not in details
    with database.transaction() as repository:  # the payload as an outbox entry of old holds it
        (entry,) = [e for e in repository.outbox() if e.kind == "account.cash_overdrawn"]
        stored = {key: value for key, value in entry.payload.items() if key != "cash_check"}
        repository._session.execute(
            update(OutboxRow).where(OutboxRow.sequence == entry.sequence).values(payload=stored)
        )
    with database.reading() as repository:
        (entry,) = [e for e in repository.outbox() if e.kind == "account.cash_overdrawn"]
    assert "cash_check" not in entry.payload
    delivered = delivered_payload(entry)
    assert delivered == {**stored, "cash_check": None}
    assert (delivered["order_id"], delivered["cash"], delivered["reason"]) == (
        "O1",
        "-1234.50000",
        reason,
    )
