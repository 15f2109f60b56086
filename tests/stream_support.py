"""A real server on a real socket for the stream tests: the application on uvicorn in a thread
on 127.0.0.1 (a port of its own; the test fails if the server logs an error), clients from the
official ``websockets`` library, and a
portfolio whose ticks on the bundled SPY bars fill, close a round trip and mark equity."""

from __future__ import annotations

import json
import logging
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import uvicorn
from websockets.sync.client import ClientConnection, connect

from ledger_support import after_close, spy_history
from paperdesk.api import create_app
from paperdesk.config import RunConfig, StrategySpec
from paperdesk.domain.records import OutboxEntry
from paperdesk.live import FixedClock
from paperdesk.service import Services

HISTORY = spy_history()
# the MACD cross on SPY buys on the 2020-01-03 bar and sells on 2020-01-06 (see test_outbox)
DAYS = ("2019-12-31", "2020-01-02", "2020-01-03", "2020-01-06", "2020-01-07")
CONTROL = frozenset({"subscribed", "symbols", "error"})
WAIT_SECONDS = 20  # a generous bound for one message on a busy machine (not a speed target)
STARTUP_SECONDS = 60


@contextmanager
def serving(services: Services) -> Iterator[str]:
    """``ws://127.0.0.1:PORT`` of the application on ``services``, served until the block ends."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    config = uvicorn.Config(create_app(services), log_level="warning", ws="auto")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [listener]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + STARTUP_SECONDS
    while not server.started:
        assert thread.is_alive(), "uvicorn stopped while starting"
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.02)
    errors = _ErrorRecords()
    watched = [logging.getLogger(name) for name in ("uvicorn.error", "paperdesk")]
    for logger in watched:
        logger.addHandler(errors)
    try:
        yield f"ws://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(STARTUP_SECONDS)
        listener.close()
        for logger in watched:
            logger.removeHandler(errors)
    assert not errors.records, f"the server logged errors: {errors.records}"


class _ErrorRecords(logging.Handler):
    """Errors the server logged (a traceback of an unhandled exception among them)."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(self.format(record))


def client(url: str, path: str, token: str | None = None, **query: Any) -> ClientConnection:
    """A connected client; the key (when given) in the ``Authorization`` header."""
    text = "&".join(f"{name}={value}" for name, value in query.items())
    headers = {"Authorization": f"Bearer {token}"} if token else None
    return connect(f"{url}{path}{'?' + text if text else ''}", additional_headers=headers)


def receive(connection: ClientConnection) -> dict[str, Any]:
    message: dict[str, Any] = json.loads(connection.recv(timeout=WAIT_SECONDS))
    return message


def subscribed(connection: ClientConnection) -> dict[str, Any]:
    """The stream's first message: where its live part starts."""
    message = receive(connection)
    assert message["type"] == "subscribed", message
    return message


def events(connection: ClientConnection, count: int) -> list[dict[str, Any]]:
    """The next ``count`` event messages (control messages skipped)."""
    found: list[dict[str, Any]] = []
    while len(found) < count:
        message = receive(connection)
        if message["type"] not in CONTROL:
            found.append(message)
    return found


def events_through(connection: ClientConnection, sequence: int) -> list[dict[str, Any]]:
    """Event messages up to and including the one numbered ``sequence``."""
    found: list[dict[str, Any]] = []
    while not found or found[-1]["sequence"] < sequence:
        message = receive(connection)
        if message["type"] not in CONTROL:
            found.append(message)
    return found


@dataclass
class Desk:
    """Services on a clock the test moves, and one portfolio trading SPY."""

    services: Services
    clock: FixedClock
    portfolio_id: int
    day: int = -1  # the index in DAYS of the last bar ticked

    def tick(
        self, portfolio_id: int | None = None, symbol: str = "SPY", *, next_day: bool = True
    ) -> None:
        """The next day's bar closes (or, not ``next_day``, the same one again) and the
        portfolio ticks it (one transaction)."""
        if next_day:
            self.day += 1
            self.clock.set(after_close(HISTORY, DAYS[self.day]))
        self.services.portfolios.tick(portfolio_id or self.portfolio_id, symbol)

    def entries(self, after: int) -> list[OutboxEntry]:
        return self.services.outbox.entries(after=after, limit=10**6)


def desk(services_database: Any) -> Desk:
    """A desk on ``services_database`` (a ``Database``) at the close of 2019-12-31."""
    clock = FixedClock(after_close(HISTORY, DAYS[0]))
    services = Services(database=services_database, clock=clock)
    portfolio_id = create(services, "streams", "SPY")
    return Desk(services, clock, portfolio_id)


def create(services: Services, name: str, symbol: str) -> int:
    settings = RunConfig(strategies=(StrategySpec("macd-cross"),), symbols=(symbol,))
    return services.portfolios.create_portfolio(name, Decimal(10000), settings=settings)


def closed(connection: ClientConnection) -> tuple[int, str]:
    """The close code and reason the server ended the connection with (after any messages)."""
    import pytest
    from websockets.exceptions import ConnectionClosed

    with pytest.raises(ConnectionClosed) as ended:
        _read_until_closed(connection)
    received = ended.value.rcvd
    assert received is not None, "the server did not send a close frame"
    return received.code, received.reason


def _read_until_closed(connection: ClientConnection) -> None:
    while True:
        connection.recv(timeout=WAIT_SECONDS)
