"""Two API processes (two ``paperdesk serve``) on one database and the real Redis: an event
committed through one reaches a WebSocket client of the other at once. The processes poll the
outbox only once an hour, so only the Redis wake-up published after the commit can explain the
delivery. On SQLite (one file shared by the processes) and PostgreSQL."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import httpx
import pytest
from websockets.sync.client import connect

from paperdesk.config import RunConfig, StrategySpec
from paperdesk.service import Services
from paperdesk.settings import Settings
from paperdesk.store import Database
from stream_support import events_through, subscribed

PAPERDESK = Path(sys.executable).parent / "paperdesk"
STARTUP_SECONDS = 90
HOUR = "3600"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


@pytest.fixture
def two_servers(database_url: str, redis_server: str, tmp_path: Path) -> Iterator[tuple[str, str]]:
    """The HTTP base URLs of two ``paperdesk serve`` processes on one ledger and one Redis."""
    Database(database_url).close()  # migrated once, before the processes race to it
    environment = {
        **{k: v for k, v in os.environ.items() if not k.startswith("PAPERDESK_")},
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_server,
        "PAPERDESK_HOME": str(tmp_path / "home"),
        "PAPERDESK_STREAM_POLL_SECONDS": HOUR,
    }
    ports = [_free_port(), _free_port()]
    logs = [(tmp_path / f"serve-{port}.log").open("w") for port in ports]
    processes = [
        subprocess.Popen(
            [str(PAPERDESK), "serve", "--port", str(port)],
            env=environment,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        for port, log in zip(ports, logs, strict=True)
    ]
    try:
        bases = [f"http://127.0.0.1:{port}" for port in ports]
        for base, process in zip(bases, processes, strict=True):
            _wait_until_healthy(base, process)
        yield bases[0], bases[1]
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(30)
        for log in logs:
            log.close()


def _wait_until_healthy(base: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while True:
        assert process.poll() is None, f"paperdesk serve exited with {process.returncode}"
        assert time.monotonic() < deadline, f"{base} did not start"
        try:
            if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)


def test_an_event_committed_through_one_process_reaches_a_client_of_the_other(
    database_url: str, redis_server: str, two_servers: tuple[str, str]
) -> None:
    first, second = two_servers
    database = Database(database_url)
    services = Services(Settings(redis_url=redis_server), database=database)
    run = RunConfig(strategies=(StrategySpec("macd-cross"),), symbols=("SPY",))
    order = {"symbol": "SPY", "side": "buy", "quantity": "3", "type": "limit", "limit_price": "250"}
    try:
        portfolio = services.portfolios.create_portfolio("two", Decimal(10000), settings=run)
        headers = {"Authorization": f"Bearer {services.api_keys.create('t', 'trade').token}"}
        orders = f"{first}/api/v1/portfolios/{portfolio}/orders"
        stream = second.replace("http://", "ws://") + "/ws/trading"
        with connect(stream, additional_headers=headers) as client:
            start = subscribed(client)["sequence"]
            placed = httpx.post(orders, json=order, headers=headers, timeout=30)  # process one
            assert placed.status_code == 201, placed.text
            services.portfolios.rename_portfolio(portfolio, "renamed")  # this (third) process
            committed = services.outbox.entries(after=start, limit=1000)
            received = events_through(client, committed[-1].sequence)  # at process two
    finally:
        services.close()
        database.close()

    assert [m["sequence"] for m in received] == [e.sequence for e in committed]
    (accepted,) = [m for m in received if m["event"] == "order.accepted"]
    assert accepted["type"] == "order_update"
    assert accepted["data"]["order"]["quantity"] == "3"
    assert accepted["data"]["order"]["limit_price"] == "250"
    assert received[-1]["data"]["name"] == "renamed"
