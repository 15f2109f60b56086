"""``Database.on_commit``: listeners hear a transaction's numbered outbox entries after it has
committed (another connection already sees them), never for a rollback or a dry run, and a
listener that fails neither undoes the commit nor silences the others."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

import pytest

from paperdesk.domain.records import OutboxEntry
from paperdesk.store import Database

NOW = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)


def publish(database: Database, *kinds: str) -> None:
    with database.transaction() as repository:
        for kind in kinds:
            repository.writer.publish(None, kind, NOW, NOW, {"kind": kind})


def test_listeners_hear_committed_entries_once_they_are_visible(database: Database) -> None:
    heard: list[tuple[list[tuple[int, str]], list[int]]] = []

    def listener(entries: Sequence[OutboxEntry]) -> None:
        with database.reading() as repository:  # another connection: only committed rows
            visible = [entry.sequence for entry in repository.outbox()]
        heard.append(([(e.sequence, e.kind) for e in entries], visible))

    database.on_commit(listener)
    database.on_commit(listener)  # registering twice still tells it once
    publish(database, "a.one", "a.two")
    publish(database)  # a transaction without entries tells nobody
    publish(database, "b.one")
    assert heard == [
        ([(1, "a.one"), (2, "a.two")], [1, 2]),
        ([(3, "b.one")], [1, 2, 3]),
    ]


def test_no_listener_hears_a_rollback_or_a_dry_run(database: Database) -> None:
    heard: list[Sequence[OutboxEntry]] = []
    database.on_commit(heard.append)

    def failing_unit() -> None:
        with database.transaction() as repository:
            repository.writer.publish(None, "never", NOW, NOW, {})
            raise RuntimeError("rolled back")

    with pytest.raises(RuntimeError, match="rolled back"):
        failing_unit()
    with database.dry_transaction() as repository:
        repository.writer.publish(None, "dry", NOW, NOW, {})
    assert heard == []
    with database.reading() as repository:
        assert repository.outbox() == []
        assert repository.outbox_last_sequence() == 0


def test_a_failing_listener_neither_undoes_the_commit_nor_silences_others(
    database: Database, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(_entries: Sequence[OutboxEntry]) -> None:
        raise ValueError("listener bug")

    heard: list[Sequence[OutboxEntry]] = []
    database.on_commit(broken)
    database.on_commit(heard.append)
    publish(database, "c.one")
    assert [entry.kind for entry in heard[0]] == ["c.one"]
    with database.reading() as repository:
        assert repository.outbox_last_sequence() == 1
    assert "a commit listener failed" in caplog.text
