"""``paperdesk serve --workers 2``: two server processes on one port, one ledger and Redis.
Two clients send the same orders (each with its client order id and an ``Idempotency-Key``)
at once, a new connection per request so both processes serve them: every order is placed
exactly once, every answer is the first one or a replay of it (never a 5xx), and the order
ids, numbered from each process's cached state, never collide. On SQLite and PostgreSQL."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest

from paperdesk.config import RunConfig
from paperdesk.service import Services
from paperdesk.settings import Settings
from paperdesk.store import Database

PAPERDESK = Path(sys.executable).parent / "paperdesk"
STARTUP_SECONDS = 90
ORDERS = 12


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def _children(pid: int) -> list[int]:
    children: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        children.extend(int(child) for child in (task / "children").read_text().split())
    return children


@pytest.fixture
def two_workers(
    database_url: str, redis_server: str, tmp_path: Path
) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """The HTTP base URL of ``paperdesk serve --workers 2`` on the ledger, and its process."""
    Database(database_url).close()  # migrated
    environment = {
        **{k: v for k, v in os.environ.items() if not k.startswith("PAPERDESK_")},
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_server,
        "PAPERDESK_HOME": str(tmp_path / "home"),
        "PAPERDESK_RATE_LIMIT_PER_MINUTE": "0",
    }
    port = _free_port()
    with (tmp_path / "serve.log").open("w") as log:
        process = subprocess.Popen(
            [str(PAPERDESK), "serve", "--port", str(port), "--workers", "2"],
            env=environment,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + STARTUP_SECONDS
            while len(_children(process.pid)) < 2 or not _healthy(base):
                assert process.poll() is None, (tmp_path / "serve.log").read_text()
                assert time.monotonic() < deadline, "paperdesk serve --workers 2 did not start"
                time.sleep(0.2)
            yield base, process
        finally:
            process.terminate()
            process.wait(60)


def _healthy(base: str) -> bool:
    try:
        return httpx.get(f"{base}/healthz", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def test_two_processes_place_every_order_once(
    database_url: str, redis_server: str, two_workers: tuple[str, subprocess.Popen[bytes]]
) -> None:
    base, process = two_workers
    workers = _children(process.pid)
    services = Services(Settings(redis_url=redis_server), database=Database(database_url))
    try:
        run = RunConfig(symbols=("SPY",))
        portfolio = services.portfolios.create_portfolio("two", Decimal(100000), settings=run)
        token = services.api_keys.create("t", "trade").token
    finally:
        services.close()
    path = f"{base}/api/v1/portfolios/{portfolio}/orders"
    answers: list[tuple[str, int, dict[str, Any]]] = []
    lock = threading.Lock()

    def client(order: list[int]) -> None:
        for number in order:
            name = f"both-{number}"
            body = {
                "symbol": "SPY",
                "side": "buy",
                "quantity": str(number + 1),
                "type": "limit",
                "limit_price": "50",
                "client_order_id": name,
            }
            headers = {"Authorization": f"Bearer {token}", "Idempotency-Key": name}
            response = httpx.post(path, json=body, headers=headers, timeout=60)
            with lock:
                answers.append((name, response.status_code, response.json()))

    first = threading.Thread(target=client, args=(list(range(ORDERS)),))
    second = threading.Thread(target=client, args=(list(reversed(range(ORDERS))),))
    first.start()
    second.start()
    first.join()
    second.join()

    assert all(process_id in _children(process.pid) for process_id in workers)  # none died
    placed: dict[str, set[str]] = {}
    for name, status, document in answers:
        assert status in (201, 409), (name, status, document)
        if status == 409:  # the other client's first request with this key still running
            assert document["code"] == "idempotency_key_in_progress", document
            continue
        (order,) = document["orders"]
        assert order["client_order_id"] == name
        placed.setdefault(name, set()).add(order["order_id"])
    assert all(len(ids) == 1 for ids in placed.values()), placed  # a replay, never a second
    listed = httpx.get(
        path, params={"limit": 100}, headers={"Authorization": f"Bearer {token}"}, timeout=30
    )
    stored = listed.json()["items"]
    assert sorted(o["client_order_id"] for o in stored) == sorted(
        f"both-{n}" for n in range(ORDERS)
    )
    assert len({o["order_id"] for o in stored}) == ORDERS
    for order in stored:
        assert placed.get(order["client_order_id"], {order["order_id"]}) == {order["order_id"]}
        assert order["quantity"] == str(int(order["client_order_id"].split("-")[1]) + 1)
