"""Worker processes for the concurrency tests (importable by "spawn" children)."""

from __future__ import annotations

import time
from datetime import datetime
from multiprocessing.queues import Queue
from multiprocessing.synchronize import Barrier
from typing import Any

from paperdesk.live import BarSource, FixedClock, LiveRunner
from paperdesk.service.portfolios import PortfolioService
from paperdesk.store import Database

# (url, portfolio id, clock time or None) -> list of (status, ts_bar, fills) per bar
Task = tuple[str, int, datetime | None]
Outcome = list[tuple[str, datetime | None, int]] | str
# (url, steps of (portfolio id, clock time or None)) -> per bar: (portfolio id, status,
# ts_bar, fills, monotonic time before the tick call, monotonic time after it returned)
PlanTask = tuple[str, list[tuple[int, datetime | None]]]
TimedTick = tuple[int, str, datetime | None, int, float, float]
PlanOutcome = list[TimedTick] | str


def tick_worker(barrier: Barrier, tasks: Queue[Task | None], results: Queue[Outcome]) -> None:
    """Tick the task's portfolio once the barrier releases every worker at the same moment."""
    source = BarSource()
    while (task := tasks.get()) is not None:
        url, portfolio_id, now = task
        database = Database(url)
        outcome: Outcome
        try:
            clock: Any = FixedClock(now) if now is not None else None
            service = PortfolioService(database, source=source, clock=clock)
            settings = service.settings(portfolio_id)
            source.history("SPY", settings.timeframe, settings.source)  # load before the race
            barrier.wait(timeout=60)
            ticks = service.tick(portfolio_id, "SPY")
            outcome = [(t.status.value, t.ts_bar, len(t.fills)) for t in ticks]
        except Exception as error:  # reported to the test, which fails on it
            outcome = f"{type(error).__name__}: {error}"
        finally:
            database.close()
        results.put(outcome)


def plan_worker(
    barrier: Barrier, tasks: Queue[PlanTask | None], results: Queue[PlanOutcome]
) -> None:
    """Run the task's ticks one after the other once the barrier releases every worker, timing
    each call on the machine-wide monotonic clock (so calls of different workers can be ordered:
    one that returned before another began committed before it)."""
    source = BarSource()
    while (task := tasks.get()) is not None:
        url, steps = task
        database = Database(url)
        outcome: PlanOutcome
        try:
            for portfolio_id in dict.fromkeys(pid for pid, _ in steps):
                settings = PortfolioService(database, source=source).settings(portfolio_id)
                source.history("SPY", settings.bar_timeframe, settings.source)  # load first
            barrier.wait(timeout=60)
            done: list[TimedTick] = []
            for portfolio_id, now in steps:
                clock: Any = FixedClock(now) if now is not None else None
                service = PortfolioService(database, source=source, clock=clock)
                started = time.monotonic()
                ticks = service.tick(portfolio_id, "SPY")
                ended = time.monotonic()
                done.extend(
                    (portfolio_id, t.status.value, t.ts_bar, len(t.fills), started, ended)
                    for t in ticks
                )
            outcome = done
        except Exception as error:  # reported to the test, which fails on it
            outcome = f"{type(error).__name__}: {error}"
        finally:
            database.close()
        results.put(outcome)


def tick_loop(url: str, portfolio_id: int) -> None:
    """Tick a replay portfolio until its data ends (the test kills it long before)."""
    runner = LiveRunner(Database(url), failpoint=_slow_after_fill)
    while runner.tick(portfolio_id, "SPY")[-1].processed:
        pass


def _slow_after_fill(stage: str) -> None:
    if stage == "after-fill":
        time.sleep(0.005)  # most of a tick's time is spent inside its open transaction
