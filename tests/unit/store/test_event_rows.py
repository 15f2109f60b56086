"""A unit's event rows as Core statements (``store.event_rows``, used by
``LedgerWriter.record_events`` and ``checkpoint``): the fill ids an INSERT returns are the rows'
ids in the order given, the checkpoint's last fill is the last one stored, a position's upsert
leaves the row the read-then-write left (a new row when it opens, the figures updated and the
opened bar index kept when it changes, no row when it closes, a new row when the same fill
reopens it), without a read before the write, and a copy the session loaded reads back the new
row."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import event, select, text

from ledger_support import bare_portfolio
from paperdesk.domain import (
    Direction,
    Fill,
    Order,
    OrderFilled,
    OrderStatus,
    OrderType,
    Position,
    PositionChanged,
    PositionClosed,
    PositionOpened,
    Side,
    Signal,
    SignalAccepted,
    SignalRejected,
    Trade,
)
from paperdesk.portfolio import LedgerState
from paperdesk.store import BarContext, Database, TickRun
from paperdesk.store.event_rows import insert_fills
from paperdesk.store.mappers import fill_values
from paperdesk.store.models import FillRow, PositionRow

DAY = datetime(2024, 3, 4, 15, tzinfo=UTC)
LATER = DAY + timedelta(hours=1)


def _filled(order_id: str, side: Side, quantity: str, price: str) -> OrderFilled:
    order = Order(
        order_id,
        f"client-{order_id}",
        "SPY",
        side,
        OrderType.MARKET,
        Decimal(quantity),
        DAY,
        status=OrderStatus.FILLED,
        filled_quantity=Decimal(quantity),
        average_price=Decimal(price),
        strategy="macd-cross",
        reason="entry",
    )
    fill = Fill(order_id, "SPY", side, Decimal(quantity), Decimal(price), Decimal("0.35"), LATER)
    return OrderFilled(LATER, order, fill)


def _position(quantity: str, price: str, realized: str = "0") -> Position:
    return Position("SPY", Decimal(quantity), Decimal(price), Decimal(realized), DAY)


def _positions(database: Database, pid: int) -> list[tuple[object, ...]]:
    with database.reading() as repository:
        rows = repository._session.execute(
            text(
                "SELECT symbol, quantity, cost, average_price, realized_pnl, opened_bar_index "
                "FROM positions WHERE portfolio_id = :pid ORDER BY symbol"
            ),
            {"pid": pid},
        )
        return [
            (row[0], Decimal(str(row[1])), Decimal(str(row[2])), Decimal(str(row[3])),
             Decimal(str(row[4])), row[5])
            for row in rows
        ]  # fmt: skip


@contextmanager
def _statements(database: Database) -> Iterator[list[str]]:
    sent: list[str] = []

    def record(_conn: object, _cursor: object, statement: str, *_rest: object) -> None:
        sent.append(" ".join(statement.split()))

    event.listen(database.engine, "before_cursor_execute", record)
    try:
        yield sent
    finally:
        event.remove(database.engine, "before_cursor_execute", record)


def test_the_fill_ids_returned_are_the_rows_ids_in_the_order_given(database: Database) -> None:
    pid = bare_portfolio(database, DAY, "rows")
    fills = [_filled(f"O{n}", Side.BUY, str(n), f"10{n}.5") for n in range(1, 5)]
    with database.transaction() as repository:
        ids = insert_fills(
            repository._session,
            [
                fill_values(pid, f.fill, "macd-cross", f"reason {n}", None)
                for n, f in enumerate(fills)
            ],
        )
        more = insert_fills(
            repository._session, [fill_values(pid, fills[0].fill, "manual", "again", None)]
        )
    with database.reading() as repository:
        stored = repository._session.execute(
            select(FillRow.id, FillRow.order_id, FillRow.reason, FillRow.quantity)
            .where(FillRow.portfolio_id == pid)
            .order_by(FillRow.id)
        ).all()
    assert [row[0] for row in stored] == ids + more
    assert ids == sorted(ids)
    assert more[0] > ids[-1]
    assert [(row[1], row[2], row[3]) for row in stored[:4]] == [
        (f"O{n}", f"reason {n - 1}", Decimal(n)) for n in range(1, 5)
    ]


def test_a_checkpoint_takes_the_last_fill_stored(database: Database) -> None:
    pid = bare_portfolio(database, DAY, "rows")
    state = LedgerState(Decimal(1000), Decimal(0), Decimal(0), (), ())
    with database.transaction() as repository:
        writer = repository.writer
        writer.record_events(
            pid, [_filled("O1", Side.BUY, "1", "100"), _filled("O2", Side.BUY, "2", "101")],
            recorded_at=LATER,
        )  # fmt: skip
        writer.checkpoint(pid, state, LATER)
    with database.transaction() as repository:  # no fill in this unit: read from the rows
        repository.writer.checkpoint(pid, state, LATER)
    with database.reading() as repository:
        session = repository._session
        last = session.scalar(text("SELECT max(id) FROM fills WHERE portfolio_id = :p"), {"p": pid})
        marks = session.scalars(
            text("SELECT last_fill_id FROM ledger_checkpoints WHERE portfolio_id = :p ORDER BY id"),
            {"p": pid},
        ).all()
    assert last is not None
    assert list(marks) == [last, last]


def test_a_checkpoint_after_fills_sends_no_read_of_the_last_fill(database: Database) -> None:
    pid = bare_portfolio(database, DAY, "rows")
    state = LedgerState(Decimal(1000), Decimal(0), Decimal(0), (), ())
    with _statements(database) as sent, database.transaction() as repository:
        repository.writer.record_events(pid, [_filled("O1", Side.BUY, "1", "100")], recorded_at=DAY)
        repository.writer.checkpoint(pid, state, DAY)
    assert not [s for s in sent if s.startswith("SELECT max(fills.id)")]
    with _statements(database) as sent, database.transaction() as repository:
        repository.writer.checkpoint(pid, state, DAY)
    assert [s for s in sent if s.startswith("SELECT max(fills.id)")]


def test_a_position_opened_changed_closed_and_reopened(database: Database) -> None:
    pid = bare_portfolio(database, DAY, "rows")

    def record(*events: object) -> list[str]:
        with _statements(database) as sent, database.transaction() as repository:
            repository.writer.record_events(pid, list(events), recorded_at=LATER)  # type: ignore[arg-type]
        return [s for s in sent if "positions" in s]

    opened = _position("3", "100.25")
    assert len(record(PositionOpened(LATER, opened))) == 1  # no read before the write
    assert _positions(database, pid) == [
        ("SPY", Decimal(3), Decimal("300.75"), Decimal("100.25"), Decimal(0), None)
    ]
    with database.transaction() as repository:  # a bar index a row may hold is kept
        repository._session.execute(
            text("UPDATE positions SET opened_bar_index = 7 WHERE portfolio_id = :p"), {"p": pid}
        )
    added, reduced = _position("5", "100.45"), _position("4", "100.45", "1.10")
    writes = record(
        PositionChanged(LATER, added, Decimal(0)), PositionChanged(LATER, reduced, Decimal("1.1"))
    )
    assert len(writes) == 1  # one symbol's run of writes: its last
    assert _positions(database, pid) == [
        ("SPY", Decimal(4), Decimal("401.80"), Decimal("100.45"), Decimal("1.10"), 7)
    ]
    trade = Trade(
        "SPY", Side.BUY, Decimal(4), Decimal("100.45"), Decimal(102), DAY, LATER,
        Decimal("0.70"), Decimal("5.50"), "macd-cross", "signal",
    )  # fmt: skip
    reversed_into = Position("SPY", Decimal(-2), Decimal(102), Decimal(0), LATER)
    writes = record(
        PositionClosed(LATER, _position("0", "0", "6.20"), trade),
        PositionOpened(LATER, reversed_into),
    )
    assert [s.split()[0] for s in writes] == ["DELETE", "INSERT"]
    assert _positions(database, pid) == [
        ("SPY", Decimal(-2), Decimal(-204), Decimal(102), Decimal(0), None)  # a new row
    ]
    record(PositionClosed(LATER, _position("0", "0", "6.20"), trade))
    assert _positions(database, pid) == []
    with database.reading() as repository:
        trades = repository.trades(pid)
    assert trades == [trade, trade]


def test_a_position_the_session_loaded_reads_back_the_new_row(database: Database) -> None:
    pid = bare_portfolio(database, DAY, "rows")
    with database.transaction() as repository:
        repository.writer.record_events(
            pid, [PositionOpened(LATER, _position("3", "100"))], recorded_at=LATER
        )
    with database.transaction() as repository:
        loaded = repository._session.get(PositionRow, (pid, "SPY"))
        assert loaded is not None
        assert loaded.quantity == 3
        repository.writer.record_events(
            pid, [PositionChanged(LATER, _position("5", "100"), Decimal(0))], recorded_at=LATER
        )
        assert loaded.quantity == 5
        assert repository.positions(pid)[0].quantity == 5


def _tick_events() -> list[object]:
    """A tick's events with two fills, a closed position, an entry signal and a rejected one."""
    closing = _filled("O1", Side.SELL, "4", "102")
    entry = _filled("O2", Side.SELL, "2", "102")
    trade = Trade(
        "SPY", Side.BUY, Decimal(4), Decimal("100.45"), Decimal(102), DAY, LATER,
        Decimal("0.70"), Decimal("5.50"), "macd-cross", "signal",
    )  # fmt: skip
    return [
        SignalAccepted(
            LATER, Signal("macd-cross", "SPY", Direction.SHORT, LATER, 0.5), ("a note",)
        ),
        SignalRejected(LATER, Signal("rsi-divergence", "SPY", Direction.SHORT, LATER), "cooldown"),
        closing,
        PositionClosed(LATER, _position("0", "0", "6.20"), trade),
        entry,
        PositionOpened(LATER, Position("SPY", Decimal(-2), Decimal(102), Decimal(0), LATER)),
    ]


