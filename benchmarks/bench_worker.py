"""Worker throughput on PostgreSQL: one versus two ``paperdesk worker --once`` processes.

Run on demand (not part of the test suite):

    .venv/bin/python benchmarks/bench_worker.py [--portfolios 6] [--replay-from 2021-02-01]
        [--workers 1,2]

Each trial builds a fresh PostgreSQL schema (``DATABASE_URL``, default
``postgresql://postgres@127.0.0.1:5432/test``) holding N replay portfolios (macd-cross with
bracket legs, alternately on SPY and AAPL, every bar since ``--replay-from`` already due), starts
W worker processes at once, each running one round (``--once``: it claims portfolios until none
is due and free), and reports the wall time from start to the last exit (process start-up
included), the bars ticked per second, and that every bar was ticked exactly once. It also
times an empty round (nothing due: the claim query and the enrolment alone).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
import uuid
from datetime import UTC, date, datetime
from decimal import Decimal

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from paperdesk.config import RunConfig, SourceConfig, StrategySpec
from paperdesk.data.clock import WallClock
from paperdesk.service.portfolios import PortfolioService
from paperdesk.service.worker import Worker
from paperdesk.store import Database, normalise_url

DEFAULT_POSTGRES = "postgresql://postgres@127.0.0.1:5432/test"
CLI = [sys.executable, "-c", "from paperdesk.cli import main; main()"]


def _schema(server: str) -> tuple[str, str]:
    name = f"bench_{uuid.uuid4().hex[:10]}"
    engine = create_engine(normalise_url(server))
    with engine.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{name}"'))
    engine.dispose()
    url = make_url(normalise_url(server)).update_query_dict({"options": f"-csearch_path={name}"})
    return name, url.render_as_string(hide_password=False)


def _drop(server: str, name: str) -> None:
    engine = create_engine(normalise_url(server))
    with engine.begin() as connection:
        connection.execute(text(f'DROP SCHEMA "{name}" CASCADE'))
    engine.dispose()


def _create(database: Database, count: int, start: date) -> None:
    service = PortfolioService(database)
    params = {"fast": 5, "slow": 13, "signal": 4, "stop_atr": 0.5, "target_atr": 1.0}
    began = datetime(2026, 1, 1, tzinfo=UTC)  # every bar is due long before now
    for index in range(count):
        source = SourceConfig(
            "replay", replay_from=start, replay_interval="1s", replay_started_at=began
        )
        settings = RunConfig(
            strategies=(StrategySpec("macd-cross", params),),
            symbols=("SPY" if index % 2 == 0 else "AAPL",),
            source=source,
        )
        service.create_portfolio(f"bench {index}", Decimal(10000), settings=settings)


def _trial(server: str, workers: int, portfolios: int, start: date) -> dict[str, float]:
    name, url = _schema(server)
    try:
        database = Database(url)
        _create(database, portfolios, start)
        env = {**os.environ, "DATABASE_URL": url}
        began = time.perf_counter()
        processes = [
            subprocess.Popen([*CLI, "worker", "--once"], env=env, stdout=subprocess.DEVNULL)
            for _ in range(workers)
        ]
        codes = [process.wait() for process in processes]
        elapsed = time.perf_counter() - began
        with database.engine.connect() as connection:
            ticks = connection.execute(text("SELECT count(*) FROM tick_runs")).scalar_one()
            distinct = connection.execute(
                text("SELECT count(DISTINCT (portfolio_id, symbol, candle_at)) FROM tick_runs")
            ).scalar_one()
        service = PortfolioService(database)
        empty = Worker(service, clock=WallClock())
        empty.run_round()  # warm
        timed = time.perf_counter()
        for _ in range(20):
            empty.run_round()
        empty_ms = (time.perf_counter() - timed) / 20 * 1000
        database.close()
        assert codes == [0] * workers, codes
        assert ticks == distinct, f"{ticks} tick records but {distinct} distinct bars"
        return {"seconds": elapsed, "bars": float(ticks), "empty_round_ms": empty_ms}
    finally:
        _drop(server, name)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--portfolios", type=int, default=6)
    parser.add_argument("--replay-from", type=date.fromisoformat, default=date(2021, 2, 1))
    parser.add_argument("--workers", default="1,2")
    options = parser.parse_args()
    server = os.environ.get("DATABASE_URL", "")
    server = server if server.startswith("postgres") else DEFAULT_POSTGRES
    for count in (int(w) for w in options.workers.split(",")):
        result = _trial(server, count, options.portfolios, options.replay_from)
        rate = result["bars"] / result["seconds"]
        print(
            f"{count} worker(s), {options.portfolios} portfolios: {result['bars']:.0f} bars "
            f"ticked once each in {result['seconds']:.1f} s ({rate:.1f} bars/s, start-up "
            f"included); an empty round takes {result['empty_round_ms']:.1f} ms"
        )


if __name__ == "__main__":
    main()
