"""CPU time of one order with its cancel through the API application in process (ASGI, no server).

Run on demand (not part of the test suite):

    .venv/bin/python benchmarks/bench_order_asgi.py [--orders 400] [--clients 4] [--rounds 3]
        [--databases sqlite,postgresql]

``bench_service.py``'s traffic (a buy limit order far below the market, and once 25 orders
rest, a cancel of the oldest; ``--clients`` at once) sent straight to the application built by
``create_app`` on one event loop (uvloop), with the requests' ASGI messages made here: no
uvicorn, no sockets, no HTTP parsing. Each round prints the process's CPU time (user + system)
per order with its cancel and, of it, the event loop's thread's own (``time.thread_time``: the
middleware, the routing, the bare path, the hop to the request threads and the answer); the
rest is the request threads' (the endpoint and the unit of work). The two parts move less with
the machine's load than a server's figures, so a change on one side shows there first. The
first 30 orders per client (bars, caches) are not timed; the rate limit is off.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))

import uvloop

from bench_order_path import RESTING, WARM, ledger
from paperdesk.api import create_app

BODY = json.dumps(
    {"symbol": "SPY", "side": "buy", "quantity": "1", "type": "limit", "limit_price": "50"}
).encode()


async def call(app: Any, method: str, path: str, token: str, body: bytes = b"") -> Any:
    """(status, body) of one request sent to ``app`` as uvicorn would send it."""
    headers = [(b"host", b"bench"), (b"authorization", f"Bearer {token}".encode())]
    if body:
        headers += [(b"content-type", b"application/json"), (b"content-length", b"%d" % len(body))]
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": headers,
        "client": ("127.0.0.1", 1),
        "server": ("bench", 80),
        "state": {},
    }
    messages = [{"type": "http.request", "body": body, "more_body": False}]
    answer: dict[str, Any] = {"body": []}

    async def receive() -> Any:
        if messages:
            return messages.pop()
        await asyncio.Event().wait()  # no disconnect while the request is served

    async def send(message: Any) -> None:
        if message["type"] == "http.response.start":
            answer["status"] = message["status"]
        else:
            answer["body"].append(message.get("body", b""))

    await app(scope, receive, send)
    return answer["status"], b"".join(answer["body"])


async def client(app: Any, token: str, portfolio: int, count: int, resting: list[str]) -> None:
    path = f"/api/v1/portfolios/{portfolio}/orders"
    for _ in range(count):
        status, answer = await call(app, "POST", path, token, BODY)
        if status != 201:
            raise SystemExit(f"placement failed: {status} {answer.decode()}")
        resting.append(json.loads(answer)["orders"][0]["order_id"])
        if len(resting) >= RESTING:
            status, answer = await call(app, "DELETE", f"{path}/{resting.pop(0)}", token)
            if status != 200:
                raise SystemExit(f"cancel failed: {status} {answer.decode()}")


async def measure(name: str, orders: int, clients: int, rounds: int) -> None:
    with (
        tempfile.TemporaryDirectory(prefix="bench-asgi-") as folder,
        ledger(name, Path(folder)) as (services, portfolio),
    ):
        token = services.api_keys.create("bench", "admin").token
        app = create_app(services)
        async with app.router.lifespan_context(app):
            books: list[list[str]] = [[] for _ in range(clients)]
            await asyncio.gather(*(client(app, token, portfolio, WARM, book) for book in books))
            total: list[float] = []
            loop: list[float] = []
            for number in range(1, rounds + 1):
                began, began_loop = time.process_time(), time.thread_time()
                await asyncio.gather(
                    *(client(app, token, portfolio, orders // clients, b) for b in books)
                )
                done = orders // clients * clients
                total.append((time.process_time() - began) / done * 1000)
                loop.append((time.thread_time() - began_loop) / done * 1000)
                print(
                    f"round {number} {name:10s} CPU {total[-1]:6.2f} ms, of it the event "
                    f"loop's thread {loop[-1]:5.2f} ms per order with its cancel   load "
                    f"average {os.getloadavg()[0]:.1f}",
                    flush=True,
                )
            print(
                f"{name:10s} median CPU {statistics.median(total):6.2f} ms, the event loop's "
                f"thread {statistics.median(loop):5.2f} ms per order with its cancel "
                f"({rounds} rounds of {orders})",
                flush=True,
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--orders", type=int, default=400)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--databases", default="sqlite,postgresql")
    args = parser.parse_args()
    os.environ["PAPERDESK_RATE_LIMIT_PER_MINUTE"] = "0"  # one key asks faster than allowed
    for name in args.databases.split(","):
        uvloop.run(measure(name, args.orders, args.clients, args.rounds))


if __name__ == "__main__":
    main()
