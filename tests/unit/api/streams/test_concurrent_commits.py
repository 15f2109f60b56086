"""The classic tailer gap: outbox numbers are handed out at commit, so a reader must never see
number N+1 before a slower transaction holding N commits. Writers commit concurrently while the
stream's tailer reads every 10 ms; the client receives every number once, in order, no gap."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from paperdesk.service import Services
from paperdesk.settings import Settings
from paperdesk.store import Database
from stream_support import client, create, events_through, serving, subscribed

WRITERS = 4
RENAMES = 20


def test_concurrent_commits_stream_without_a_gap_or_a_repeat(database: Database) -> None:
    services = Services(Settings(stream_poll_seconds=0.01), database=database)
    portfolios = [create(services, f"writer-{n}", "SPY") for n in range(WRITERS)]
    reader = services.api_keys.create("reader", "read").token

    def rename(portfolio_id: int) -> None:
        for step in range(RENAMES):
            services.portfolios.rename_portfolio(portfolio_id, f"p{portfolio_id}-{step}")

    with serving(services) as url, client(url, "/ws/trading", reader) as connection:
        start = subscribed(connection)["sequence"]
        with ThreadPoolExecutor(WRITERS) as pool:
            list(pool.map(rename, portfolios))
        last = services.outbox.last_sequence()
        received = events_through(connection, last)

    assert last == start + WRITERS * RENAMES
    assert [m["sequence"] for m in received] == list(range(start + 1, last + 1))
    names = {m["portfolio_id"]: m["data"]["name"] for m in received}
    assert names == {p: f"p{p}-{RENAMES - 1}" for p in portfolios}, "each writer's last rename"
