"""A thread's units of work reuse the session it closed after its last unit: the same rows and
rollbacks as a new session, nothing of the last unit held, never a session another unit (in
this thread or another) is using. SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from sqlalchemy.orm import Session

from paperdesk.config import RunConfig
from paperdesk.service.portfolios import PortfolioService
from paperdesk.store import Database
from paperdesk.store.models import PortfolioRow


class RefusedError(Exception):
    pass


def test_a_thread_reuses_its_closed_session_and_a_unit_in_use_keeps_its_own(
    database: Database,
) -> None:
    service = PortfolioService(database)
    pid = service.create_portfolio("reused", Decimal(1000), settings=RunConfig(symbols=("SPY",)))
    sessions = []
    with database.transaction() as repository:
        sessions.append(repository._session)
        row = repository._session.get(PortfolioRow, pid)
        assert row is not None
        row.name = "first"
    with pytest.raises(RefusedError):
        _refused_unit(database, pid, sessions)
    with database.transaction() as repository:
        sessions.append(repository._session)
        assert repository.portfolio(pid).name == "first"  # the refused unit left nothing
    assert sessions[0] is sessions[1] is sessions[2]
    with database._unit_session() as outer, database._unit_session() as inner:
        assert outer is sessions[0]
        assert inner is not outer  # in use: never handed to another unit
    other: list[object] = []
    thread = threading.Thread(target=lambda: other.append(_unit_session_of(database)))
    thread.start()
    thread.join()
    assert len(other) == 1
    if database._kept is None:
        assert other[0] is not sessions[0]  # another thread's own
    else:  # a SQLite file's units, one at a time: the idle session of its kept connection
        assert other[0] is sessions[0]


def _unit_session_of(database: Database) -> object:
    with database.transaction() as repository:
        repository.portfolio_status(1)
        return repository._session


def _refused_unit(database: Database, pid: int, sessions: list[Session]) -> None:
    """A unit that writes (flushed) and then raises: rolled back."""
    with database.transaction() as repository:
        sessions.append(repository._session)
        assert not repository._session.identity_map  # nothing of the last unit held
        row = repository._session.get(PortfolioRow, pid)
        assert row is not None
        row.name = "rolled back"
        repository._session.flush()
        raise RefusedError
