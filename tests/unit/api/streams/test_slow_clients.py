"""A slow client never holds up the others: the tailer hands entries to bounded queues, and a
client whose queue fills is closed with 4008 and the sequence to resume after; resuming from it
gives the rest, each entry once. In-process, with a client whose sends are held."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime
from typing import Any, cast

from paperdesk.api.streams.hub import StreamHub
from paperdesk.api.streams.session import BEHIND, Stream
from paperdesk.domain.records import OutboxEntry
from paperdesk.service.outbox import OutboxService

MOMENT = datetime(2021, 3, 31, 21, tzinfo=UTC)
LIMIT = 5


class MemoryOutbox:
    """The outbox service's reads over a list (what the hub needs of it)."""

    redis_url = None
    poll_seconds = 3600.0

    def __init__(self) -> None:
        self.committed: list[OutboxEntry] = []

    def commit(self, count: int) -> None:
        for _ in range(count):
            sequence = len(self.committed) + 1
            self.committed.append(
                OutboxEntry(sequence, 1, "portfolio.renamed", MOMENT, MOMENT, {"n": sequence})
            )

    def entries(self, *, after: int, limit: int) -> list[OutboxEntry]:
        return [e for e in self.committed if e.sequence > after][:limit]

    def last_sequence(self) -> int:
        return len(self.committed)


class Socket:
    """A client's end: records what it was sent; a held client's sends wait until released."""

    def __init__(self, held: bool = False) -> None:
        self.sent: list[dict[str, Any]] = []
        self.closed: tuple[int, str] | None = None
        self.released = asyncio.Event()
        if not held:
            self.released.set()

    async def send_text(self, text: str) -> None:
        await self.released.wait()
        self.sent.append(json.loads(text))

    async def close(self, code: int, reason: str) -> None:
        self.closed = (code, reason)

    def sequences(self) -> list[int]:
        return [m["sequence"] for m in self.sent if m["type"] != "subscribed"]


async def _settle(hub: StreamHub, outbox: MemoryOutbox) -> None:
    """Until the tailer has handed out every committed entry and the clients sent them."""
    hub.wake()
    for _ in range(1000):
        if hub.position == outbox.last_sequence():
            break
        await asyncio.sleep(0.01)  # the tailer reads in a worker thread
    for _ in range(100):
        await asyncio.sleep(0)


async def _scenario() -> tuple[Socket, Socket, Socket, MemoryOutbox]:
    outbox = MemoryOutbox()
    hub = StreamHub(cast(OutboxService, outbox), queue_limit=LIMIT)
    fast, slow, resumed = Socket(), Socket(held=True), Socket()
    async with hub.running():
        fast_task = asyncio.create_task(Stream(cast(Any, fast), hub, lambda _: True).run(None))
        slow_task = asyncio.create_task(Stream(cast(Any, slow), hub, lambda _: True).run(None))
        await _settle(hub, outbox)
        slow.released.set()  # it takes its "subscribed" message, then is held at its first entry
        await asyncio.sleep(0)
        slow.released.clear()
        outbox.commit(2)
        await _settle(hub, outbox)
        for _ in range(3):  # batches a client keeping up takes in its stride, but in all
            outbox.commit(LIMIT - 1)  # more than the slow client may fall behind
            await _settle(hub, outbox)
        slow.released.set()
        await asyncio.wait_for(slow_task, 10)
        resume_after = int(slow.closed[1].rsplit("=", 1)[1]) if slow.closed else -1
        again = Stream(cast(Any, resumed), hub, lambda _: True)
        resumed_task = asyncio.create_task(again.run(resume_after))
        await _settle(hub, outbox)
        outbox.commit(1)
        await _settle(hub, outbox)
        fast_task.cancel()
        resumed_task.cancel()
    return fast, slow, resumed, outbox


def test_a_slow_client_is_closed_with_its_resume_point_and_the_others_go_on() -> None:
    fast, slow, resumed, outbox = asyncio.run(_scenario())
    everything = [e.sequence for e in outbox.committed]
    assert fast.sequences() == everything, "the fast client got every entry, once, in order"
    assert fast.closed is None
    assert slow.closed is not None
    code, reason = slow.closed
    assert code == BEHIND
    last = int(reason.rsplit("=", 1)[1])
    assert slow.sequences() == everything[:last], "closed after what it was sent, no further"
    assert len(slow.sequences()) < len(everything)
    assert resumed.sequences() == everything[last:], "the resume sends the rest, each once"
