"""The order path's fifteenth pass changes no answer and no row: the scripted order sequence
(``order_sequence.play``: every answer, then every row of every table) gives the same digest
on fresh ledgers with the pass's paths (the event documents by dispatch, the connection asked
once a transaction, a thread's session reused, the placement's and the cancel's answers
written by pydantic) and with the paths they replace. SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from api_fixtures import open_harness
from ledger_urls import FreshLedgers
from order_sequence import play

from paperdesk.api import idempotency
from paperdesk.store import Database, event_documents, prebuilt, writer


@pytest.fixture(params=["sqlite", "postgresql"])
def fresh_ledgers(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Callable[[], str]]:
    """Makes the URLs of new migrated ledgers of one database."""
    ledgers = FreshLedgers(request, request.param, tmp_path)
    yield ledgers.make
    ledgers.close()


def _played(url: str) -> tuple[str, int, int]:
    database = Database(url)
    try:
        with open_harness(database, close_services=True) as harness:
            return play(harness)
    finally:
        database.close()


def test_the_scripted_sequence_answers_and_writes_the_same_by_the_replaced_paths(
    fresh_ledgers: Callable[[], str], monkeypatch: pytest.MonkeyPatch
) -> None:
    now = _played(fresh_ledgers())
    monkeypatch.setattr(writer, "event_document", event_documents.generic_document)
    monkeypatch.setattr(prebuilt, "unit_connection", lambda session: session.connection())
    monkeypatch.setattr(idempotency, "WRITTEN_BY_PYDANTIC", frozenset())
    monkeypatch.setattr(Database, "_unit_session", lambda self: self._sessions.begin())
    before = _played(fresh_ledgers())
    assert now == before
    assert now[1] == 50  # answers
    assert now[2] > 100  # rows