def _rows(database: Database, pid: int) -> dict[str, list[tuple[object, ...]]]:
    """Every column but the ids of the portfolio's new rows, in id order."""
    tables = {
        "fills": "tick_id, order_id, symbol, side, quantity, price, fee, slippage, filled_at, "
        "strategy, reason",
        "trades": "tick_id, symbol, side, quantity, entry_price, exit_price, entry_at, exit_at, "
        "fees, pnl, strategy, exit_reason",
        "signals": "tick_id, strategy, symbol, candle_at, bar_index, direction, confidence, stop, "
        "target, reason, status, rejection",
        "audit_log": "tick_id, recorded_at, at, kind, message, CAST(details AS TEXT)",
    }
    with database.reading() as repository:
        return {
            table: [
                tuple(row)
                for row in repository._session.execute(
                    text(f"SELECT {columns} FROM {table} WHERE portfolio_id = :p ORDER BY id"),
                    {"p": pid},
                )
            ]
            for table, columns in tables.items()
        }


def test_a_ticks_new_rows_are_one_statement_on_postgresql(database: Database) -> None:
    """Fills, round trips, signals and audit entries: one INSERT ... RETURNING on PostgreSQL
    (``store/unnest_inserts.py``), one INSERT per kind on SQLite; the same rows either way
    (the rows written one INSERT per kind on the same database are the reference)."""
    rows = []
    for together in (True, False):
        pid = bare_portfolio(database, DAY, "rows")
        run = TickRun("macd-cross", "SPY", "1h", DAY, LATER, "short", "signal")
        with _statements(database) as sent, database.transaction() as repository:
            tick_id = repository.writer.record_ticks(pid, [run], LATER)
            bar = BarContext(tick_id, DAY, 41)
            if together:
                repository.writer.record_events(pid, _tick_events(), recorded_at=LATER, bar=bar)  # type: ignore[arg-type]
            else:
                _one_insert_per_kind(repository, pid, bar)
        inserts = [s for s in sent if s.startswith(("INSERT", "WITH"))]
        if together and database.engine.dialect.name == "postgresql":
            assert len([s for s in inserts if "INSERT INTO fills" in s]) == 1
            (statement,) = [s for s in inserts if "INSERT INTO fills" in s]
            for table in ("signals", "trades", "audit_log"):
                assert f"INSERT INTO {table}" in statement
        elif together:
            for table in ("fills", "signals", "trades", "audit_log"):
                assert len([s for s in inserts if s.startswith(f"INSERT INTO {table}")]) == 1
        stored = _rows(database, pid)
        tick_ids = {row[0] for row in stored["fills"]} | {row[0] for row in stored["signals"]}
        assert tick_ids == {tick_id}
        rows.append({table: [row[1:] for row in kept] for table, kept in stored.items()})
    together_rows, reference = rows
    assert together_rows == reference
    assert [len(together_rows[t]) for t in ("fills", "trades", "signals")] == [2, 1, 2]
    assert [row[2] for row in together_rows["audit_log"]] == [
        "signal.adjusted", "signal.rejected", "order.filled", "order.filled"
    ]  # fmt: skip


