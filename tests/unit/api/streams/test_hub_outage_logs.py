"""A database outage while the streams' tailer polls the outbox is one warning line when it
starts and one when it ends, not a traceback at every poll (once a second by default)."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import pytest

from paperdesk.api.streams.hub import StreamHub
from paperdesk.domain import LedgerUnavailableError
from paperdesk.domain.records import OutboxEntry

OUTAGE = "cannot use the database postgresql+psycopg://u@h:1/x: connection refused"


class FlakyOutbox:
    """An outbox that does not answer for its first ``down`` reads, then is empty."""

    redis_url = None
    poll_seconds = 0.001

    def __init__(self, down: int) -> None:
        self.down = down
        self.reads = 0

    def last_sequence(self) -> int:
        return 7

    def entries(self, *, after: int, limit: int) -> list[OutboxEntry]:
        self.reads += 1
        if self.reads <= self.down:
            raise LedgerUnavailableError(OUTAGE)
        return []


async def tail_until(outbox: FlakyOutbox, reads: int) -> None:
    hub = StreamHub(outbox)  # type: ignore[arg-type]
    async with hub.running():
        while outbox.reads < reads:
            await asyncio.sleep(0.001)


def test_an_outage_is_one_line_when_it_starts_and_one_when_it_ends(
    caplog: pytest.LogCaptureFixture,
) -> None:
    outbox = FlakyOutbox(down=25)
    with caplog.at_level(logging.DEBUG, logger="paperdesk.api.streams.hub"):
        asyncio.run(tail_until(outbox, reads=30))
    records: list[Any] = [r for r in caplog.records if r.name == "paperdesk.api.streams.hub"]
    assert [r.getMessage() for r in records] == [
        f"reading the outbox after 7 failed: {OUTAGE}; retrying at every poll, "
        "quietly until it answers",
        "reading the outbox works again after 25 failed poll(s), from 7",
    ]
    assert all(r.exc_info is None for r in records)
