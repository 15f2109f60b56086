"""The order path's Core writes (``store.order_rows``, used by ``LedgerWriter.record_events``):
an order row holds the order after its last change and the eligibility the changes give, a
copy the session loaded before the write reads back the new row, and audit rows keep the order
they were made in after rows the ORM still held pending."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from sqlalchemy import event

from ledger_support import bare_portfolio
from paperdesk.domain import (
    OrderAccepted,
    OrderCanceled,
    OrderModified,
    OrderStatus,
    OrderType,
    Side,
)
from paperdesk.domain.orders import Order
from paperdesk.domain.records import AccountState
from paperdesk.store import Database

DAY = datetime(2024, 3, 4, 15, tzinfo=UTC)
LATER = DAY + timedelta(hours=1)
NEXT_BAR = DAY + timedelta(days=1)


def _order(order_id: str, status: OrderStatus = OrderStatus.ACCEPTED) -> Order:
    return Order(
        order_id,
        f"client-{order_id}",
        "SPY",
        Side.BUY,
        OrderType.LIMIT,
        Decimal("2.5"),
        DAY,
        limit_price=Decimal("101.25"),
        status=status,
        strategy="manual",
        reason="a test order",
    )


def _eligible(database: Database, portfolio_id: int) -> dict[str, datetime]:
    with database.reading() as repository:
        return {o.order.order_id: o.ts_eligible for o in repository.stored_orders(portfolio_id)}


def test_a_new_order_is_eligible_from_its_change_and_keeps_it_when_canceled(
    database: Database,
) -> None:
    pid = bare_portfolio(database, DAY, "rows")
    with database.transaction() as repository:
        repository.writer.record_events(pid, [OrderAccepted(DAY, _order("O1"))], recorded_at=DAY)
    assert _eligible(database, pid) == {"O1": DAY}  # no eligibility given: the change's time
    canceled = _order("O1", OrderStatus.CANCELED)._replace(ts_updated=LATER)
    with database.transaction() as repository:
        repository.writer.record_events(pid, [OrderCanceled(LATER, canceled)], recorded_at=LATER)
    with database.reading() as repository:
        (stored,) = repository.stored_orders(pid)
    assert stored.order == canceled  # every field as the last change left it
    assert stored.ts_eligible == DAY  # a cancel does not move the eligibility


def test_a_change_that_gives_an_eligibility_moves_it_and_the_last_change_wins(
    database: Database,
) -> None:
    pid = bare_portfolio(database, DAY, "rows")
    smaller = _order("O2")._replace(quantity=Decimal(1), ts_updated=LATER)
    events = [
        OrderAccepted(DAY, _order("O2"), NEXT_BAR),  # both in one unit of work
        OrderModified(LATER, smaller),  # no eligibility: the accepted one stays
    ]
    with database.transaction() as repository:
        repository.writer.record_events(pid, events, recorded_at=LATER)
    with database.reading() as repository:
        (stored,) = repository.stored_orders(pid)
    assert (stored.order, stored.ts_eligible) == (smaller, NEXT_BAR)
    moved = smaller._replace(limit_price=Decimal("99"))
    with database.transaction() as repository:
        repository.writer.record_events(
            pid, [OrderModified(LATER, moved, LATER)], recorded_at=LATER
        )
    assert _eligible(database, pid) == {"O2": LATER}


def test_an_order_the_session_loaded_before_the_write_reads_back_the_new_row(
    database: Database,
) -> None:
    pid = bare_portfolio(database, DAY, "rows")
    with database.transaction() as repository:
        repository.writer.record_events(pid, [OrderAccepted(DAY, _order("O3"))], recorded_at=DAY)
    canceled = _order("O3", OrderStatus.CANCELED)
    with database.transaction() as repository:
        assert repository.stored_orders(pid)[0].order.status is OrderStatus.ACCEPTED  # loaded
        repository.writer.record_events(pid, [OrderCanceled(LATER, canceled)], recorded_at=LATER)
        assert repository.stored_orders(pid)[0].order.status is OrderStatus.CANCELED
        assert repository.order(pid, "O3").status is OrderStatus.CANCELED


def test_audit_rows_follow_the_ones_the_session_held_pending(database: Database) -> None:
    pid = bare_portfolio(database, DAY, "rows")
    with database.transaction() as repository:
        repository.writer.audit(pid, "note.first", "made first", DAY, DAY)  # ORM, pending
        repository.writer.record_events(pid, [OrderAccepted(DAY, _order("O4"))], recorded_at=DAY)
        repository.writer.audit(pid, "note.last", "made last", DAY, DAY)
    with database.reading() as repository:
        kinds = [entry.kind for entry in sorted(repository.audit(pid), key=lambda e: e.id)]
    assert kinds == ["note.first", "order.accepted", "note.last"]


def test_a_unit_that_leaves_the_totals_as_they_are_does_not_write_them(
    database: Database,
) -> None:
    pid = bare_portfolio(database, DAY, "rows")
    statements: list[str] = []

    def record(_conn: object, _cursor: object, statement: str, *_rest: object) -> None:
        statements.append(statement)

    account = AccountState(Decimal(1000), Decimal(0), Decimal(0), 0)
    event.listen(database.engine, "before_cursor_execute", record)
    try:
        with database.transaction() as repository:
            repository.writer.save_account(pid, account, account)  # as stored: nothing to write
        unchanged = [s for s in statements if s.startswith("UPDATE portfolios")]
        moved = account._replace(order_sequence=1)
        with database.transaction() as repository:
            repository.writer.save_account(pid, moved, account)
            repository.writer.save_account(pid, moved, account)  # written already
    finally:
        event.remove(database.engine, "before_cursor_execute", record)
    assert unchanged == []
    assert len([s for s in statements if s.startswith("UPDATE portfolios")]) == 1
    with database.reading() as repository:
        assert repository.portfolio(pid).order_sequence == 1
