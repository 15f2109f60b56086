"""``paperdesk serve`` parses HTTP with httptools on uvloop's event loop (the options in
``streams/transport.py``, checked in the shipped command's process), declines
permessage-deflate (a compressed frame cannot be shared between clients, so compression would
cost the fan-out once per client per message) and streams as before, one JSON message per text
frame. The ``websockets`` client offers the extension by default; uvicorn's default accepts
it, which the control test checks so the main test cannot pass for the wrong reason."""

from __future__ import annotations

import gc
import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path

import httpx
import pytest
import uvicorn
import uvloop
from fastapi import FastAPI
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
from websockets.extensions.permessage_deflate import PerMessageDeflate

from paperdesk.api.streams.transport import (
    SERVER_OPTIONS,
    YOUNG_GENERATION_THRESHOLD,
    tune_garbage_collector,
)
from paperdesk.service import Services
from paperdesk.settings import Settings
from paperdesk.store import Database
from stream_support import client, desk, events, serving, subscribed

CLI = [sys.executable, "-c", "from paperdesk.cli import main; main()"]
STARTUP_SECONDS = 60


@contextmanager
def paperdesk_serve(environment: dict[str, str], home: Path) -> Iterator[tuple[str, int]]:
    """``paperdesk serve`` as shipped (a subprocess); yields its ws:// base and process id."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    log = (home / "serve.log").open("w")
    server = subprocess.Popen(
        [*CLI, "serve", "--port", str(port)], env=environment, stdout=log, stderr=log
    )
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        while True:
            try:
                httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1)
                break
            except httpx.TransportError:
                assert server.poll() is None, (home / "serve.log").read_text()
                assert time.monotonic() < deadline, "paperdesk serve did not answer"
                time.sleep(0.2)
        yield f"ws://127.0.0.1:{port}", server.pid
    finally:
        server.terminate()
        server.wait(STARTUP_SECONDS)
        log.close()


def test_paperdesk_serve_declines_compression_and_streams_the_outbox(
    database_url: str, clean_environment: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    database = Database(database_url)
    services = Services(Settings(), database=database)
    try:
        portfolio = services.portfolios.create_portfolio("plain", Decimal(10000))
        token = services.api_keys.create("reader", "read").token
        environment = {
            **os.environ,
            "DATABASE_URL": database_url,
            "PAPERDESK_HOME": str(tmp_path / "home"),
            "PAPERDESK_STREAM_POLL_SECONDS": "0.05",
        }
        with (
            paperdesk_serve(environment, tmp_path) as (url, _),
            client(url, "/ws/trading", token) as connection,
        ):
            assert connection.protocol.extensions == [], "the server accepted compression"
            start = subscribed(connection)["sequence"]
            services.portfolios.rename_portfolio(portfolio, "renamed")
            (message,) = events(connection, 1)
            (entry,) = services.outbox.entries(after=start, limit=10)
    finally:
        services.close()
        database.close()
    assert message["sequence"] == entry.sequence == start + 1
    assert message["event"] == entry.kind == "portfolio.renamed"
    assert message["data"] == json.loads(json.dumps(entry.payload))


def test_the_client_offers_compression_and_uvicorns_default_accepts_it(
    database: Database,
) -> None:
    trading = desk(database)
    reader = trading.services.api_keys.create("reader", "read").token
    with serving(trading.services) as url, client(url, "/ws/trading", reader) as connection:
        negotiated = connection.protocol.extensions
        subscribed(connection)
    assert [type(extension) for extension in negotiated] == [PerMessageDeflate]


def test_tuning_the_collector_freezes_start_up_and_collects_the_young_less_often() -> None:
    before = gc.get_threshold()
    start_up = [object() for _ in range(100)]  # tracked objects allocated before serving
    try:
        tune_garbage_collector()
        tuned = gc.get_threshold()
        frozen = gc.get_freeze_count()
    finally:
        gc.unfreeze()  # this test process goes on with the collector as it was
        gc.set_threshold(*before)
    assert tuned == (YOUNG_GENERATION_THRESHOLD, before[1], before[2])
    assert before[0] < YOUNG_GENERATION_THRESHOLD
    assert frozen >= len(start_up)


def test_the_server_options_name_httptools_and_uvloop() -> None:
    config = uvicorn.Config(FastAPI(), **SERVER_OPTIONS)
    config.load()
    loop_factory = config.get_loop_factory()
    assert loop_factory is not None
    loop = loop_factory()
    try:
        assert isinstance(loop, uvloop.Loop)
    finally:
        loop.close()
    assert config.http_protocol_class is HttpToolsProtocol


@pytest.mark.skipif(not Path("/proc/self/maps").exists(), reason="reads /proc (Linux)")
def test_paperdesk_serve_runs_httptools_and_uvloop(
    database_url: str, clean_environment: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The shipped command's process has loaded both extensions' compiled modules, which
    uvicorn imports only when it uses them (h11 and asyncio's loop need neither)."""
    environment = {
        **os.environ,
        "DATABASE_URL": database_url,
        "PAPERDESK_HOME": str(tmp_path / "home"),
    }
    with paperdesk_serve(environment, tmp_path) as (url, pid):
        answer = httpx.get(url.replace("ws://", "http://", 1) + "/healthz", timeout=10)
        loaded = Path(f"/proc/{pid}/maps").read_text()
    assert answer.status_code == 200
    assert "/httptools/parser/" in loaded
    assert "/uvloop/loop." in loaded
