"""A uvicorn server's CPU per request by HTTP parser and event loop, without any framework.

Run on demand (not part of the test suite):

    .venv/bin/python benchmarks/bench_http_protocols.py [--requests 6000] [--clients 4]
        [--rounds 3]

For each of httptools and h11 (uvicorn's ``http``) on uvloop and on asyncio's own loop
(``loop``), the script starts uvicorn in a process of its own serving a bare ASGI application
(one fixed JSON answer: no routing, no middleware, no framework), sends it ``--requests``
GET requests from ``--clients`` keep-alive connections of the lean client (``lean_http.py``,
on one event loop of this process), and prints the server process's CPU time (user + system,
from ``/proc``) per request and the load average; the setups take turns, round after round,
so that the machine's load falls on all of them alike. What ``paperdesk serve`` runs is
httptools on uvloop (``paperdesk.api.streams.transport.SERVER_OPTIONS``); the order
benchmark (``bench_service.py --uvicorn http=h11``) compares them with the whole application,
where this layer's share is within the run-to-run noise.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import subprocess
import sys
import time

from bench_streams import cpu_seconds
from lean_http import LeanConnection

SETUPS = (("httptools", "uvloop"), ("h11", "uvloop"), ("httptools", "asyncio"), ("h11", "asyncio"))
SERVER = """
import uvicorn


async def app(scope, receive, send):
    if scope["type"] != "http":
        return
    await receive()
    headers = [(b"content-type", b"application/json")]
    await send({{"type": "http.response.start", "status": 200, "headers": headers}})
    await send({{"type": "http.response.body", "body": b'{{"status":"ok"}}'}})


uvicorn.run(app, port={port}, http={http!r}, loop={loop!r}, log_level="warning", access_log=False)
"""


async def ask(base: str, count: int, clients: int) -> None:
    """``count`` requests in all from ``clients`` keep-alive connections; every answer checked."""

    async def client() -> None:
        async with LeanConnection(base, {}) as connection:
            for _ in range(count // clients):
                status, answer = await connection.request("GET", "/", None)
                if status != 200:
                    raise SystemExit(f"the server answered {status} {answer.decode()}")

    await asyncio.gather(*(client() for _ in range(clients)))


def cpu_per_request(http: str, loop: str, requests: int, clients: int) -> float:
    """The server's CPU seconds per request with this parser and loop (after 400 to warm)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    code = SERVER.format(port=port, http=http, loop=loop)
    server = subprocess.Popen([sys.executable, "-c", code])
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise SystemExit(f"uvicorn ({http}, {loop}) did not start") from None
                time.sleep(0.1)
        base = f"http://127.0.0.1:{port}"
        asyncio.run(ask(base, 400, clients))
        before = cpu_seconds(server.pid)
        asyncio.run(ask(base, requests, clients))
        return (cpu_seconds(server.pid) - before) / (requests // clients * clients)
    finally:
        server.terminate()
        server.wait(30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=6000)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--rounds", type=int, default=3)
    arguments = parser.parse_args()
    for number in range(1, arguments.rounds + 1):
        for http, loop in SETUPS:
            spent = cpu_per_request(http, loop, arguments.requests, arguments.clients)
            print(
                f"round {number}  {http:<9} on {loop:<7} {spent * 1e6:6.0f} µs of server CPU a "
                f"request   load average {os.getloadavg()[0]:.1f}",
                flush=True,
            )


if __name__ == "__main__":
    main()
