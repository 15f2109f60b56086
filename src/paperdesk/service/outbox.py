"""The event outbox as the interfaces read it: committed events after a sequence number, and
the wake-up that tells other processes new ones are there.

The outbox is the source of truth for every stream: entries are numbered while the committing
transaction holds the single counter row (``paperdesk.store.writer``), so sequence order is
commit order and a reader that sees number N also sees every number below it. A tailer that
reads "after the last number I sent" therefore never skips an entry a slower transaction commits
later. The wake-up (Redis pub/sub, when ``REDIS_URL`` is set) only says "read again"; it carries
nothing a reader depends on, so a lost wake-up costs at most one poll interval.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import redis

    from paperdesk.domain.records import OutboxEntry
    from paperdesk.store import Database

log = logging.getLogger(__name__)
WAKE_TIMEOUT_SECONDS = 1.0  # a commit never waits longer than this for an unreachable Redis
RECONNECT_SECONDS = 1.0
RECONNECT_MOST_SECONDS = 30.0


def wake_channel(prefix: str) -> str:
    """The Redis channel of one ledger's wake-ups (``prefix``: the ledger's key prefix)."""
    return f"{prefix}outbox"


class OutboxService:
    """Reads of the committed outbox, and the wake-ups of the processes that stream it."""

    def __init__(
        self,
        database: Database,
        *,
        redis_url: str | None,
        channel: str,
        poll_seconds: float,
    ) -> None:
        self._database = database
        self.redis_url = redis_url
        self.channel = channel
        self.poll_seconds = poll_seconds

    def entries(
        self, *, after: int, limit: int, portfolio_id: int | None = None
    ) -> list[OutboxEntry]:
        """Committed entries numbered above ``after``, oldest first (at most ``limit``)."""
        with self._database.reading(durable=True) as repository:
            return repository.outbox(after=after, limit=limit, portfolio_id=portfolio_id)

    def last_sequence(self) -> int:
        """The last sequence number committed (0 when the outbox is empty)."""
        with self._database.reading(durable=True) as repository:
            return repository.last_outbox_sequence()

    async def wakes(self) -> AsyncIterator[int]:
        """The sequence numbers other processes announce after their commits, for as long as
        the caller listens (0 each time the subscription starts: wake-ups sent while it was
        down are lost, so the caller should read at once). Reconnects after a Redis failure,
        waiting longer each time (up to ``RECONNECT_MOST_SECONDS``). Nothing without
        ``REDIS_URL``."""
        if self.redis_url is None:
            return
        import redis.asyncio as aioredis

        pause = RECONNECT_SECONDS
        while True:
            client = aioredis.Redis.from_url(self.redis_url)
            try:
                async with client.pubsub() as pubsub:
                    await pubsub.subscribe(self.channel)
                    pause = RECONNECT_SECONDS
                    yield 0
                    async for message in pubsub.listen():
                        if message.get("type") == "message":
                            yield _sequence(message.get("data"))
            except (OSError, aioredis.RedisError) as error:
                log.warning(
                    "outbox wake-ups from Redis interrupted (%s); retrying in %.0f s", error, pause
                )
                await asyncio.sleep(pause)
                pause = min(pause * 2, RECONNECT_MOST_SECONDS)
            finally:
                await client.aclose()


class RedisWake:
    """The after-commit listener that announces a commit's last sequence number on the
    ledger's Redis channel (connected on first use; a failure is logged, never raised: the
    commit stands and the streams' polling still finds the entries)."""

    def __init__(self, url: str, channel: str) -> None:
        self._url = url
        self._channel = channel
        self._client: redis.Redis | None = None

    def __call__(self, sequence: int) -> None:
        import redis

        try:
            if self._client is None:
                self._client = redis.Redis.from_url(
                    self._url,
                    socket_connect_timeout=WAKE_TIMEOUT_SECONDS,
                    socket_timeout=WAKE_TIMEOUT_SECONDS,
                )
            self._client.publish(self._channel, str(sequence))
        except (OSError, redis.RedisError) as error:
            log.warning("could not announce outbox entry %d on Redis: %s", sequence, error)

    def __repr__(self) -> str:
        return f"RedisWake(channel={self._channel!r})"


def _sequence(data: object) -> int:
    try:
        return int(data.decode() if isinstance(data, bytes) else str(data))
    except ValueError:
        return 0  # a wake-up all the same
