"""The streams in ``/metrics``: connected clients per channel, up while a client is connected
and down once it has left."""

from __future__ import annotations

import re
import time

import httpx

from paperdesk.store import Database
from stream_support import client, desk, events_through, serving, subscribed


def _metric(base: str, pattern: str) -> float:
    text = httpx.get(f"{base}/metrics", timeout=10).text
    found = re.search(pattern + r" (\S+)", text)
    assert found is not None, f"{pattern} not in /metrics"
    return float(found.group(1))


def test_connected_clients_are_counted_per_channel(
    database: Database,
) -> None:
    trading = desk(database)
    reader = trading.services.api_keys.create("reader", "read").token
    with serving(trading.services) as url:
        base = url.replace("ws://", "http://")
        clients = r'paperdesk_websocket_clients\{channel="trading"\}'
        before = _metric(base, clients) if "trading" in httpx.get(f"{base}/metrics").text else 0
        with client(url, "/ws/trading", reader) as connection:
            subscribed(connection)
            assert _metric(base, clients) == before + 1
            trading.tick()
            events_through(connection, trading.entries(0)[-1].sequence)  # still connected
            assert _metric(base, clients) == before + 1
        for _ in range(50):  # the server notices the close on its own loop
            if _metric(base, clients) == before:
                break
            time.sleep(0.1)
        assert _metric(base, clients) == before
