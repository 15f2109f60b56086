"""Checking a pooled PostgreSQL connection before use: only after it sat idle.

SQLAlchemy's ``pool_pre_ping`` asks the server a trivial question at every checkout of a
pooled connection: a network round trip each time, two per live tick (its read before the
lock and its transaction), each waiting for the server process to be scheduled. A connection
that was back in the pool for less than ``IDLE_SECONDS`` was just used successfully, so it is
taken as it is; one idle longer (a worker's next tick minutes later, an API after a quiet
spell) is pinged first, with the same outcome as the pre-ping: a dead connection invalidates
the pool (every connection opened before it) and the checkout gets a new one. This is
SQLAlchemy's documented pessimistic check on the pool's ``checkout`` event.

What is given up: a server that restarts within ``IDLE_SECONDS`` of a connection's last use
fails the one statement that finds the connection dead (the unit of work rolls back and
reports the database unreachable, as it would had it been running at that moment); SQLAlchemy
then invalidates the pool, so the next unit of work connects afresh.
"""

from __future__ import annotations

import time
from typing import Any

from sqlalchemy import Engine, event
from sqlalchemy.exc import InvalidatePoolError

IDLE_SECONDS = 1.0
_RETURNED_AT = "paperdesk_returned_at"  # the connection's last check-in (monotonic seconds)


def ping_after_idle(engine: Engine, idle_seconds: float = IDLE_SECONDS) -> None:
    """Ping ``engine``'s pooled connections at checkout when they were idle for
    ``idle_seconds`` or more (a connection just opened is not pinged)."""
    dialect = engine.dialect

    def returned(_dbapi_connection: Any, record: Any) -> None:
        record.info[_RETURNED_AT] = time.monotonic()

    def taken(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        # the record's info is emptied when its connection is invalidated: a new one is fresh
        returned_at = record.info.get(_RETURNED_AT)
        if returned_at is None or time.monotonic() - returned_at < idle_seconds:
            return
        try:
            dialect.do_ping(dbapi_connection)
        except dialect.loaded_dbapi.Error as error:
            if dialect.is_disconnect(error, dbapi_connection, None):
                raise InvalidatePoolError(f"a pooled connection was closed: {error}") from error
            raise

    event.listen(engine, "checkin", returned)
    event.listen(engine, "checkout", taken)
