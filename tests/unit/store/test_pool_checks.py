"""A pooled PostgreSQL connection is pinged before use only after it sat idle
(``store/pool_checks.py``): one used again at once costs no round trip, one idle longer whose
server process went away is replaced before the unit of work runs."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, create_engine, text

from paperdesk.domain import DataError
from paperdesk.store import Database, normalise_url
from paperdesk.store.pool_checks import ping_after_idle


@pytest.fixture
def ledger(migrated_postgres_schema_url: str) -> Iterator[Database]:
    database = Database(migrated_postgres_schema_url)
    yield database
    database.close()


def _count_pings(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> list[int]:
    pings: list[int] = []
    dialect = engine.dialect
    real = dialect.do_ping

    def counted(dbapi_connection: object) -> bool:
        pings.append(1)
        return real(dbapi_connection)

    monkeypatch.setattr(dialect, "do_ping", counted)
    return pings


def _backend(engine: Engine) -> int:
    with engine.connect() as connection:
        return int(connection.execute(text("SELECT pg_backend_pid()")).scalar_one())


def _terminate(server: str, pid: int) -> None:
    admin = create_engine(normalise_url(server))
    with admin.begin() as connection:
        connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    admin.dispose()


def test_a_connection_used_again_at_once_is_not_pinged(
    ledger: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    pings = _count_pings(ledger.engine, monkeypatch)
    first = _backend(ledger.engine)
    for _ in range(5):
        assert _backend(ledger.engine) == first  # the same pooled connection, as it is
    with ledger.transaction() as repository:
        repository.portfolios()
    assert pings == []


def test_an_idle_connection_is_pinged_and_replaced_when_its_server_process_is_gone(
    ledger: Database, postgres_server: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = create_engine(ledger.url)
    ping_after_idle(engine, idle_seconds=0.0)  # every connection counts as idle
    pings = _count_pings(engine, monkeypatch)
    first = _backend(engine)  # a new connection: not pinged
    assert pings == []
    assert _backend(engine) == first  # back in the pool, pinged, alive: kept
    _terminate(postgres_server, first)
    second = _backend(engine)  # pinged, found dead, replaced: no error
    assert second != first
    assert len(pings) == 2
    engine.dispose()


def test_a_connection_killed_right_after_use_fails_one_unit_then_the_pool_recovers(
    ledger: Database, postgres_server: str
) -> None:
    """The trade-off of not pinging a connection just used: the statement that finds it dead
    fails (reported as the database unreachable); SQLAlchemy invalidates the pool, so the
    next use connects afresh."""
    first = _backend(ledger.engine)
    _terminate(postgres_server, first)
    with pytest.raises(DataError, match="cannot use the database"):
        ledger.ping()
    ledger.ping()
    assert _backend(ledger.engine) != first
