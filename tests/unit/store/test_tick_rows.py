"""A tick's last rows (``LedgerWriter.close_tick``): its audit entry, its equity snapshot and
its cursor, one statement on PostgreSQL (``store/tick_rows.py``), three writes on SQLite; the
same rows on both, the cursor inserted the first time and updated after (only the columns
given), the revision bumped by every close, the snapshot published."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from sqlalchemy import text

from paperdesk.config import RunConfig
from paperdesk.domain.records import EquityView
from paperdesk.store import Database, TickRun

OPENED = datetime(2024, 1, 2, 14, 30, tzinfo=UTC)
CLOSED = OPENED + timedelta(hours=1)
RECORDED = datetime(2024, 1, 2, 16, tzinfo=UTC)


def _portfolio(database: Database) -> int:
    with database.transaction() as repository:
        return repository.writer.create_portfolio(
            name="ticks",
            base_currency="USD",
            starting_cash=Decimal(1000),
            settings=RunConfig().to_json(),
            created_at=OPENED,
        )


def _point(cash: str) -> EquityView:
    return EquityView(
        CLOSED, Decimal(cash), Decimal("0.5"), Decimal(cash) + Decimal("0.5"),
        Decimal("-1.25"), Decimal("0.000001"), Decimal("0.10"),
    )  # fmt: skip


def _close(
    database: Database,
    pid: int,
    point: EquityView,
    *,
    price: str,
    bar: tuple[datetime, datetime, int | None] | None,
    replay_index: int | None,
) -> tuple[int, int]:
    """A tick record and its close; returns the tick's id and the revision it left."""
    strategy = f"s{price}"
    run = TickRun(strategy, "SPY", "1h", OPENED, CLOSED, "neutral", "no signal")
    with database.transaction() as repository:
        writer = repository.writer
        writer.watch(pid)
        tick_id = writer.record_ticks(pid, [run], RECORDED)
        writer.close_tick(
            pid, "SPY", "1h", tick_id=tick_id, recorded_at=RECORDED,
            message=f"tick at {price}", details={"symbol": "SPY", "close": Decimal(price)},
            point=point, last_price=Decimal(price), bar=bar, replay_index=replay_index,
        )  # fmt: skip
        writer.publish(pid, "tick.processed", CLOSED, RECORDED, {"tick_id": tick_id})
    return tick_id, writer.revisions[pid]


def test_a_ticks_last_rows(database: Database) -> None:
    pid = _portfolio(database)
    with database.reading() as repository:
        revisions = [repository.portfolio(pid).revision]
        sequence = repository.outbox_last_sequence()
    ticks = []
    for price, bar, replay_index in (
        ("101.25", (OPENED, CLOSED, 7), 7),  # no cursor yet: inserted
        ("101.50", None, None),  # a late tick: the mark alone, the rest kept
        ("101.75", (CLOSED, CLOSED + timedelta(hours=1), 8), None),  # the replay index kept
    ):
        tick_id, revision = _close(
            database, pid, _point(price), price=price, bar=bar, replay_index=replay_index
        )
        ticks.append(tick_id)
        revisions.append(revision)
    assert revisions == sorted(set(revisions)), f"each close bumps the revision: {revisions}"
    with database.reading() as repository:
        assert repository.portfolio(pid).revision == revisions[-1]
        cursor = repository.cursor(pid, "SPY")
        audit = repository.audit(pid)
        equity = repository.equity(pid)
        outbox = repository.outbox(after=sequence)
    assert cursor is not None
    assert (cursor.timeframe, cursor.ts_bar, cursor.ts_bar_close, cursor.bar_index) == (
        "1h", CLOSED, CLOSED + timedelta(hours=1), 8,
    )  # fmt: skip
    assert (cursor.last_price, cursor.replay_index) == (Decimal("101.75"), 7)
    closes = [entry for entry in audit if entry.kind == "tick"]
    assert [(e.message, e.tick_id, e.ts_event, e.ts_recorded) for e in closes] == [
        (f"tick at {price}", tick, CLOSED, RECORDED)
        for price, tick in zip(("101.25", "101.50", "101.75"), ticks, strict=True)
    ]
    assert closes[0].details == {"symbol": "SPY", "close": "101.25"}
    assert equity == [_point(price) for price in ("101.25", "101.50", "101.75")]
    with database.engine.connect() as connection:
        snapshot_ticks = connection.execute(
            text("SELECT tick_id FROM equity_snapshots ORDER BY id")
        ).scalars()
        assert list(snapshot_ticks) == ticks
    assert [entry.kind for entry in outbox] == ["portfolio.equity", "tick.processed"] * 3
    assert outbox[0].payload["cash"] == "101.25"
    assert outbox[0].payload["at"] == CLOSED.isoformat()
