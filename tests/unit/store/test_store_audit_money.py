"""The audit sentences the store builds from a unit's events show money by the one money rule
with the book's currency (a fill's fee, an overdraft's fee and cash left, a margin call's
equity and requirement); they printed the Decimal as stored (``fee 1.00000``). The entries'
details keep the exact strings."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from ledger_support import bare_portfolio, es_bought
from paperdesk.domain import (
    CashCheck,
    CashOverdrawn,
    MarginCalled,
    OrderFilled,
    OrderRole,
)
from paperdesk.domain.account_words import fill_words, margin_call_words, overdraft_words
from paperdesk.store import Database

DAY = datetime(2024, 3, 4, 15, tzinfo=UTC)
LATER = DAY + timedelta(hours=1)
FEE, CASH_LEFT = Decimal("1.00000"), Decimal("-1234.50000")
EQUITY, REQUIREMENT = Decimal("1579.000"), Decimal("2500")


def _filled(role: OrderRole = OrderRole.ENTRY) -> OrderFilled:
    return es_bought(role, DAY, LATER, FEE)


def _audit(database: Database, pid: int) -> dict[str, tuple[str, dict[str, object]]]:
    with database.reading() as repository:
        return {entry.kind: (entry.message, entry.details) for entry in repository.audit(pid)}


def test_fill_overdraft_and_margin_call_sentences_show_money_by_the_money_rule(
    database: Database,
) -> None:
    pid = bare_portfolio(database, DAY)
    filled = _filled()
    # the words the domain writes (margin_calls.overdraft / margin_call): the stored Decimals
    what = fill_words("buy", "2", "ES", "4500.25", str(FEE))
    overdrawn = CashOverdrawn(
        LATER,
        "O1",
        "ES",
        CASH_LEFT,
        overdraft_words(what, str(CASH_LEFT), CashCheck.OFF, OrderRole.ENTRY),
    )
    called = MarginCalled(
        LATER,
        EQUITY,
        REQUIREMENT,
        ("ES",),
        margin_call_words(str(EQUITY), str(REQUIREMENT), ["ES"]),
    )
    with database.transaction() as repository:
        repository.writer.record_events(
            pid, [filled, overdrawn, called], recorded_at=LATER, currency="USD"
        )
    entries = _audit(database, pid)
    message, details = entries["order.filled"]
    assert message == "filled buy 2 ES at 4500.25 fee 1.00 (O1)"
    assert details["fee"] == "1.00000"  # the machine field stays exact
    message, details = entries["account.cash_overdrawn"]
    assert message == ("cash_check=off: buy 2 ES at 4500.25 fee 1.00 left cash at -1,234.50")
    assert (details["cash"], details["reason"]) == ("-1234.50000", overdrawn.reason)
    message, details = entries["account.margin_called"]
    assert message == (
        "margin call: equity 1,579.00 below the maintenance requirement 2,500.00; "
        "liquidating ES (largest loser first) at the next price"
    )
    assert (details["equity"], details["requirement"]) == ("1579.000", "2500")
    assert details["reason"] == called.reason


def test_an_exit_overdraft_keeps_its_own_words_in_a_book_without_cents(database: Database) -> None:
    pid = bare_portfolio(database, DAY)
    filled = _filled(OrderRole.EXIT)  # the cover of a short
    what = fill_words("buy", "2", "ES", "4500.25", str(FEE))
    reason = overdraft_words(what, str(CASH_LEFT), CashCheck.REJECT, OrderRole.EXIT)
    overdrawn = CashOverdrawn(LATER, "O1", "ES", CASH_LEFT, reason)
    with database.transaction() as repository:
        repository.writer.record_events(pid, [filled, overdrawn], recorded_at=LATER, currency="JPY")
    entries = _audit(database, pid)
    assert entries["order.filled"][0] == "filled buy 2 ES at 4500.25 fee 1 (O1)"
    assert entries["account.cash_overdrawn"][0] == (
        "exit buy 2 ES at 4500.25 fee 1 left cash at -1,234.5; exits are never refused"
    )
