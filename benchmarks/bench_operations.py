"""What the operations layer costs per request: request id, metrics and the rate limit.

Run on demand (not part of the test suite):

    .venv/bin/python benchmarks/bench_operations.py [--requests 2000] [--redis redis://127.0.0.1:6379/0]

Times authenticated ``GET /api/v1/portfolios`` through the real application (FastAPI's
TestClient, in process, SQLite in a temporary folder) with the rate limit off, in process, and
in Redis (when ``--redis`` answers), and one ``hit`` of each limiter alone; reports the median
and p99 per request. The difference between the rows is what the limiter adds.
"""

from __future__ import annotations

import argparse
import functools
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path

from fastapi.testclient import TestClient

from paperdesk.api import create_app
from paperdesk.api.rate_limit import InProcessLimiter, Limit, NoLimit, RateLimiter, build_limiter
from paperdesk.service import Services
from paperdesk.store import Database

BIG = Limit(per_minute=10_000_000, burst=10_000_000)  # never refuses: only the cost is timed


def percentiles(samples: list[float]) -> str:
    ordered = sorted(samples)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    return f"p50 {statistics.median(ordered) * 1e6:8.1f} us   p99 {p99 * 1e6:8.1f} us"


def timed(call: Callable[[], object], count: int) -> list[float]:
    samples = []
    for _ in range(count):
        started = time.perf_counter()
        call()
        samples.append(time.perf_counter() - started)
    return samples


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--redis", default=None, help="a Redis URL to time the shared limiter")
    arguments = parser.parse_args()
    folder = Path(tempfile.mkdtemp())
    services = Services(database=Database(f"sqlite:///{folder / 'ledger.db'}"))
    token = services.api_keys.create("bench", "read").token
    headers = {"Authorization": f"Bearer {token}"}
    limiters: dict[str, RateLimiter] = {"no limit": NoLimit(), "in process": InProcessLimiter(BIG)}
    if arguments.redis:
        limiters["redis"] = build_limiter(BIG, arguments.redis, f"bench:{uuid.uuid4().hex}:")
    print(f"{arguments.requests} authenticated GET /api/v1/portfolios each (after 100 warm-up)")
    for name, limiter in limiters.items():
        app = create_app(services)
        app.state.rate_limiter = limiter
        with TestClient(app) as client:
            request = lambda: client.get("/api/v1/portfolios", headers=headers)  # noqa: E731
            timed(request, 100)
            print(f"  request, {name:10}  {percentiles(timed(request, arguments.requests))}")
        alone = timed(functools.partial(limiter.hit, 1), 5000)
        print(f"  limiter alone, {name:10}  {percentiles(alone)}")


if __name__ == "__main__":
    main()
