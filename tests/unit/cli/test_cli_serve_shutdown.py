"""``paperdesk serve`` stops gracefully: on SIGTERM a request in flight still finishes and is
answered, then the process ends.

The request is held in flight without a clock: the test takes the SQLite ledger's write lock,
so the API's write waits for it (the busy timeout is a minute), then sends SIGTERM, and only
then lets the write through."""

from __future__ import annotations

import json
import os
import signal
import socket
import sqlite3
import subprocess
import time
from pathlib import Path

import httpx
from test_cli_serve import CLI, free_port

CREATE = json.dumps({"name": "in flight", "cash": "1000"})


def wait_for_health(base: str, server: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 30
    while True:
        try:
            httpx.get(f"{base}/healthz", timeout=1)
            return
        except httpx.TransportError:
            assert server.poll() is None, server.communicate()
            assert time.monotonic() < deadline, "paperdesk serve did not answer in 30 s"
            time.sleep(0.2)


def test_sigterm_lets_the_request_in_flight_finish(tmp_path: Path) -> None:
    env = {**os.environ, "PAPERDESK_HOME": str(tmp_path), "PAPERDESK_SHUTDOWN_GRACE_SECONDS": "30"}
    env.pop("DATABASE_URL", None)
    created = subprocess.run(
        [*CLI, "apikey", "create", "it", "--scope", "trade", "--json"],
        env=env, capture_output=True, text=True, check=True, timeout=60,
    )  # fmt: skip
    token = json.loads(created.stdout)["key"]
    port = free_port()
    server = subprocess.Popen(
        [*CLI, "serve", "--port", str(port)],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    lock = sqlite3.connect(tmp_path / "paperdesk.db", isolation_level=None, timeout=30)
    try:
        wait_for_health(f"http://127.0.0.1:{port}", server)
        lock.execute("BEGIN IMMEDIATE")  # the API's write now waits for this lock
        client = socket.create_connection(("127.0.0.1", port), timeout=60)
        request = (
            f"POST /api/v1/portfolios HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            f"Authorization: Bearer {token}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(CREATE)}\r\nConnection: close\r\n\r\n{CREATE}"
        )
        client.sendall(request.encode())
        time.sleep(1.0)  # let the server read it (not a timed assertion: a head start)
        server.send_signal(signal.SIGTERM)
        time.sleep(1.0)
        assert server.poll() is None  # still running: it waits for the request in flight
        lock.execute("ROLLBACK")  # the write may go ahead now
        answer = b""
        while chunk := client.recv(65536):
            answer += chunk
        client.close()
        status_line, _, rest = answer.decode().partition("\r\n")
        assert status_line == "HTTP/1.1 201 Created", answer
        assert json.loads(rest.partition("\r\n\r\n")[2])["summary"]["name"] == "in flight"
        # uvicorn re-raises the signal once the shutdown is done: the process ends "killed by
        # SIGTERM", as a supervisor (systemd, Kubernetes) expects after asking it to stop
        assert server.wait(timeout=30) in (0, -signal.SIGTERM)
    finally:
        lock.close()
        if server.poll() is None:
            server.kill()
            server.wait()
    stored = sqlite3.connect(tmp_path / "paperdesk.db")
    names = [row[0] for row in stored.execute("SELECT name FROM portfolios")]
    stored.close()
    assert names == ["in flight"]  # committed once, before the process ended
