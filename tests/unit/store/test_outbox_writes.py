"""The end of a unit of work (``LedgerWriter.finish``): its outbox entries numbered in the
order published and stored as given, and the watched portfolios' revisions as the unit leaves
them. On PostgreSQL this is one statement (``store/outbox_writes.py``), on SQLite two (the
counter's bump returning the revisions, then the entries); the same rows come back on both
databases."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

from sqlalchemy import event

from ledger_support import bare_portfolio
from paperdesk.config import RunConfig
from paperdesk.store import Database

AT = datetime(2024, 3, 4, 15, 30, tzinfo=UTC)


def test_entries_are_numbered_in_order_and_stored_as_given(database: Database) -> None:
    pid = bare_portfolio(database, AT, "outbox", RunConfig().to_json())
    with database.reading() as repository:
        before = repository.outbox_last_sequence()
    payloads = [
        {"text": 'naïve ✓ "quoted"', "nested": {"list": [1, 2.5, None, True]}},
        {"price": "101.2500", "empty": {}},
        {},
    ]
    eastern = timezone(timedelta(hours=-5))
    with database.transaction() as repository:
        writer = repository.writer
        writer.publish(pid, "first", AT, AT, payloads[0])
        writer.publish(None, "no.portfolio", AT.astimezone(eastern), AT, payloads[1])
        writer.publish(pid, "third", AT, AT + timedelta(seconds=1), payloads[2])
    with database.reading() as repository:
        entries = repository.outbox(after=before)
        assert repository.outbox_last_sequence() == before + 3
    assert [entry.sequence for entry in entries] == [before + 1, before + 2, before + 3]
    assert [entry.kind for entry in entries] == ["first", "no.portfolio", "third"]
    assert [entry.portfolio_id for entry in entries] == [pid, None, pid]
    assert [entry.payload for entry in entries] == payloads
    assert [entry.ts_event for entry in entries] == [AT, AT, AT]
    assert entries[1].ts_event.tzinfo == UTC
    assert entries[2].ts_recorded == AT + timedelta(seconds=1)


def test_the_revisions_read_are_those_the_unit_leaves(database: Database) -> None:
    pid = bare_portfolio(database, AT, "outbox", RunConfig().to_json())
    with database.transaction() as repository:
        writer = repository.writer
        writer.watch(pid)
        writer.save_cursor(pid, "SPY", "1h", last_price=Decimal("101.25"))  # bumps it
        writer.publish(pid, "tick", AT, AT, {"n": 1})
    with database.reading() as repository:
        stored = repository.portfolio(pid).revision
    assert writer.revisions == {pid: stored}
    with database.transaction() as repository:  # watched, nothing published
        repository.writer.watch(pid)
        repository.writer.save_cursor(pid, "SPY", "1h", last_price=Decimal("101.50"))
    with database.reading() as repository:
        assert repository.writer.revisions == {}
        assert repository.portfolio(pid).revision > stored


def test_the_revisions_of_several_portfolios_and_of_one_not_there(database: Database) -> None:
    first = bare_portfolio(database, AT, "first", RunConfig().to_json())
    second = bare_portfolio(database, AT, "second", RunConfig().to_json())
    with database.transaction() as repository:
        writer = repository.writer
        for pid in (second, first, 10**9):  # the last is no portfolio: not in the revisions
            writer.watch(pid)
        writer.save_cursor(first, "SPY", "1h", last_price=Decimal("99.5"))
        writer.save_cursor(first, "QQQ", "1h", last_price=Decimal("301.5"))
        writer.publish(first, "tick", AT, AT, {"n": 1})
        # an ORM change still pending when the unit ends (the status bumps the revision):
        # written before the revisions are read
        writer.archive_portfolio(second, AT)
    with database.reading() as repository:
        stored = {pid: repository.portfolio(pid).revision for pid in (first, second)}
        assert repository.portfolio(second).status == "archived"
    assert stored[first] != stored[second]
    assert writer.revisions == stored


def test_on_sqlite_the_counters_bump_reads_the_revisions(database: Database) -> None:
    """No SELECT of the revisions of its own after the unit's last write: the counter's
    UPDATE returns them (two statements at the end of the unit where there were three)."""
    if database.dialect != "sqlite":
        return  # PostgreSQL: one statement for all three (test above, store/outbox_writes.py)
    pid = bare_portfolio(database, AT, "outbox", RunConfig().to_json())
    sent: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        sent.append(" ".join(statement.split()))

    event.listen(database.engine, "before_cursor_execute", count)
    try:
        with database.transaction() as repository:
            writer = repository.writer
            writer.watch(pid)
            writer.save_cursor(pid, "SPY", "1h", last_price=Decimal("101.25"))
            writer.publish(pid, "tick", AT, AT, {"n": 1})
            written = len(sent)
    finally:
        event.remove(database.engine, "before_cursor_execute", count)
    end = sent[written:]
    assert len(end) == 2, end
    assert end[0].startswith("UPDATE outbox_counter"), end
    assert "revision" in end[0], end
    assert end[1].startswith("INSERT INTO outbox"), end
    assert not [s for s in sent if s.startswith("SELECT") and "revision" in s], sent
