"""The end of a unit of work (``LedgerWriter.finish``): its outbox entries numbered in the
order published and stored as given, and the watched portfolios' revisions as the unit leaves
them. On PostgreSQL this is one statement (``store/outbox_writes.py``); the same rows come
back on both databases."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

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
