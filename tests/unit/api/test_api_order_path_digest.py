"""The order path's fifteenth pass changes no answer and no row: the scripted order sequence
(``order_sequence.play``: every answer, then every row of every table) gives the same digest
on fresh ledgers with the pass's paths (the event documents by dispatch, the connection asked
once a transaction, a thread's session reused, the placement's and the cancel's answers
written by pydantic) and with the paths they replace. SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from api_fixtures import Harness
from order_sequence import play

from answer_words import FieldWordsClient
from paperdesk.api import create_app, idempotency
from paperdesk.service import Services
from paperdesk.store import Database, event_documents, prebuilt, writer


@pytest.fixture(params=["sqlite", "postgresql"])
def fresh_ledgers(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Callable[[], str]]:
    """Makes the URLs of new migrated ledgers of one database."""
    taken: list[str] = []
    pool: Any = None if request.param == "sqlite" else request.getfixturevalue("postgres_schemas")

    def make() -> str:
        if pool is None:
            folder = tmp_path / f"ledger-{len(taken)}"
            folder.mkdir()
            request.getfixturevalue("sqlite_template").copy_to(folder / "ledger.db")
            taken.append(str(folder))
            return f"sqlite:///{folder / 'ledger.db'}"
        taken.append(pool.take())
        return str(pool.url(taken[-1]))

    yield make
    if pool is not None:
        for schema in taken:
            pool.give_back(schema)


def _played(url: str) -> tuple[str, int, int]:
    database = Database(url)
    services = Services(database=database)
    try:
        keys = services.api_keys
        harness = Harness(
            client=FieldWordsClient(create_app(services)),
            services=services,
            url=url,
            admin=keys.create("admin", "admin").token,
            trader=keys.create("trader", "trade").token,
            reader=keys.create("reader", "read").token,
        )
        with harness.client:
            return play(harness)
    finally:
        services.close()
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
