"""The outbox under concurrency: 8 processes ticking several portfolios at once (and racing on
one bar of another) publish a gap-free sequence in commit order, one consecutive run of
entries per committed tick; a process killed mid-tick leaves no entry and no number used.

Runs on SQLite and PostgreSQL. While the workers run, this process reads the outbox over and
over: every read must see the numbers 1..k and nothing else (a later-committed unit holding a
lower number than an earlier one would show up as a hole in some read).
"""

from __future__ import annotations

import multiprocessing
import os
import queue
import signal
import time
from collections.abc import Callable, Iterator
from datetime import date, datetime
from decimal import Decimal
from itertools import combinations
from multiprocessing.queues import Queue
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from tick_workers import PlanOutcome, PlanTask, TimedTick, plan_worker, tick_loop

from ledger_support import after_close, check_ledger, position_of, spy_history, spy_slice
from outbox_support import (
    check_gap_free,
    check_ticks_against_rows,
    check_totals,
    entries,
    last_sequence,
    plain_engine,
    utc_text,
    visible_sequences,
)
from paperdesk.config import RunConfig, SourceConfig, StrategySpec
from paperdesk.live import FixedClock
from paperdesk.service.portfolios import PortfolioService
from paperdesk.store import Database

WORKERS = 8
REPLAYS = 4  # replay portfolios ticked at the same time
ROUNDS = 4  # replay ticks per worker (each worker visits ROUNDS different portfolios)
HISTORY = spy_history()
BOTH = (StrategySpec("macd-cross"), StrategySpec("sma-cross", {"fast": 3, "slow": 8}))

CONTEXT = multiprocessing.get_context("forkserver")  # see test_concurrent_ticks.py
CONTEXT.set_forkserver_preload(["paperdesk.service.portfolios"])

Started = Callable[[list[PlanTask]], "Queue[PlanOutcome]"]


@pytest.fixture(scope="module")
def workers() -> Iterator[Started]:
    barrier = CONTEXT.Barrier(WORKERS)
    results: Queue[PlanOutcome] = CONTEXT.Queue()
    inboxes: list[Queue[PlanTask | None]] = [CONTEXT.Queue() for _ in range(WORKERS)]
    processes = [
        CONTEXT.Process(target=plan_worker, args=(barrier, inbox, results), daemon=True)
        for inbox in inboxes
    ]
    for process in processes:
        process.start()

    def start(tasks: list[PlanTask]) -> Queue[PlanOutcome]:
        for inbox, task in zip(inboxes, tasks, strict=True):
            inbox.put(task)
        return results

    yield start
    for inbox in inboxes:
        inbox.put(None)
    for process in processes:
        process.join(timeout=30)


def _prepared_duplicate(database: Database) -> int:
    """A portfolio with a buy order resting for the 2020-01-03 bar (as in the race test)."""
    clock = FixedClock(after_close(HISTORY, "2019-12-31"))
    service = PortfolioService(database, clock=clock)
    settings = RunConfig(strategies=BOTH[:1], symbols=("SPY",))
    pid = service.create_portfolio("same bar", Decimal(10000), settings=settings)
    service.tick(pid, "SPY")
    clock.set(after_close(HISTORY, "2020-01-02"))
    service.tick(pid, "SPY")
    return pid


def _watch(database: Database, results: Queue[PlanOutcome]) -> tuple[list[PlanOutcome], int]:
    """Collect the workers' outcomes, reading the outbox while they run; returns the outcomes
    and how many reads were made."""
    engine = plain_engine(database)
    outcomes: list[PlanOutcome] = []
    reads = 0
    deadline = time.monotonic() + 180
    while len(outcomes) < WORKERS:
        assert time.monotonic() < deadline, "the workers did not finish"
        count, lowest, highest = visible_sequences(engine)
        reads += 1
        assert count == highest, f"a read saw {count} entries numbered {lowest}..{highest}"
        assert lowest == (1 if count else 0)
        try:
            outcomes.append(results.get(timeout=0.01))
        except queue.Empty:
            continue
    engine.dispose()
    return outcomes, reads


def _timed(outcomes: list[PlanOutcome]) -> list[list[TimedTick]]:
    failures = [outcome for outcome in outcomes if isinstance(outcome, str)]
    assert not failures, failures
    return [outcome for outcome in outcomes if not isinstance(outcome, str)]


