"""``paperdesk serve`` runs a real uvicorn: /healthz and an authenticated request answer; a
refusal before the server starts is checked in this process."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from paper_cli_helpers import fails

CLI = [sys.executable, "-c", "from paperdesk.cli import main; main()"]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def health_of(server: subprocess.Popen[str], base: str) -> object:
    """``/healthz``'s answer once the server is up (it prints its line before it is)."""
    deadline = time.monotonic() + 30
    while True:
        try:
            return httpx.get(f"{base}/healthz", timeout=1).json()
        except httpx.TransportError:
            assert server.poll() is None, server.communicate()
            assert time.monotonic() < deadline, "paperdesk serve did not answer in 30 s"
            time.sleep(0.2)


def interrupt(server: subprocess.Popen[str]) -> None:
    server.send_signal(signal.SIGINT)
    try:
        server.wait(timeout=15)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


def test_serve_answers_health_and_an_authenticated_request(tmp_path: Path) -> None:
    env = {**os.environ, "PAPERDESK_HOME": str(tmp_path)}
    env.pop("DATABASE_URL", None)
    created = subprocess.run(
        [*CLI, "apikey", "create", "it", "--scope", "read", "--json"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    token = json.loads(created.stdout)["key"]
    port = free_port()
    server = subprocess.Popen(
        [*CLI, "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        assert health_of(server, base) == {"status": "ok"}
        anonymous = httpx.get(f"{base}/api/v1/portfolios", timeout=5)
        assert anonymous.status_code == 401
        listed = httpx.get(
            f"{base}/api/v1/portfolios", headers={"Authorization": f"Bearer {token}"}, timeout=5
        )
        assert (listed.status_code, listed.json()) == (200, [])
    finally:
        interrupt(server)


def test_several_workers_without_redis_are_refused_before_the_ledger_is_opened(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A refusal before anything starts: run in this process (``fails``: a non-zero exit, one
    ``error:`` line, no traceback), as the other refusals of ``serve`` are."""
    monkeypatch.setenv("PAPERDESK_HOME", str(tmp_path))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.delenv("REDIS_URL", raising=False)
    refused = fails("serve", "--port", str(free_port()), "--workers", "2")
    assert "--workers 2 needs REDIS_URL" in refused
    assert not list(tmp_path.iterdir())  # no ledger made


def test_serve_on_port_zero_says_the_port_it_took(tmp_path: Path) -> None:
    env = {**os.environ, "PAPERDESK_HOME": str(tmp_path)}
    env.pop("DATABASE_URL", None)
    env.pop("REDIS_URL", None)
    server = subprocess.Popen(
        [*CLI, "serve", "--port", "0"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert server.stderr is not None
        first = server.stderr.readline()
        announced = re.fullmatch(r"paperdesk API on http://127\.0\.0\.1:(\d+)/api/v1 .*\n", first)
        assert announced, first
        port = int(announced.group(1))
        assert port != 0
        assert health_of(server, f"http://127.0.0.1:{port}") == {"status": "ok"}
    finally:
        interrupt(server)
