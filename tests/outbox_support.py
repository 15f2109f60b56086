"""Checks of the event outbox shared by the outbox and restore tests: the sequence, the counter,
each committed tick's entries against the rows that tick wrote, and the payloads' exact values."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from decimal import Decimal
from enum import Enum
from typing import Any

from sqlalchemy import Engine, create_engine, select, text
from sqlalchemy.pool import NullPool

from paperdesk.domain import Fill, Order, Position, Trade
from paperdesk.domain.records import OutboxEntry
from paperdesk.store import Database
from paperdesk.store.models import Base

EVENT_KINDS = frozenset(
    {
        "order.accepted",
        "order.rejected",
        "order.filled",
        "order.canceled",
        "order.expired",
        "order.modified",
        "signal.accepted",
        "signal.rejected",
        "position.opened",
        "position.changed",
        "position.closed",
    }
)
AUDITED_KINDS = EVENT_KINDS - {
    "signal.accepted",
    "position.opened",
    "position.changed",
    "position.closed",
}
EVERYTHING = 10**9  # a limit no test reaches


def entries(database: Database, *, after: int = 0) -> list[OutboxEntry]:
    with database.reading() as repository:
        return repository.outbox(after=after, limit=EVERYTHING)


def last_sequence(database: Database) -> int:
    """The counter row: the last sequence number handed out."""
    with database.engine.connect() as connection:
        value = connection.execute(text("SELECT last_sequence FROM outbox_counter WHERE id = 1"))
        return int(value.scalar_one())


def plain_engine(database: Database) -> Engine:
    """An engine for reads beside running writers: no IMMEDIATE transaction on SQLite, one
    statement (one snapshot) per read on PostgreSQL."""
    return create_engine(database.url, poolclass=NullPool)


def visible_sequences(engine: Engine) -> tuple[int, int, int]:
    """(count, lowest, highest) of the outbox as one statement sees it."""
    with engine.connect() as connection:
        row = connection.execute(
            text(
                "SELECT count(*), coalesce(min(sequence), 0), coalesce(max(sequence), 0) "
                "FROM outbox"
            )
        ).one()
    return int(row[0]), int(row[1]), int(row[2])


def check_gap_free(database: Database) -> list[OutboxEntry]:
    """The outbox is numbered 1..N without a hole or a repeat, and the counter says N."""
    found = entries(database)
    sequences = [entry.sequence for entry in found]
    assert sequences == list(range(1, len(found) + 1)), f"outbox sequence {sequences}"
    assert last_sequence(database) == len(found), "the counter disagrees with the outbox"
    return found


# ------------------------------------------------------------------------ ticks as units


def tick_segments(found: list[OutboxEntry]) -> dict[int, list[OutboxEntry]]:
    """Each committed tick's entries by tick id: its events (sharing the tick's recorded time and
    portfolio), then its equity snapshot, then ``tick.processed``; all consecutive."""
    segments: dict[int, list[OutboxEntry]] = {}
    for index, closing in enumerate(found):
        if closing.kind != "tick.processed":
            continue
        tick_id = int(closing.payload["tick_id"])
        assert tick_id not in segments, f"tick {tick_id} published twice"
        equity = found[index - 1]
        assert (equity.kind, equity.portfolio_id) == ("portfolio.equity", closing.portfolio_id), (
            f"tick {tick_id}: the entry before tick.processed is {equity}"
        )
        start = index - 1
        while start > 0:
            before = found[start - 1]
            same_unit = (
                before.portfolio_id == closing.portfolio_id
                and before.ts_recorded == closing.ts_recorded
                and before.kind in EVENT_KINDS
            )
            if not same_unit:
                break
            start -= 1
        segments[tick_id] = found[start : index + 1]
    return segments


def check_ticks_against_rows(database: Database, found: list[OutboxEntry]) -> dict[int, list[Any]]:
    """Every committed tick has its consecutive run of entries and they match what the tick
    wrote (fills, signals, round trips, audit entries, its equity snapshot); returns the runs."""
    segments = tick_segments(found)
    rows = _rows_by_tick(database)
    assert set(segments) == set(rows["equity_snapshots"]), (
        "ticks published != ticks committed (one equity snapshot each)"
    )
    for tick_id, segment in segments.items():
        kinds = Counter(entry.kind for entry in segment)
        written = {table: tick_rows.get(tick_id, []) for table, tick_rows in rows.items()}
        assert kinds["order.filled"] == len(written["fills"]), f"tick {tick_id}: {kinds}"
        statuses = Counter(row.status for row in written["signals"])
        assert kinds["signal.accepted"] == statuses["accepted"], f"tick {tick_id}: {kinds}"
        assert kinds["signal.rejected"] == statuses["rejected"], f"tick {tick_id}: {kinds}"
        assert kinds["position.closed"] == len(written["trades"]), f"tick {tick_id}: {kinds}"
        audited = Counter(row.kind for row in written["audit_log"] if row.kind != "tick")
        assert audited == Counter({k: n for k, n in kinds.items() if k in AUDITED_KINDS})
        (snapshot,) = written["equity_snapshots"]
        equity = segment[-2].payload
        for name in ("cash", "positions_value", "equity", "realized_pnl", "unrealized_pnl"):
            assert equity[name] == str(getattr(snapshot, name)), (tick_id, name)
        assert equity["at"] == _iso(snapshot.at)
    return {tick_id: list(segment) for tick_id, segment in segments.items()}


def _rows_by_tick(database: Database) -> dict[str, dict[int, list[Any]]]:
    tables = ("fills", "signals", "trades", "audit_log", "equity_snapshots")
    found: dict[str, dict[int, list[Any]]] = {}
    with database.engine.connect() as connection:
        for name in tables:
            table = Base.metadata.tables[name]
            grouped: dict[int, list[Any]] = defaultdict(list)
            statement = select(table).where(table.c.tick_id.is_not(None)).order_by(table.c.id)
            for row in connection.execute(statement):
                grouped[row.tick_id].append(row)
            found[name] = grouped
    return found


def check_totals(database: Database, found: list[OutboxEntry], portfolio_id: int) -> None:
    """Every committed fill, signal and round trip of the portfolio has its entry, and no
    other entry of those kinds exists."""
    mine = Counter(entry.kind for entry in found if entry.portfolio_id == portfolio_id)
    with database.engine.connect() as connection:
        counts = {
            name: int(
                connection.execute(
                    text(f"SELECT count(*) FROM {name} WHERE portfolio_id = :p"),
                    {"p": portfolio_id},
                ).scalar_one()
            )
            for name in ("fills", "trades", "orders")
        }
        signals: dict[str, int] = dict(
            connection.execute(
                text(
                    "SELECT status, count(*) FROM signals WHERE portfolio_id = :p GROUP BY status"
                ),
                {"p": portfolio_id},
            ).all()
        )
    assert mine["order.filled"] == counts["fills"]
    assert mine["position.closed"] == counts["trades"]
    assert mine["signal.accepted"] == signals.get("accepted", 0)
    assert mine["signal.rejected"] == signals.get("rejected", 0)
    assert mine["order.accepted"] + mine["order.rejected"] == counts["orders"]


# ---------------------------------------------------------------------------- payloads


def utc_text(value: object) -> datetime:
    """An ISO-8601 time in UTC, as the payloads write them (offset +00:00)."""
    assert isinstance(value, str), f"{value!r} is not a time text"
    parsed = datetime.fromisoformat(value)
    assert parsed.utcoffset() == timedelta(0), f"{value} is not in UTC"
    assert value.endswith("+00:00"), f"{value} does not say its zone"
    return parsed


def _iso(value: datetime) -> str:
    assert value.utcoffset() == timedelta(0), f"{value} is not UTC"
    return value.isoformat()


def expected_document(value: Fill | Order | Position | Trade) -> dict[str, Any]:
    """A stored value as the payloads must carry it: decimals as their exact text, times in
    ISO-8601 UTC, enums by value, tuples as lists."""
    return {name: _expected(getattr(value, name)) for name in value._fields}


def _expected(value: object) -> object:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime):
        return _iso(value)
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, tuple):
        return [_expected(item) for item in value]
    return value


TIME_KEYS = frozenset({"at", "bar_open"})


def check_plain_values(document: Mapping[str, Any] | Iterable[Any], path: str = "") -> None:
    """No float but a confidence (a signal's, a setting's minimum), and every time an ISO-8601
    UTC text."""
    items = document.items() if isinstance(document, Mapping) else enumerate(document)
    for key, value in items:
        where = f"{path}.{key}"
        if isinstance(value, Mapping | list):
            check_plain_values(value, where)
            continue
        if isinstance(value, float):
            assert str(key).endswith("confidence"), f"{where} is a float: {value!r}"
        name = str(key)
        timed = name in TIME_KEYS or name == "ts" or name.startswith("ts_") or name.endswith("_at")
        if timed and value is not None:
            utc_text(value)
