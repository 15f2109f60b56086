"""The application one process of ``paperdesk serve --workers N`` serves.

uvicorn starts each worker as a fresh (spawned) process that imports ``application`` and calls
it: the process builds its own service container from the environment (``DATABASE_URL``,
``REDIS_URL``, ``PAPERDESK_*``; the parent put the log level and format it resolved there),
so the workers share nothing in memory. What must hold across them lives in the database or in
Redis: the ledger and its revisions (a process's state cache is used only while the
portfolio's revision is the one it kept), idempotency keys, the outbox, and, through Redis,
the rate limits and the wake-ups of the other processes' event streams.
"""

from __future__ import annotations

import atexit

from fastapi import FastAPI

from paperdesk.service import Services


def application() -> FastAPI:
    """A worker's application on a container of its own, closed when the process exits."""
    from paperdesk.api.app import create_app
    from paperdesk.api.streams.transport import tune_garbage_collector
    from paperdesk.service.logs import configure_logging, resolve

    configure_logging(resolve())
    container = Services()
    container.database  # noqa: B018 (opened before the first request; the parent migrated it)
    atexit.register(container.close)
    served = create_app(container)
    tune_garbage_collector()  # after start-up's allocations (docs/api-streams.md)
    return served
