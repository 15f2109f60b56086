"""One client's stream: the replay of what it missed, then the live entries, each once.

The client's subscriber is registered before the replay is read, so entries committed while the
replay runs wait in its queue; ``last_sent`` drops anything at or below what was already sent.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from starlette.websockets import WebSocket, WebSocketDisconnect

from paperdesk.api.metrics import WEBSOCKET_CLIENTS
from paperdesk.api.streams.auth import BAD_REQUEST, RefusedError
from paperdesk.api.streams.hub import Accepts, StreamHub, Subscriber
from paperdesk.api.streams.messages import StreamItem, control

log = logging.getLogger(__name__)
GONE = (WebSocketDisconnect, ConnectionError, OSError, RuntimeError)  # the client left
BEHIND = 4008  # close code: the client fell too far behind (resume with its last sequence)
Send = Callable[[StreamItem], Awaitable[None]]


class TooFarBehindError(Exception):
    """The client's queue filled: it is closed and resumes by sequence."""


class Stream:
    """Sends one subscriber's items in sequence order, never one twice."""

    def __init__(
        self, websocket: WebSocket, hub: StreamHub, accepts: Accepts, channel: str = "trading"
    ) -> None:
        self.websocket = websocket
        self.channel = channel  # the label of the connected-clients gauge
        self.hub = hub
        self.accepts = accepts
        self.last_sent = 0
        self.position = 0  # the sequence the live stream started after
        self._send_item: Send = self._send
        self._sending = asyncio.Lock()  # a replay and the live items never interleave
        self._started = asyncio.Event()

    async def run(self, after: int | None, send: Send | None = None) -> None:
        """Replay after ``after`` (None: live only), then the live stream, until the client
        leaves or falls behind."""
        subscriber, position = self.hub.subscribe(self.accepts)
        clients = WEBSOCKET_CLIENTS.labels(channel=self.channel)
        clients.inc()
        try:
            self._send_item = send or self._send
            async with self._sending:
                self.position = position
                self._started.set()
                await self._replay(position if after is None else after, subscriber)
            while True:
                items = await subscriber.take()
                self._check(subscriber)
                async with self._sending:
                    for item in items:
                        await self._deliver(item, self._send_item)
        except TooFarBehindError:
            reason = f"too far behind; reconnect with after={self.last_sent}"
            await self.websocket.close(BEHIND, reason)
        finally:
            clients.dec()
            self.hub.unsubscribe(subscriber)

    async def say(self, text: str) -> None:
        """Send a control message of the stream's own once its ``subscribed`` and the replay
        after it went out (never between two entries of the replay)."""
        await self._started.wait()
        async with self._sending:
            await self.websocket.send_text(text)

    async def resume(self, after: int) -> None:
        """Replay after ``after`` a stream that started live (a client that authenticated in
        the handshake and gave its resume point in an auth message): a new ``subscribed``, the
        entries in ``(after, P]``, then the live ones, with no gap and no repeat. Refused
        (``RefusedError``) once a live entry has been sent: the client resumes by reconnecting
        with ``?after=``."""
        await self._started.wait()
        async with self._sending:
            if self.last_sent != self.position:
                raise RefusedError(
                    BAD_REQUEST,
                    f"after={after} came once live entries after {self.position} were sent; "
                    f"reconnect with after={after}",
                )
            await self._replay(after, None)

    async def _replay(self, after: int, subscriber: Subscriber | None) -> None:
        self.last_sent = after
        await self.websocket.send_text(control("subscribed", self.position, after=after))
        async for item in self.hub.replay(after, self.position, self.accepts):
            if subscriber is not None:
                self._check(subscriber)
            await self._deliver(item, self._send_item)

    def _check(self, subscriber: Subscriber) -> None:
        if subscriber.overflowed:
            raise TooFarBehindError

    async def _deliver(self, item: StreamItem, send: Send) -> None:
        if item.sequence <= self.last_sent:
            return
        await send(item)  # a send may skip the item (a price already sent): it still counts
        self.last_sent = item.sequence

    async def _send(self, item: StreamItem) -> None:
        await self.websocket.send_text(item.text)


async def until_either(*work: Awaitable[None]) -> None:
    """Run ``work`` together until the first ends (the client left, or the stream ended);
    the others are cancelled. A client that went away is not an error; anything else is logged
    here (and the connection ends) rather than left to the server as an unhandled error."""
    tasks = [asyncio.ensure_future(item) for item in work]
    try:
        done, _pending = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    for task in done:
        problem = None if task.cancelled() else task.exception()
        if problem is not None and not isinstance(problem, GONE):
            log.error("a WebSocket stream failed", exc_info=problem)
