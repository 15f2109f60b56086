"""The pieces ``paperdesk up`` runs in one process: the API's uvicorn server on a socket bound
before anything else happens, and the worker's rounds in a thread, stopped together.

One process, not supervised subprocesses: the worker and the API share one service container
(one database engine, one clock, one DataManager), the worker's commits wake the API's event
streams in the same process without Redis, and one Ctrl-C has one place to stop everything.
The worker's rounds are blocking database work, so they run in a thread of their own rather
than on the server's event loop.
"""

from __future__ import annotations

import asyncio
import errno
import logging
import socket
import threading
from collections.abc import Callable, Generator
from contextlib import contextmanager, suppress
from typing import TYPE_CHECKING

import uvicorn

from paperdesk.domain import PaperdeskError

if TYPE_CHECKING:
    from paperdesk.service.worker import Worker

log = logging.getLogger(__name__)

# After a second stop, how long the application's own shutdown may take (it closes the
# service's connections and the streams' listeners: milliseconds).
FORCED_SHUTDOWN_SECONDS = 5.0
ANY_ADDRESS = {"0.0.0.0": "127.0.0.1", "::": "::1", "": "127.0.0.1"}


def listening_socket(host: str, port: int) -> socket.socket:
    """A socket bound to ``host:port`` (port 0: a free one), or a clear error naming them.

    Bound before the ledger is touched, so a busy port changes nothing, and handed to uvicorn,
    so no other process can take the port between the check and the server's start."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    listener = socket.socket(family, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn binds
    try:
        listener.bind((host, port))
    except OSError as error:
        listener.close()
        if error.errno == errno.EADDRINUSE:
            raise PaperdeskError(
                f"port {port} on {host} is already in use (another paperdesk up or serve?): "
                "stop that program, or choose another port with --port PORT (--port 0 picks a "
                "free one)"
            ) from None
        raise PaperdeskError(
            f"cannot listen on {host}:{port}: {error.strerror or error}; check --host and --port"
        ) from None
    return listener


def browser_address(host: str, port: int) -> str:
    """``http://HOST:PORT`` as a browser on this machine reaches it (a wildcard address is
    reached through the loopback one)."""
    shown = ANY_ADDRESS.get(host, host)
    if ":" in shown:
        shown = f"[{shown}]"
    return f"http://{shown}:{port}"


class PlatformServer(uvicorn.Server):
    """uvicorn's server, minus its own signal handling (the command's handler stops the worker
    and the server together), telling ``on_ready`` once it accepts connections."""

    def __init__(self, config: uvicorn.Config, on_ready: Callable[[], None]) -> None:
        super().__init__(config)
        self._on_ready = on_ready

    @contextmanager
    def capture_signals(self) -> Generator[None, None, None]:
        yield

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets=sockets)
        if self.started:
            self._on_ready()

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        """uvicorn's shutdown; after a second stop (``force_exit``: requests in flight are no
        longer waited for) the application's own shutdown still runs, bounded: uvicorn skips
        it then, and asyncio then cancels the application's lifespan task, which uvicorn logs
        as an error with a traceback."""
        await super().shutdown(sockets=sockets)
        if self.force_exit:
            with suppress(TimeoutError):
                async with asyncio.timeout(FORCED_SHUTDOWN_SECONDS):
                    await self.lifespan.shutdown()


class Platform:
    """The server and, unless switched off, the worker's thread: started once the server is
    ready, stopped together (``stop`` is safe from a signal handler)."""

    def __init__(self, server: PlatformServer | None, worker: Worker | None) -> None:
        self.server = server
        self.worker = worker
        self.stopping = False
        self._thread: threading.Thread | None = None

    def start_worker(self) -> None:
        if self.worker is None or self._thread is not None or self.stopping:
            return
        self._thread = threading.Thread(target=self._run_worker, name="paperdesk-worker")
        self._thread.start()

    def _run_worker(self) -> None:
        assert self.worker is not None
        try:
            self.worker.run()
        except Exception:  # Worker.run survives a failed round; anything else ends it loudly
            log.exception("the worker stopped with an error; the API keeps running")

    def stop(self) -> None:
        """Stop the worker after its tick in progress and the server gracefully; a second
        call (a second Ctrl-C) no longer waits for requests in flight."""
        if self.stopping and self.server is not None:
            self.server.force_exit = True
        self.stopping = True
        if self.worker is not None:
            self.worker.stop()
        if self.server is not None:
            self.server.should_exit = True

    def join(self) -> None:
        """Stop the worker (if still running) and wait for its tick in progress to commit."""
        if self.worker is not None:
            self.worker.stop()
        if self._thread is not None:
            self._thread.join()