def test_8_processes_ticking_5_portfolios_publish_one_gap_free_sequence_in_commit_order(
    database_url: str, workers: Started, tmp_path: Path
) -> None:
    database = Database(database_url)
    duplicate = _prepared_duplicate(database)
    path = spy_slice(tmp_path, "2019-06-03", 80)
    source = SourceConfig("replay", files={"SPY": str(path)}, replay_from=date(2019, 8, 1))
    service = PortfolioService(database)
    settings = RunConfig(strategies=BOTH, symbols=("SPY",), source=source)
    replays = [
        service.create_portfolio(f"replay {n}", Decimal(10000), settings=settings)
        for n in range(REPLAYS)
    ]
    race_at = after_close(HISTORY, "2020-01-03")
    tasks: list[PlanTask] = [
        (
            database_url,
            [(duplicate, race_at)] + [(replays[(w + r) % REPLAYS], None) for r in range(ROUNDS)],
        )
        for w in range(WORKERS)
    ]
    before = len(check_gap_free(database))

    outcomes, reads = _watch(database, workers(tasks))

    per_worker = _timed(outcomes)
    ticks = [tick for done in per_worker for tick in done]
    raced = sorted(status for pid, status, *_ in ticks if pid == duplicate)
    assert raced == ["already-processed"] * (WORKERS - 1) + ["processed"]
    processed = [tick for tick in ticks if tick[1] == "processed"]
    # a manual replay's ticks that noted the same next bar serve it once: a replay tick either
    # served a bar or found another tick had served it first
    replayed = [tick for tick in ticks if tick[0] != duplicate]
    assert len(replayed) == WORKERS * ROUNDS
    assert {status for _, status, *_ in replayed} <= {"processed", "already-processed"}
    assert len(processed) > 1 + REPLAYS
    assert reads > 0
    found = check_gap_free(database)
    assert len(found) > before
    runs = check_ticks_against_rows(database, found)

    # every entry is a portfolio's creation or part of its tick's consecutive run
    in_runs = {entry.sequence for run in runs.values() for entry in run}
    outside = [entry.kind for entry in found if entry.sequence not in in_runs]
    assert outside == ["portfolio.created"] * (1 + REPLAYS)
    frame = service.source.history("SPY", "1d", source)
    first = position_of(frame, "2019-08-01")
    for pid in replays:
        mine = [run[-1] for run in runs.values() if run[-1].portfolio_id == pid]
        served = [t for t in processed if t[0] == pid]
        assert [utc_text(e.payload["bar_open"]) for e in mine] == list(
            frame.index[first : first + len(served)]
        )
    for pid in (duplicate, *replays):
        check_totals(database, found, pid)
        check_ledger(database, pid)

    # sequence order is commit order: a tick call that returned before another began holds
    # lower numbers, within one worker and across workers
    numbers: dict[tuple[int | None, datetime | None], tuple[int, int]] = {
        (run[-1].portfolio_id, utc_text(run[-1].payload["bar_open"])): (
            run[0].sequence,
            run[-1].sequence,
        )
        for run in runs.values()
    }
    for done in per_worker:
        mine = [numbers[(pid, bar)] for pid, status, bar, *_ in done if status == "processed"]
        assert mine == sorted(mine)
    timed = [(numbers[(t[0], t[2])], t[4], t[5]) for t in processed]
    ordered_pairs = 0
    for (first_numbers, first_start, first_end), (
        second_numbers,
        second_start,
        second_end,
    ) in combinations(timed, 2):
        if first_end < second_start:
            ordered_pairs += 1
            assert first_numbers[1] < second_numbers[0]
        elif second_end < first_start:
            ordered_pairs += 1
            assert second_numbers[1] < first_numbers[0]
    assert ordered_pairs > 0
    database.close()


def test_a_run_killed_mid_tick_publishes_nothing_of_it_and_the_sequence_continues(
    database_url: str, tmp_path: Path
) -> None:
    database = Database(database_url)
    path = spy_slice(tmp_path, "2019-06-03", 300)
    source = SourceConfig("replay", files={"SPY": str(path)}, replay_from=date(2019, 8, 1))
    service = PortfolioService(database)
    settings = RunConfig(strategies=BOTH, symbols=("SPY",), source=source)
    pid = service.create_portfolio("killed", Decimal(10000), settings=settings)
    probe = plain_engine(database)
    for round_ in range(2):
        child = CONTEXT.Process(target=tick_loop, args=(database.url, pid), daemon=True)
        child.start()
        wanted = _committed_ticks(probe, pid) + 12 + 5 * round_
        deadline = time.monotonic() + 60
        while _committed_ticks(probe, pid) < wanted:
            assert child.is_alive(), "the ticking process ended before it was killed"
            assert time.monotonic() < deadline, "the ticking process made no progress"
            time.sleep(0.02)
        assert child.pid is not None
        os.kill(child.pid, signal.SIGKILL)
        child.join(timeout=30)
        assert child.exitcode == -signal.SIGKILL

        found = check_gap_free(database)
        runs = check_ticks_against_rows(database, found)
        check_totals(database, found, pid)
        assert len(runs) == len(service.tick_runs(pid)) // len(BOTH)
        (resumed,) = service.tick(pid, "SPY")
        added = entries(database, after=len(found))
        assert added[0].sequence == len(found) + 1
        assert added[-1].kind == "tick.processed"
        assert utc_text(added[-1].payload["bar_open"]) == resumed.ts_bar
        assert last_sequence(database) == len(found) + len(added)
    found = check_gap_free(database)
    check_ticks_against_rows(database, found)
    check_totals(database, found, pid)
    assert any(entry.kind == "order.filled" for entry in found), "the killed runs should trade"
    check_ledger(database, pid)
    probe.dispose()
    database.close()


def _committed_ticks(engine: Engine, portfolio_id: int) -> int:
    """How many ticks have published ``tick.processed`` (read without the write lock)."""
    with engine.connect() as connection:
        statement = text(
            "SELECT count(*) FROM outbox WHERE portfolio_id = :p AND kind = 'tick.processed'"
        )
        return int(connection.execute(statement, {"p": portfolio_id}).scalar_one())
