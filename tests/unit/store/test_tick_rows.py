"""A tick's last rows (``LedgerWriter.close_tick``): its audit entry, its equity snapshot and
its cursor, one statement on PostgreSQL (``store/tick_rows.py``), three writes on SQLite; the
same rows on both, the cursor inserted the first time and updated after (only the columns
given), the revision bumped by every close, the snapshot published."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from sqlalchemy import event, text

from ledger_support import bare_portfolio
from paperdesk.config import RunConfig
from paperdesk.domain import Position
from paperdesk.domain.records import EquityView
from paperdesk.portfolio import LedgerState
from paperdesk.store import Database, TickRun

OPENED = datetime(2024, 1, 2, 14, 30, tzinfo=UTC)
CLOSED = OPENED + timedelta(hours=1)
RECORDED = datetime(2024, 1, 2, 16, tzinfo=UTC)


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
    pid = bare_portfolio(database, OPENED, "ticks", RunConfig().to_json())
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


def _books(cash: str) -> LedgerState:
    held = Position("SPY", Decimal(3), Decimal("100.25"), Decimal("1.5"), OPENED)
    return LedgerState(Decimal(cash), Decimal("0.35"), Decimal("1.5"), (held,), ())


def test_a_ticks_checkpoint_is_written_with_its_last_rows(database: Database) -> None:
    """A checkpoint made before the tick's last rows: on PostgreSQL in their statement (no
    INSERT of its own), on SQLite its own INSERT; the same row either way, and the revision it
    bumps read after it."""
    pid = bare_portfolio(database, OPENED, "ticks", RunConfig().to_json())
    sent: list[str] = []

    def record(_conn: object, _cursor: object, statement: str, *_rest: object) -> None:
        sent.append(" ".join(statement.split()))

    run = TickRun("s1", "SPY", "1h", OPENED, CLOSED, "long", "entry")
    event.listen(database.engine, "before_cursor_execute", record)
    try:
        with database.transaction() as repository:
            writer = repository.writer
            writer.watch(pid)
            tick_id = writer.record_ticks(pid, [run], RECORDED)
            writer.checkpoint(pid, _books("699.40"), RECORDED)
            writer.close_tick(
                pid, "SPY", "1h", tick_id=tick_id, recorded_at=RECORDED, message="tick",
                details={}, point=_point("699.40"), last_price=Decimal("101"),
                bar=(OPENED, CLOSED, 7),
            )  # fmt: skip
    finally:
        event.remove(database.engine, "before_cursor_execute", record)
    naming = [s for s in sent if "ledger_checkpoints" in s]
    assert len(naming) == 1
    if database.engine.dialect.name == "postgresql":
        assert "market_cursors" in naming[0]  # the tick's closing statement
    else:
        assert naming[0].startswith("INSERT INTO ledger_checkpoints")
    with database.reading() as repository:
        assert repository.latest_checkpoint(pid) == (_books("699.40"), 0)
        assert repository.portfolio(pid).revision == writer.revisions[pid]


def test_a_checkpoint_without_a_tick_is_written_by_the_end_of_the_unit(
    database: Database,
) -> None:
    """An order's unit (no tick's last rows): its checkpoint is written before the commit,
    and a second checkpoint of the unit after the first."""
    pid = bare_portfolio(database, OPENED, "ticks", RunConfig().to_json())
    with database.transaction() as repository:
        writer = repository.writer
        writer.watch(pid)
        writer.checkpoint(pid, _books("700"), RECORDED)
        writer.checkpoint(pid, _books("699.40"), RECORDED)
        writer.publish(pid, "order.accepted", CLOSED, RECORDED, {})
    with database.reading() as repository:
        assert repository.latest_checkpoint(pid) == (_books("699.40"), 0)
        assert repository.portfolio(pid).revision == writer.revisions[pid]
    with database.engine.connect() as connection:
        stored = connection.execute(
            text("SELECT cash FROM ledger_checkpoints WHERE portfolio_id = :p ORDER BY id"),
            {"p": pid},
        ).scalars()
        assert [Decimal(str(cash)) for cash in stored] == [Decimal(700), Decimal("699.40")]
