"""A SQLite file's units of work on connections kept between units, out of the pool.

A unit of work (``Database.transaction``) took a connection out of SQLAlchemy's pool, made a
``Connection`` for it, began, committed, then closed the ``Connection`` and checked the
connection back in (the pool's reset included), all for one transaction: about a third of the
unit's scaffolding (136 -> 90 us a unit in ``benchmarks/bench_unit_scaffold.py``, whose two
units an order with its cancel takes; docs/live-speed.md, "Orders over HTTP, seventeenth pass").

``KeptConnections`` keeps instead a few pairs of one ``Connection`` and one ORM session bound to it:
a unit takes an idle pair (or makes one: a connection from the pool, a session of the database's
session maker bound to it), begins on it, and gives it back when the unit ends. The session begins
and commits the connection's transaction exactly as it does one it checked out itself (SQLite's
``BEGIN IMMEDIATE`` by the engine's ``begin`` listener, the same statements, the same COMMIT). A
SQLite file's write units run one at a time (its writer queue), so one pair serves a process, and a
second only a unit opened inside another in the same thread. A unit that raises is rolled back as
before and its pair kept; a pair whose connection was invalidated or is still in a transaction (a
failed COMMIT or ROLLBACK) is not: its connection goes back to the pool (closed), and the next unit
makes a new pair. After ``engine.dispose()`` (a new pool: new connections, with whatever the
``connect`` listeners now do) the idle pairs are closed and new ones made. ``close``
(``Database.close``) closes the idle pairs; a forked child leaves its
parent's pairs alone (a SQLite connection is not to be used, nor closed, across a fork) and makes
its own.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from sqlalchemy import Connection, Engine

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

Pair = tuple[Connection, "Session"]


class KeptConnections:
    """The idle (connection, session) pairs of one SQLite file's units of work."""

    def __init__(self, engine: Engine, sessions: Callable[[Connection], Session]) -> None:
        self._engine = engine
        self._sessions = sessions  # a session bound to the connection given
        self._idle: list[Pair] = []
        self._inherited: list[Pair] = []  # a forked child's parent's pairs: never touched
        self._owner = os.getpid()
        self._lock = threading.Lock()
        self._closed = False  # after close: a unit still running gives its connection back
        self._pool = engine.pool  # the pool the idle pairs' connections came from

    @contextmanager
    def unit(self) -> Iterator[Session]:
        """A session in one transaction on a kept connection: committed when the block ends,
        rolled back if it raises, then closed; the pair kept for the next unit when its
        connection is sound (valid, open, in no transaction, the driver's included)."""
        connection, session = pair = self._take()
        try:
            with session.begin():
                yield session
        finally:
            try:
                session.close()
            finally:
                with self._lock:
                    keep = not self._closed and _sound(connection)
                    if keep:
                        self._idle.append(pair)
                if not keep:
                    connection.close()

    def close(self) -> None:
        """Close the idle pairs (their connections back to the pool, which may then be
        disposed)."""
        with self._lock:
            pairs, self._idle, self._closed = self._idle, [], True
        for connection, session in pairs:
            try:
                session.close()
            finally:
                connection.close()

    def _take(self) -> Pair:
        with self._lock:
            if os.getpid() != self._owner:  # a forked child: its parent's pairs stay unused
                self._inherited.extend(self._idle)
                self._idle, self._owner = [], os.getpid()
            self._closed = False  # the database is used again after its close
            stale: list[Pair] = []
            if self._engine.pool is not self._pool:  # disposed: new connections from now on
                stale, self._idle, self._pool = self._idle, [], self._engine.pool
            elif self._idle:
                return self._idle.pop()
        for connection, session in stale:
            session.close()
            connection.close()
        connection = self._engine.connect()
        try:
            return connection, self._sessions(connection)
        except BaseException:
            connection.close()
            raise


def _sound(connection: Connection) -> bool:
    """Whether ``connection`` may serve the next unit: not invalidated or closed, and neither
    it nor its driver connection in a transaction (a failed COMMIT or ROLLBACK)."""
    if connection.invalidated or connection.closed or connection.in_transaction():
        return False
    driver = connection.connection.driver_connection
    return not getattr(driver, "in_transaction", False)