def _one_insert_per_kind(repository: object, pid: int, bar: BarContext) -> None:
    """The same rows written one Core INSERT per kind (SQLite's path on either database)."""
    from paperdesk.domain.orders import exit_reason
    from paperdesk.store import event_rows
    from paperdesk.store.audit import audit_values
    from paperdesk.store.mappers import trade_values
    from paperdesk.store.order_rows import insert_audit
    from paperdesk.store.writer import _signal_values

    session = repository._session  # type: ignore[attr-defined]
    events = _tick_events()
    filled = [e for e in events if isinstance(e, OrderFilled)]
    event_rows.insert_signals(
        session,
        [
            _signal_values(pid, e, bar)
            for e in events
            if isinstance(e, SignalAccepted | SignalRejected)
        ],
    )
    event_rows.insert_trades(
        session,
        [trade_values(pid, e.trade, bar.tick_id) for e in events if isinstance(e, PositionClosed)],
    )
    audited = [events[0], events[1], *filled]  # the adjusted and the rejected signal, the fills
    insert_audit(session, audit_values(pid, audited, LATER, bar.tick_id, "USD"))  # type: ignore[arg-type]
    event_rows.insert_fills(
        session,
        [
            fill_values(pid, e.fill, e.order.strategy, exit_reason(e.order), bar.tick_id)
            for e in filled
        ],
    )


