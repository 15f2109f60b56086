"""Orders per second over HTTP against a running ``paperdesk serve``, on SQLite and PostgreSQL.

Run on demand (not part of the test suite):

    .venv/bin/python benchmarks/bench_service.py [--orders 500] [--clients 4]
        [--databases sqlite,postgresql]

For each database the script starts ``paperdesk serve`` as a real server process (uvicorn on a
free local port, its own home folder; PostgreSQL in a fresh schema of ``DATABASE_URL``, default
``postgresql://postgres@127.0.0.1:5432/test``, dropped afterwards, skipped with a message when
unreachable), creates a trade key with ``paperdesk apikey create`` and a portfolio through the
API, then ``--clients`` concurrent HTTP clients (httpx, keep-alive) place ``--orders`` limit
orders in all (a buy limit far below the market, so it rests), each followed by a cancel of the
order once 25 of that client's orders rest (a trader's book of working orders stays small). It
reports orders placed per second of wall time (the cancels share that time; the requests per
second counting them too are printed beside it) and the p50 and p99 of one placement's
latency as the client sees it (the cancels are timed apart). Every response is checked: a
non-201 placement stops the run.

Then it runs ``benchmarks/bench_streams.py`` (event delivery latency to 1,000 concurrent
WebSocket clients, p50 and p99, same databases; ``--no-streams`` skips it).

The issue's targets on this machine: at least 500 orders/s with p99 under 50 ms on SQLite, and
p99 event delivery under 100 ms to 1,000 clients.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx

PAPERDESK = str(Path(sys.executable).with_name("paperdesk"))
DEFAULT_POSTGRES = "postgresql://postgres@127.0.0.1:5432/test"
RESTING = 25  # working orders a client keeps before it cancels its oldest


@dataclass
class Result:
    database: str
    orders: int
    seconds: float
    latencies: list[float] = field(default_factory=list)
    cancels: list[float] = field(default_factory=list)

    def line(self) -> str:
        ordered = sorted(self.latencies)
        p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
        cancel = statistics.median(self.cancels) if self.cancels else float("nan")
        requests = (self.orders + len(self.cancels)) / self.seconds
        return (
            f"{self.database:<10} {self.orders / self.seconds:8.1f} orders/s "
            f"({requests:.1f} requests/s with the cancels)   "
            f"placement p50 {statistics.median(ordered) * 1000:6.1f} ms  p99 {p99 * 1000:6.1f} ms"
            f"   cancel p50 {cancel * 1000:6.1f} ms"
        )


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def postgres_schema(server: str) -> Iterator[str | None]:
    """A URL whose connections live in a fresh schema (None when the server is unreachable)."""
    try:
        import sqlalchemy
    except ImportError:
        yield None
        return
    url = server.replace("postgres://", "postgresql://", 1)
    engine = sqlalchemy.create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    try:
        with engine.begin() as connection:
            connection.execute(sqlalchemy.text(f'CREATE SCHEMA "{schema}"'))
    except Exception as error:
        print(f"postgresql: skipped ({error.__class__.__name__}: {str(error).splitlines()[0]})")
        yield None
        return
    separator = "&" if "?" in url else "?"
    try:
        yield f"{url}{separator}options=-csearch_path%3D{schema}"
    finally:
        with engine.begin() as connection:
            connection.execute(sqlalchemy.text(f'DROP SCHEMA "{schema}" CASCADE'))
        engine.dispose()


@contextmanager
def server(database_url: str | None) -> Iterator[tuple[str, str]]:
    """A running ``paperdesk serve`` (base URL, trade key) on its own home folder."""
    home = Path(tempfile.mkdtemp(prefix="bench-service-"))
    # the rate limit off: the benchmark's one key asks faster than a client is allowed to
    environment = {
        **os.environ,
        "PAPERDESK_HOME": str(home),
        "PAPERDESK_RATE_LIMIT_PER_MINUTE": "0",
    }
    environment.pop("DATABASE_URL", None)
    if database_url is not None:
        environment["DATABASE_URL"] = database_url
    created = subprocess.run(
        [PAPERDESK, "apikey", "create", "bench", "--scope", "admin", "--json"],
        env=environment,
        capture_output=True,
        text=True,
        check=True,
    )
    token = json.loads(created.stdout)["key"]
    port = free_port()
    process = subprocess.Popen(
        [PAPERDESK, "serve", "--port", str(port)],
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise SystemExit("paperdesk serve did not start")
            time.sleep(0.1)
        yield base, token
    finally:
        process.terminate()
        process.wait(timeout=30)
        shutil.rmtree(home, ignore_errors=True)


def place_orders(base: str, token: str, portfolio_id: int, count: int, result: Result) -> None:
    headers = {"Authorization": f"Bearer {token}"}
    path = f"{base}/api/v1/portfolios/{portfolio_id}/orders"
    body = {"symbol": "SPY", "side": "buy", "quantity": "1", "type": "limit", "limit_price": "50"}
    resting: list[str] = []
    with httpx.Client(headers=headers, timeout=30) as client:
        for _ in range(count):
            started = time.perf_counter()
            response = client.post(path, json=body)
            result.latencies.append(time.perf_counter() - started)
            if response.status_code != 201:
                raise SystemExit(f"placement failed: {response.status_code} {response.text}")
            resting.append(response.json()["orders"][0]["order_id"])
            if len(resting) >= RESTING:
                started = time.perf_counter()
                canceled = client.delete(f"{path}/{resting.pop(0)}")
                result.cancels.append(time.perf_counter() - started)
                if canceled.status_code != 200:
                    raise SystemExit(f"cancel failed: {canceled.status_code} {canceled.text}")


def run(name: str, database_url: str | None, orders: int, clients: int) -> Result:
    with server(database_url) as (base, token):
        headers = {"Authorization": f"Bearer {token}"}
        created = httpx.post(
            f"{base}/api/v1/portfolios",
            json={"name": "bench", "cash": "100000000", "symbols": ["SPY"]},
            headers=headers,
            timeout=60,
        )
        created.raise_for_status()
        portfolio_id = int(created.json()["summary"]["id"])
        warm = Result(name, 0, 0.0)
        place_orders(base, token, portfolio_id, 10, warm)  # first requests load the bars
        result = Result(name, orders, 0.0)
        share = [orders // clients + (1 if i < orders % clients else 0) for i in range(clients)]
        threads = [
            threading.Thread(target=place_orders, args=(base, token, portfolio_id, n, result))
            for n in share
        ]
        started = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        result.seconds = time.perf_counter() - started
        return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=500)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--no-streams", action="store_true", help="skip the WebSocket part")
    arguments = parser.parse_args()
    for name in arguments.databases.split(","):
        if name == "sqlite":
            print(run("sqlite", None, arguments.orders, arguments.clients).line(), flush=True)
        elif name == "postgresql":
            with postgres_schema(os.environ.get("DATABASE_URL", DEFAULT_POSTGRES)) as url:
                if url is not None:
                    result = run("postgresql", url, arguments.orders, arguments.clients)
                    print(result.line(), flush=True)
        else:
            raise SystemExit(f"unknown database {name!r} (sqlite or postgresql)")
    if not arguments.no_streams:
        streams = Path(__file__).with_name("bench_streams.py")
        subprocess.run(
            [sys.executable, str(streams), "--databases", arguments.databases], check=True
        )


if __name__ == "__main__":
    main()
