"""Orders per second over HTTP against a running ``paperdesk serve``, on SQLite and PostgreSQL.

Run on demand (not part of the test suite):

    .venv/bin/python benchmarks/bench_service.py [--orders 500] [--clients 4]
        [--databases sqlite,postgresql]

For each database the script starts ``paperdesk serve`` as a real server process (uvicorn on a
free local port, its own home folder; PostgreSQL in a fresh schema of ``DATABASE_URL``, default
``postgresql://postgres@127.0.0.1:5432/test``, dropped afterwards, skipped with a message when
unreachable; the ledger and server helpers are bench_streams.py's), creates an admin key with
``paperdesk apikey create`` and a portfolio through the
API, then ``--clients`` concurrent HTTP clients (keep-alive connections of the lean client
``lean_http.py`` on one event loop of this process) place ``--orders`` limit
orders in all (a buy limit far below the market, so it rests), each followed by a cancel of the
order once 25 of that client's orders rest (a trader's book of working orders stays small). It
reports orders placed per second of wall time (the cancels share that time; the requests per
second counting them too are printed beside it) and the p50 and p99 of one placement's
latency as the client sees it (the cancels are timed apart), the server process's CPU time
(user + system, from ``/proc``) per order with its cancel (the figure load changes least; the
part of it spent in the kernel, and the server threads' context switches per order, beside
it), the clients' own CPU time per order with its cancel (they share the machine's 2 cores with the
server), and the load average at the end. Every response is checked: a non-201 placement
stops the run.
``--profile FILE`` records the server with py-spy (``uv pip install py-spy``) meanwhile, into
``FILE.sqlite`` and ``FILE.postgresql`` (raw stacks with counts).

``--uvicorn OPTION=VALUE`` (repeatable) runs the same command with one of its uvicorn options
replaced (``http=h11``, ``loop=asyncio``; ``paperdesk serve`` runs httptools on uvloop), to
compare them on the same code.

``--floor`` measures instead what the server costs without orders: its CPU over 10 idle seconds
(its background loops: the outbox tailer's poll), and its CPU per request of ``/healthz`` (no
key, no database) and ``/api/v1/me`` (the key's check and a response model), 1,000 requests
each from ``--clients`` keep-alive clients: the HTTP layer's share of an order's CPU.

Then it runs ``benchmarks/bench_streams.py`` (event delivery latency to 1,000 concurrent
WebSocket clients, p50 and p99, same databases; ``--no-streams`` skips it).

The issue's targets on this machine: at least 500 orders/s with p99 under 50 ms on SQLite, and
p99 event delivery under 100 ms to 1,000 clients.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from sqlalchemy.exc import OperationalError

from bench_streams import context_switches, cpu_seconds, cpu_times, database_url, server
from lean_http import LeanConnection

PAPERDESK = str(Path(sys.executable).with_name("paperdesk"))
REDIS = "redis://127.0.0.1:6379/0"  # --workers N > 1 needs one (REDIS_URL wins)
RESTING = 25  # working orders a client keeps before it cancels its oldest


@dataclass
class Result:
    database: str
    orders: int
    seconds: float
    latencies: list[float] = field(default_factory=list)
    cancels: list[float] = field(default_factory=list)
    server_cpu: float = 0.0
    server_system: float = 0.0  # the part of server_cpu spent in the kernel (syscalls, fsync)
    server_switches: int = 0  # the server threads' context switches (sleeps and wake-ups)
    client_cpu: float = 0.0
    workers: int = 1
    portfolios: int = 1

    def line(self) -> str:
        ordered = sorted(self.latencies)
        p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
        cancel = statistics.median(self.cancels) if self.cancels else float("nan")
        requests = (self.orders + len(self.cancels)) / self.seconds
        return (
            f"{self.database:<10} {self.workers} worker{'s' if self.workers > 1 else ' '} "
            f"{self.portfolios} portfolio{'s' if self.portfolios > 1 else ' '} "
            f"{self.orders / self.seconds:8.1f} orders/s "
            f"({requests:.1f} requests/s with the cancels)   "
            f"placement p50 {statistics.median(ordered) * 1000:6.1f} ms  p99 {p99 * 1000:6.1f} ms"
            f"   cancel p50 {cancel * 1000:6.1f} ms"
            f"   server CPU {self.server_cpu / self.orders * 1000:5.2f} ms an order with its cancel"
            f" ({self.server_system / self.orders * 1000:4.2f} ms of it in the kernel,"
            f" {self.server_switches / self.orders:.1f} context switches)"
            f" (the clients' {self.client_cpu / self.orders * 1000:4.2f} ms)"
            f"   load average {os.getloadavg()[0]:.1f}"
        )


@contextmanager
def served(
    name: str, workers: int = 1, redis: bool = False, uvicorn_options: dict[str, str] | None = None
) -> Iterator[tuple[str, str, int]]:
    """A running ``paperdesk serve`` on an empty ledger of database ``name`` (the streams
    benchmark's ledger and server) and an admin key made for it: (HTTP base, token, the
    server's process id)."""
    with tempfile.TemporaryDirectory(prefix="bench-service-") as folder:
        work = Path(folder)
        with database_url(name, work) as url:
            environment = {**os.environ, "DATABASE_URL": url, "PAPERDESK_HOME": str(work / "home")}
            created = subprocess.run(
                [PAPERDESK, "apikey", "create", "bench", "--scope", "admin", "--json"],
                env=environment,
                capture_output=True,
                text=True,
                check=True,
            )
            token = json.loads(created.stdout)["key"]
            redis_url = os.environ.get("REDIS_URL", REDIS) if workers > 1 or redis else None
            with server(
                url, redis_url, 1.0, work, workers=workers, uvicorn_options=uvicorn_options
            ) as (base, pid):
                yield base.replace("ws://", "http://", 1), token, pid


async def place_orders(
    base: str, token: str, portfolio_id: int, count: int, result: Result
) -> None:
    """One client's orders on one keep-alive connection: place, and once ``RESTING`` orders
    rest, cancel the oldest; every answer is checked."""
    path = f"/api/v1/portfolios/{portfolio_id}/orders"
    body = {"symbol": "SPY", "side": "buy", "quantity": "1", "type": "limit", "limit_price": "50"}
    resting: list[str] = []
    clock = time.perf_counter
    async with LeanConnection(base, {"Authorization": f"Bearer {token}"}) as connection:
        for _ in range(count):
            started = clock()
            status, answer = await connection.request("POST", path, body)
            result.latencies.append(clock() - started)
            if status != 201:
                raise SystemExit(f"placement failed: {status} {answer.decode()}")
            resting.append(json.loads(answer)["orders"][0]["order_id"])
            if len(resting) >= RESTING:
                started = clock()
                status, answer = await connection.request("DELETE", f"{path}/{resting.pop(0)}")
                result.cancels.append(clock() - started)
                if status != 200:
                    raise SystemExit(f"cancel failed: {status} {answer.decode()}")


async def place_concurrently(
    base: str, token: str, portfolio_ids: list[int], shares: list[int], result: Result
) -> None:
    """Client ``i`` places ``shares[i]`` orders in portfolio ``portfolio_ids[i % len]``."""
    await asyncio.gather(
        *(
            place_orders(base, token, portfolio_ids[i % len(portfolio_ids)], n, result)
            for i, n in enumerate(shares)
        )
    )


def run(
    name: str,
    orders: int,
    clients: int,
    profile: str | None,
    workers: int = 1,
    portfolios: int = 1,
    redis: bool = False,
    uvicorn_options: dict[str, str] | None = None,
) -> Result:
    with served(name, workers, redis, uvicorn_options) as (base, token, pid):
        headers = {"Authorization": f"Bearer {token}"}
        portfolio_ids: list[int] = []
        for number in range(portfolios):
            created = httpx.post(
                f"{base}/api/v1/portfolios",
                json={"name": f"bench-{number}", "cash": "100000000", "symbols": ["SPY"]},
                headers=headers,
                timeout=60,
            )
            created.raise_for_status()
            portfolio_ids.append(int(created.json()["summary"]["id"]))
        warm = Result(name, 0, 0.0)
        # the first requests load the bars (10 orders on a connection per client: with several
        # workers, each process gets some)
        warm_share = [10 // clients + (1 if i < 10 % clients else 0) for i in range(clients)]
        asyncio.run(place_concurrently(base, token, portfolio_ids, warm_share, warm))
        result = Result(name, orders, 0.0, workers=workers, portfolios=portfolios)
        share = [orders // clients + (1 if i < orders % clients else 0) for i in range(clients)]
        profiler = None
        if profile:
            # py-spy (uv pip install py-spy) samples the server without stopping it; raw
            # output: one line per stack with its count, for flame graphs or a grep
            py_spy = str(Path(sys.executable).parent / "py-spy")
            record = [py_spy, "record", "-o", f"{profile}.{name}", "-p", str(pid), "-r", "200"]
            profiler = subprocess.Popen(
                [*record, "-f", "raw", "--nonblocking", "--subprocesses"], stdout=subprocess.DEVNULL
            )
            time.sleep(1)
        (user_before, system_before), client_before = cpu_times(pid), time.process_time()
        switches_before = context_switches(pid)
        started = time.perf_counter()
        asyncio.run(place_concurrently(base, token, portfolio_ids, share, result))
        result.seconds = time.perf_counter() - started
        user_after, system_after = cpu_times(pid)
        result.server_switches = context_switches(pid) - switches_before
        result.server_system = system_after - system_before
        result.server_cpu = user_after - user_before + result.server_system
        result.client_cpu = time.process_time() - client_before
        if profiler is not None:
            profiler.send_signal(2)  # SIGINT: py-spy writes its file and exits
            profiler.wait(60)
        return result


def floor(
    name: str,
    requests: int,
    clients: int,
    idle_seconds: float = 10.0,
    uvicorn_options: dict[str, str] | None = None,
) -> None:
    """Print the server's idle CPU and its CPU per request of two endpoints without orders."""
    with served(name, uvicorn_options=uvicorn_options) as (base, token, pid):
        time.sleep(1)
        before = cpu_seconds(pid)
        time.sleep(idle_seconds)
        idle = cpu_seconds(pid) - before
        print(
            f"{name:<10} idle: {idle * 1000:.0f} ms of server CPU in {idle_seconds:.0f} s",
            flush=True,
        )
        headers = {"Authorization": f"Bearer {token}"}

        def ask(path: str, count: int) -> None:
            with httpx.Client(headers=headers, timeout=30) as client:
                for _ in range(count):
                    response = client.get(f"{base}{path}")
                    if response.status_code != 200:
                        raise SystemExit(f"{path}: {response.status_code} {response.text}")

        for path in ("/healthz", "/api/v1/me"):
            ask(path, 20)  # warm
            threads = [
                threading.Thread(target=ask, args=(path, requests // clients))
                for _ in range(clients)
            ]
            cpu_before, started = cpu_seconds(pid), time.perf_counter()
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            seconds = time.perf_counter() - started
            spent = cpu_seconds(pid) - cpu_before
            done = requests // clients * clients
            print(
                f"{name:<10} {path:<12} {done / seconds:7.1f} requests/s   server CPU "
                f"{spent / done * 1000:5.2f} ms a request   load average {os.getloadavg()[0]:.1f}",
                flush=True,
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=500)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument(
        "--workers",
        type=int,
        default=1,
        help="server processes (paperdesk serve --workers N; more than 1 uses REDIS_URL, "
        f"default {REDIS})",
    )
    parser.add_argument(
        "--redis", action="store_true", help="give one worker REDIS_URL too (as several have)"
    )
    parser.add_argument(
        "--portfolios",
        type=int,
        default=1,
        help="portfolios the clients trade (client i trades portfolio i modulo N; default 1: "
        "all clients trade one portfolio)",
    )
    parser.add_argument("--no-streams", action="store_true", help="skip the WebSocket part")
    parser.add_argument(
        "--profile", help="record the server with py-spy into FILE.sqlite / FILE.postgresql"
    )
    parser.add_argument(
        "--floor",
        action="store_true",
        help="the server's idle CPU and CPU per request without orders (no orders, no streams)",
    )
    parser.add_argument(
        "--uvicorn",
        action="append",
        default=[],
        metavar="OPTION=VALUE",
        help="replace one of the server's uvicorn options, e.g. http=h11 or loop=asyncio "
        "(paperdesk serve runs http=httptools, loop=uvloop), to compare them on the same code",
    )
    arguments = parser.parse_args()
    uvicorn_options = dict(option.split("=", 1) for option in arguments.uvicorn) or None
    # the rate limit off: the benchmark's one key asks faster than a client is allowed to
    os.environ["PAPERDESK_RATE_LIMIT_PER_MINUTE"] = "0"
    for name in arguments.databases.split(","):
        if name not in ("sqlite", "postgresql"):
            raise SystemExit(f"unknown database {name!r} (sqlite or postgresql)")
        try:
            if arguments.floor:
                floor(name, 1000, arguments.clients, uvicorn_options=uvicorn_options)
                continue
            result = run(
                name,
                arguments.orders,
                arguments.clients,
                arguments.profile,
                arguments.workers,
                arguments.portfolios,
                arguments.redis,
                uvicorn_options,
            )
            print(result.line(), flush=True)
        except OperationalError as error:  # no PostgreSQL server here: say so, as the tests do
            print(f"{name}: skipped ({str(error).splitlines()[0]})")
    if not arguments.no_streams and not arguments.floor:
        streams = Path(__file__).with_name("bench_streams.py")
        subprocess.run(
            [sys.executable, str(streams), "--databases", arguments.databases], check=True
        )


if __name__ == "__main__":
    main()
