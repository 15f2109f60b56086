"""Exactly once under concurrency: 8 processes racing on one tick, and a SIGKILL mid-run.

Eight fresh processes (each opening its own Database) are started once for the module and fed
one task per trial; a Barrier releases them at the same moment. Runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import time
from collections.abc import Callable, Iterator
from datetime import date, datetime
from decimal import Decimal
from multiprocessing.queues import Queue
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.pool import NullPool
from tick_workers import Outcome, Task, tick_loop, tick_worker

from ledger_support import after_close, check_ledger, position_of, spy_history, spy_slice
from paperdesk.config import RunConfig, SourceConfig, StrategySpec
from paperdesk.live import FixedClock
from paperdesk.service.portfolios import PortfolioService
from paperdesk.store import Database

WORKERS = 8
TRIALS = 10
REPLAY_TRIALS = 3
HISTORY = spy_history()
BOTH = (StrategySpec("macd-cross"), StrategySpec("sma-cross"))

# Fresh processes forked from a clean server that has imported paperdesk but never opened a
# database: like "spawn" (each worker opens its own Database, nothing is inherited but code),
# without paying 8 cold imports of pandas and friends (about 20 s on 2 cores).
CONTEXT = multiprocessing.get_context("forkserver")
CONTEXT.set_forkserver_preload(["paperdesk.service.portfolios"])

Race = Callable[[str, int, datetime | None], list[Outcome]]


@pytest.fixture(scope="module")
def race() -> Iterator[Race]:
    context = CONTEXT
    barrier = context.Barrier(WORKERS)
    results: Queue[Outcome] = context.Queue()
    inboxes: list[Queue[Task | None]] = [context.Queue() for _ in range(WORKERS)]
    workers = [
        context.Process(target=tick_worker, args=(barrier, inbox, results), daemon=True)
        for inbox in inboxes
    ]
    for worker in workers:
        worker.start()

    def run(url: str, portfolio_id: int, now: datetime | None) -> list[Outcome]:
        for inbox in inboxes:
            inbox.put((url, portfolio_id, now))
        return [results.get(timeout=120) for _ in workers]

    yield run
    for inbox in inboxes:
        inbox.put(None)
    for worker in workers:
        worker.join(timeout=30)


def _ticks(outcomes: list[Outcome]) -> list[tuple[str, datetime | None, int]]:
    failures = [o for o in outcomes if isinstance(o, str)]
    assert not failures, failures
    return [tick for outcome in outcomes if not isinstance(outcome, str) for tick in outcome]


def test_the_same_candle_ticked_by_8_processes_trades_once(database_url: str, race: Race) -> None:
    database = Database(database_url)
    bar = pd.Timestamp("2020-01-03", tz="UTC")
    for _ in range(TRIALS):
        clock = FixedClock(after_close(HISTORY, "2019-12-31"))
        service = PortfolioService(database, clock=clock)
        settings = RunConfig(strategies=BOTH[:1], symbols=("SPY",))
        pid = service.create_portfolio("race", Decimal(10000), settings=settings)
        service.tick(pid, "SPY")
        clock.set(after_close(HISTORY, "2020-01-02"))
        service.tick(pid, "SPY")  # a buy order now rests, to fill at the next bar's open

        ticks = _ticks(race(database_url, pid, after_close(HISTORY, "2020-01-03")))

        assert sorted(status for status, _, _ in ticks) == ["already-processed"] * 7 + ["processed"]
        assert [(c, n) for s, c, n in ticks if s == "processed"] == [(bar, 1)]
        assert len(service.fills(pid)) == 1
        runs = [r.ts_bar for r in service.tick_runs(pid)]
        assert runs.count(bar) == 1
        check_ledger(database, pid)
    database.close()


def test_8_concurrent_manual_replay_ticks_serve_consecutive_candles_each_once(
    database_url: str, race: Race, tmp_path: Path
) -> None:
    """A manual replay serves the next bar per tick; ticks that noted the same next bar before
    one of them committed serve it once (how many bars 8 racing processes serve depends on how
    their reads interleave with the commits; tests/unit/live/test_replay_clock.py pins it)."""
    database = Database(database_url)
    path = spy_slice(tmp_path, "2019-06-03", 80)
    source = SourceConfig("replay", files={"SPY": str(path)}, replay_from=date(2019, 8, 1))
    frame = PortfolioService(database).source.history("SPY", "1d", source)
    first = position_of(frame, "2019-08-01")
    for _ in range(REPLAY_TRIALS):
        service = PortfolioService(database)
        settings = RunConfig(strategies=BOTH, symbols=("SPY",), source=source)
        pid = service.create_portfolio("replay race", Decimal(10000), settings=settings)

        ticks = _ticks(race(database_url, pid, None))

        served = sorted(pd.Timestamp(c) for s, c, _ in ticks if s == "processed" and c)
        assert 1 <= len(served) <= WORKERS
        assert sorted(s for s, _, _ in ticks) == sorted(
            ["already-processed"] * (WORKERS - len(served)) + ["processed"] * len(served)
        )
        expected = list(frame.index[first : first + len(served)])
        assert served == expected
        runs = service.tick_runs(pid)
        assert [pd.Timestamp(r.ts_bar) for r in runs[:: len(BOTH)]] == expected
        assert len(runs) == len(served) * len(BOTH)
        check_ledger(database, pid)
    database.close()


def test_a_run_killed_mid_tick_leaves_a_consistent_ledger_and_resumes(
    database_url: str, tmp_path: Path
) -> None:
    database = Database(database_url)
    path = spy_slice(tmp_path, "2019-06-03", 300)
    source = SourceConfig("replay", files={"SPY": str(path)}, replay_from=date(2019, 8, 1))
    service = PortfolioService(database)
    settings = RunConfig(strategies=BOTH, symbols=("SPY",), source=source)
    pid = service.create_portfolio("killed", Decimal(10000), settings=settings)
    frame = service.source.history("SPY", "1d", source)
    first = position_of(frame, "2019-08-01")
    probe = create_engine(database.url, poolclass=NullPool)  # plain reads: no write lock
    for round_ in range(2):
        child = CONTEXT.Process(target=tick_loop, args=(database.url, pid), daemon=True)
        child.start()
        wanted = _tick_runs(probe, pid) + len(BOTH) * (15 + 7 * round_)
        deadline = time.monotonic() + 60
        while _tick_runs(probe, pid) < wanted:
            assert child.is_alive(), "the ticking process ended before it was killed"
            assert time.monotonic() < deadline, "the ticking process made no progress"
            time.sleep(0.02)
        assert child.pid is not None
        os.kill(child.pid, signal.SIGKILL)
        child.join(timeout=30)
        assert child.exitcode == -signal.SIGKILL

        check_ledger(database, pid)
        runs = service.tick_runs(pid)
        done = len(runs) // len(BOTH)
        assert [pd.Timestamp(r.ts_bar) for r in runs] == [
            label for label in frame.index[first : first + done] for _ in BOTH
        ]
        (resumed,) = service.tick(pid, "SPY")
        assert resumed.ts_bar == frame.index[first + done]
    assert len(service.fills(pid)) > 0, "the killed runs should have traded"
    check_ledger(database, pid)
    probe.dispose()
    database.close()


def _tick_runs(engine: Engine, portfolio_id: int) -> int:
    """How many tick runs are committed, read without taking SQLite's write lock (every
    ledger transaction begins IMMEDIATE, and a busy writer would starve the poller)."""
    with engine.connect() as connection:
        statement = text("SELECT count(*) FROM tick_runs WHERE portfolio_id = :p")
        return int(connection.execute(statement, {"p": portfolio_id}).scalar_one())
