"""``Database.after_commit``: the one hook through which commits are announced. It is called
with the last sequence number after a transaction that published entries committed, never for
one that rolled back, was dry or published nothing; a failing listener leaves the commit."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from outbox_support import entries
from paperdesk.store import Database

MOMENT = datetime(2021, 3, 31, 21, tzinfo=UTC)


def _create(database: Database, name: str) -> int:
    with database.transaction() as repository:
        return repository.writer.create_portfolio(
            name=name,
            base_currency="USD",
            starting_cash=Decimal(1000),
            settings={},
            created_at=MOMENT,
        )


def test_listeners_hear_the_last_sequence_of_each_commit_that_published(
    database: Database,
) -> None:
    heard: list[int] = []

    def failing(_sequence: int) -> None:
        raise ConnectionError("the wake-up channel is down")

    database.after_commit(failing)  # logged; the commit and the next listener go on
    database.after_commit(heard.append)
    first = _create(database, "one")
    with database.transaction() as repository:  # two entries in one transaction
        repository.writer.rename_portfolio(first, "renamed", MOMENT)
        repository.writer.archive_portfolio(first, MOMENT)
    with database.transaction() as repository:  # nothing published: nobody is woken
        repository.portfolio(first)
    with database.dry_transaction() as repository:
        repository.writer.rename_portfolio(first, "dry", MOMENT)
    with pytest.raises(RuntimeError):
        _rename_then_fail(database, first)

    committed = entries(database)
    assert [entry.sequence for entry in committed] == [1, 2, 3]
    assert heard == [1, 3]


def _rename_then_fail(database: Database, portfolio_id: int) -> None:
    with database.transaction() as repository:
        repository.writer.rename_portfolio(portfolio_id, "rolled back", MOMENT)
        raise RuntimeError("the unit fails before its commit")
