"""With ``REDIS_URL`` the service container announces each commit's last sequence number on the
ledger's Redis channel, after the commit (so a woken reader finds the entries), and the outbox
service of another container hears them."""

from __future__ import annotations

import asyncio
from decimal import Decimal

import redis

from paperdesk.service import Services
from paperdesk.settings import Settings
from paperdesk.store import Database


def test_each_commit_is_announced_on_the_ledgers_channel_after_it_committed(
    database: Database, redis_server: str
) -> None:
    services = Services(Settings(redis_url=redis_server), database=database)
    listener = redis.Redis.from_url(redis_server).pubsub()
    listener.subscribe(services.outbox.channel)
    assert listener.get_message(timeout=5)["type"] == "subscribe"
    portfolio = services.portfolios.create_portfolio("wake", Decimal(1000))
    services.portfolios.rename_portfolio(portfolio, "woken")
    heard = [listener.get_message(timeout=5) for _ in range(2)]
    listener.close()

    last = services.outbox.last_sequence()
    assert [int(message["data"]) for message in heard] == [last - 1, last]
    announced = services.outbox.entries(after=last - 1, limit=10)
    assert [entry.kind for entry in announced] == ["portfolio.renamed"]


def test_the_outbox_service_hears_another_containers_commits(
    database: Database, redis_server: str
) -> None:
    settings = Settings(redis_url=redis_server)
    reader, writer = Services(settings, database=database), Services(settings, database=database)

    async def first_wake() -> int:
        wakes = reader.outbox.wakes()
        assert await asyncio.wait_for(anext(wakes), 20) == 0, "subscribed: read at once"
        waiting = asyncio.ensure_future(anext(wakes))
        await asyncio.to_thread(writer.portfolios.create_portfolio, "heard", Decimal(1000))
        sequence = await asyncio.wait_for(waiting, 20)
        await wakes.aclose()
        return sequence

    assert asyncio.run(first_wake()) == writer.outbox.last_sequence()