def test_positions_written_with_a_ticks_new_rows(database: Database) -> None:
    """With fills, the positions' upserts join the new rows' statement on PostgreSQL (no
    statement of their own); the rows are those the upsert alone writes: a stored row's
    figures updated with its opened bar index kept, a new symbol's row inserted."""
    pid = bare_portfolio(database, DAY, "rows")
    record = _recorder(database, pid)
    record(PositionOpened(LATER, _position("3", "100.25")))
    with database.transaction() as repository:
        repository._session.execute(
            text("UPDATE positions SET opened_bar_index = 7 WHERE portfolio_id = :p"), {"p": pid}
        )
    other = Position("QQQ", Decimal(1), Decimal("400.5"), Decimal(0), LATER)
    sent = record(
        _filled("O1", Side.BUY, "2", "100.75"),
        PositionChanged(LATER, _position("5", "100.45"), Decimal(0)),
        PositionOpened(LATER, other),
    )
    if database.engine.dialect.name == "postgresql":
        (statement,) = sent
        assert "INSERT INTO fills" in statement
    else:
        assert len(sent) == 2  # one upsert per symbol
    assert _positions(database, pid) == [
        ("QQQ", Decimal(1), Decimal("400.5"), Decimal("400.5"), Decimal(0), None),
        ("SPY", Decimal(5), Decimal("502.25"), Decimal("100.45"), Decimal(0), 7),
    ]


def _recorder(database: Database, pid: int) -> Any:
    def record(*events: object) -> list[str]:
        with _statements(database) as sent, database.transaction() as repository:
            repository.writer.record_events(pid, list(events), recorded_at=LATER)  # type: ignore[arg-type]
        return [s for s in sent if "positions" in s]

    return record
