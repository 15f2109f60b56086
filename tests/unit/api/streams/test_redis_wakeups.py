"""Redis wake-ups of a process's outbox tailer (``api/streams/hub.py``): every commit of every
process wakes every process, and a process with no client connected reads nothing for them
(its poll keeps the position); a first subscriber wakes the tailer at once, and the entries
committed meanwhile reach it once each, in order."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import cast

from paperdesk.api.streams.hub import StreamHub
from paperdesk.domain.records import OutboxEntry
from paperdesk.service.outbox import OutboxService

MOMENT = datetime(2021, 3, 31, 21, tzinfo=UTC)


class WokenOutbox:
    """The outbox service's reads over a list, its Redis wake-ups from a queue, and a count
    of the reads (what the hub needs of it)."""

    redis_url = "redis://wake-ups.invalid"
    poll_seconds = 3600.0  # no poll during a test: only wake-ups make the tailer read

    def __init__(self) -> None:
        self.committed: list[OutboxEntry] = []
        self.announced: asyncio.Queue[int] = asyncio.Queue()
        self.reads = 0

    def commit(self) -> None:
        sequence = len(self.committed) + 1
        self.committed.append(
            OutboxEntry(sequence, 1, "portfolio.renamed", MOMENT, MOMENT, {"n": sequence})
        )
        self.announced.put_nowait(sequence)  # what RedisWake publishes after the commit

    def entries(self, *, after: int, limit: int) -> list[OutboxEntry]:
        self.reads += 1
        return [e for e in self.committed if e.sequence > after][:limit]

    def last_sequence(self) -> int:
        return len(self.committed)

    async def wakes(self) -> AsyncIterator[int]:
        while True:
            yield await self.announced.get()


async def _drain(outbox: WokenOutbox) -> None:
    """Until every wake-up was taken by the hub's listener and the tailer has had its turn."""
    for _ in range(1000):
        if outbox.announced.empty():
            break
        await asyncio.sleep(0.001)
    for _ in range(50):
        await asyncio.sleep(0.001)  # a read, if any, runs in a worker thread


async def _scenario() -> tuple[int, int, list[int], int]:
    outbox = WokenOutbox()
    hub = StreamHub(cast(OutboxService, outbox))
    async with hub.running():
        for _ in range(20):
            outbox.commit()
            await _drain(outbox)
        idle_reads = outbox.reads
        subscriber, start = hub.subscribe(lambda item: True)
        got: list[int] = []
        for _ in range(1000):
            if hub.position == 20:
                break
            await asyncio.sleep(0.001)
        outbox.commit()
        while len(got) < 21 - start:
            items = await asyncio.wait_for(subscriber.take(), 30)
            got.extend(item.sequence for item in items)
        hub.unsubscribe(subscriber)
        return idle_reads, start, got, hub.position


def test_no_client_no_reads_then_a_subscriber_gets_every_entry_once() -> None:
    idle_reads, start, got, position = asyncio.run(_scenario())
    assert idle_reads == 0  # 20 wake-ups, nobody subscribed: the outbox was not read
    assert start == 0  # the position the last poll left (none here)
    assert got == list(range(1, 22))  # the backlog at once, then the live entry, once each
    assert position == 21
