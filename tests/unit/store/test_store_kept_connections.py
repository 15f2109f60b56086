"""A SQLite file's units of work run on a connection kept between them, out of the pool
(``store/unit_connections.py``): no checkout after the first unit, each unit still begun
``IMMEDIATE`` and committed (another connection reads what it wrote), a refused unit rolled
back, a unit inside another on a second connection, and ``Database.close`` gives the kept
connections back. PostgreSQL keeps taking one from the pool per unit."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import event

from paperdesk.config import RunConfig
from paperdesk.service.portfolios import PortfolioService
from paperdesk.store import Database
from paperdesk.store.models import PortfolioRow


class RefusedError(Exception):
    pass


@contextmanager
def _noted(database: Database, *names: str) -> Iterator[list[str]]:
    noted: list[str] = []
    listeners = {name: (lambda *_arguments, name=name: noted.append(name)) for name in names}
    for name, listener in listeners.items():
        event.listen(database.engine, name, listener)
    try:
        yield noted
    finally:
        for name, listener in listeners.items():
            event.remove(database.engine, name, listener)


def _rename(database: Database, pid: int, name: str, *, refuse: bool = False) -> None:
    with database.transaction() as repository:
        session = repository.session_of(database)
        assert session is not None
        row = session.get(PortfolioRow, pid)
        assert row is not None
        row.name = name
        session.flush()
        if refuse:
            raise RefusedError


def _name_read_apart(database: Database, pid: int) -> str:
    """The portfolio's name as a connection of another engine reads it (committed rows)."""
    other = Database(database.url, migrate=False)
    try:
        with other.reading() as repository:
            return repository.portfolio(pid).name
    finally:
        other.close()


def test_a_sqlite_files_units_keep_one_connection_out_of_the_pool(database: Database) -> None:
    pid = PortfolioService(database).create_portfolio(
        "kept", Decimal(1000), settings=RunConfig(symbols=("SPY",))
    )
    kept = database.file is not None
    with _noted(database, "checkout", "begin", "commit", "rollback") as noted:
        for number in range(4):
            _rename(database, pid, f"name {number}")
            assert _name_read_apart(database, pid) == f"name {number}"  # committed
        with pytest.raises(RefusedError):
            _rename(database, pid, "refused", refuse=True)
        _rename(database, pid, "after the refusal")
    assert _name_read_apart(database, pid) == "after the refusal"  # the refusal left nothing
    assert noted.count("begin") == 6
    assert noted.count("commit") == 5
    assert noted.count("rollback") == 1
    assert noted.count("checkout") == (0 if kept else 6)

    # a unit inside another (which has not begun: its connection would hold SQLite's write
    # lock): a connection of its own, the kept one staying the outer unit's
    with _noted(database, "checkout") as taken, database.transaction() as outer:
        _rename(database, pid, "inner")
        assert outer.session_of(database) is not None
    assert _name_read_apart(database, pid) == "inner"
    assert taken == ["checkout"]

    pool: Any = database.engine.pool
    assert pool.checkedout() == (2 if kept else 0)  # the two kept connections, idle
    database.close()
    assert pool.checkedout() == 0
