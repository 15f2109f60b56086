"""One outbox tailer per API process, fanning committed entries out to its clients.

The tailer reads the outbox after the last sequence it delivered: on a short poll interval, and
at once when a Redis wake-up says a process committed, if a client is subscribed. Reading and
handing out happen in one step of the event loop, so a client that subscribes between two
steps is told exactly where its live stream starts (``position``) and can replay the entries
before it from the database with neither a gap nor a duplicate at the seam. A slow client never
blocks the others: each has a bounded queue, and a client whose queue fills is closed (it
resumes from its last sequence).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import deque
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

from paperdesk.api.streams.messages import StreamItem, stream_item
from paperdesk.domain import LedgerUnavailableError
from paperdesk.service.metrics import record_delivered
from paperdesk.service.outbox import OutboxService

log = logging.getLogger(__name__)
STOP_SECONDS = 5.0  # how long shutting down waits for the tailer and the Redis listener
PAGE = 1000  # entries read per query
QUEUE_LIMIT = 10_000  # entries a client may fall behind before it is closed
Accepts = Callable[[StreamItem], bool]


class Subscriber:
    """One client's bounded queue of items it may see."""

    def __init__(self, accepts: Accepts, limit: int) -> None:
        self.accepts = accepts
        self._limit = limit
        self._items: deque[StreamItem] = deque()
        self._ready = asyncio.Event()
        self.overflowed = False

    def offer(self, item: StreamItem) -> None:
        if self.overflowed or not self.accepts(item):
            return
        if len(self._items) >= self._limit:
            self.overflowed = True
            self._items.clear()
        else:
            self._items.append(item)
        self._ready.set()

    async def take(self) -> list[StreamItem]:
        """The items queued since the last call (waits for at least one, or an overflow)."""
        await self._ready.wait()
        self._ready.clear()
        items = list(self._items)
        self._items.clear()
        return items


class StreamHub:
    """The process's tailer and its subscribers (see the module docstring)."""

    def __init__(self, outbox: OutboxService, *, queue_limit: int = QUEUE_LIMIT) -> None:
        self._outbox = outbox
        self._queue_limit = queue_limit
        self._subscribers: set[Subscriber] = set()
        self._wake = asyncio.Event()
        self.position = 0  # the last sequence handed to the subscribers

    @property
    def clients(self) -> int:
        return len(self._subscribers)

    def subscribe(self, accepts: Accepts) -> tuple[Subscriber, int]:
        """A new subscriber and the sequence its live stream starts after."""
        subscriber = Subscriber(accepts, self._queue_limit)
        if not self._subscribers:
            self._wake.set()  # Redis wake-ups were ignored while nobody listened: catch up now
        self._subscribers.add(subscriber)
        return subscriber, self.position

    def unsubscribe(self, subscriber: Subscriber) -> None:
        self._subscribers.discard(subscriber)

    def wake(self) -> None:
        self._wake.set()

    async def replay(self, after: int, through: int, accepts: Accepts) -> AsyncIterator[StreamItem]:
        """The committed items in ``(after, through]`` that ``accepts`` passes, in order."""
        while after < through:
            entries = await asyncio.to_thread(self._outbox.entries, after=after, limit=PAGE)
            for entry in entries:
                if entry.sequence > through:
                    return
                item = stream_item(entry)
                if accepts(item):
                    yield item
                after = entry.sequence
            if len(entries) < PAGE:
                record_delivered("streams", self.position)  # the outbox lag gauge's consumer
                return

    @asynccontextmanager
    async def running(self) -> AsyncIterator[StreamHub]:
        """The tailer (and the Redis listener, with ``REDIS_URL``) while the block runs."""
        self.position = await asyncio.to_thread(self._outbox.last_sequence)
        tasks = [asyncio.create_task(self._tail(), name="outbox tailer")]
        if self._outbox.redis_url is not None:
            tasks.append(asyncio.create_task(self._listen(), name="outbox wake-ups"))
        try:
            yield self
        finally:
            for task in tasks:
                task.cancel()
            # Bounded: a Redis read may swallow the cancellation (seen as a shutdown that never
            # ended under load); a task still running after this is left to the loop's end.
            done, pending = await asyncio.wait(tasks, timeout=STOP_SECONDS)
            for task in done:
                if not task.cancelled() and task.exception() is not None:
                    log.warning(
                        "%s ended with an error", task.get_name(), exc_info=task.exception()
                    )
            for task in pending:
                log.warning(
                    "%s did not stop within %s s; left to the loop", task.get_name(), STOP_SECONDS
                )

    async def _tail(self) -> None:
        failures = 0  # polls in a row the ledger did not answer (a database outage)
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self._outbox.poll_seconds)
            self._wake.clear()
            try:
                await self._catch_up()
            except LedgerUnavailableError as error:  # an outage: one line, not one per poll
                failures += 1
                if failures == 1:
                    log.warning(
                        "reading the outbox after %d failed: %s; retrying at every poll, "
                        "quietly until it answers",
                        self.position,
                        error,
                    )
                continue
            except Exception:  # a database hiccup: the next poll reads from the same place
                log.warning("reading the outbox after %d failed", self.position, exc_info=True)
                continue
            if failures:
                log.warning(
                    "reading the outbox works again after %d failed poll(s), from %d",
                    failures,
                    self.position,
                )
                failures = 0

    async def _catch_up(self) -> None:
        while True:
            entries = await asyncio.to_thread(self._outbox.entries, after=self.position, limit=PAGE)
            for entry in entries:  # no await in this loop: subscribers see whole steps
                item = stream_item(entry)
                for subscriber in tuple(self._subscribers):
                    subscriber.offer(item)
                self.position = entry.sequence
            if len(entries) < PAGE:
                record_delivered("streams", self.position)  # the outbox lag gauge's consumer
                return

    async def _listen(self) -> None:
        # Every commit of every process wakes every process: a process with no client reads
        # nothing then (the outbox read and its thread hop cost as much as half an order
        # placement); its poll keeps the position and the lag gauge, and a first subscriber
        # wakes the tailer itself.
        async for _sequence in self._outbox.wakes():
            if self._subscribers:
                self._wake.set()
