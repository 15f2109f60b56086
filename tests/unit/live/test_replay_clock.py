"""The replay clock: overlapping or retried ticks of a replay portfolio serve each bar once.

Eight threads, each with its own Database (its own connections) and PortfolioService, tick the
same replay portfolio at the same moment, on SQLite and PostgreSQL.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pandas as pd
import pytest

from ledger_support import check_ledger, dump, position_of, spy_history
from paperdesk.config import RunConfig, SourceConfig, StrategySpec
from paperdesk.domain import InvalidInputError
from paperdesk.live import BarSource, FixedClock, TickStatus
from paperdesk.service.portfolios import PortfolioService
from paperdesk.store import Database

WORKERS = 8
HISTORY = spy_history()
STARTED = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)  # every bundled bar has closed by then
MACD = (StrategySpec("macd-cross"),)


def _settings(interval: str | None) -> RunConfig:
    paced = {} if interval is None else {"replay_interval": interval}  # manual by default
    source = SourceConfig("replay", replay_from=date(2020, 1, 2), **paced)
    return RunConfig(strategies=MACD, symbols=("SPY",), source=source)


def _service(database: Database, now: datetime) -> PortfolioService:
    return PortfolioService(database, source=BarSource(), clock=FixedClock(now))


def _race(
    url: str, portfolio_id: int, now: datetime, prepare: Callable[[PortfolioService], None]
) -> list[tuple[str, pd.Timestamp | None]]:
    """Tick the portfolio from WORKERS threads at once; (status, bar) of every bar ticked."""
    barrier = threading.Barrier(WORKERS, timeout=60)
    outcomes: list[tuple[str, pd.Timestamp | None]] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def work() -> None:
        database = Database(url)
        try:
            service = _service(database, now)
            service.source.history("SPY", "1d", service.settings(portfolio_id).source)
            prepare(service)
            barrier.wait()
            ticks = service.tick(portfolio_id, "SPY")
            with lock:
                outcomes.extend(
                    (t.status.value, pd.Timestamp(t.ts_bar) if t.ts_bar else None) for t in ticks
                )
        except BaseException as error:  # reported by the test
            errors.append(error)
        finally:
            database.close()

    threads = [threading.Thread(target=work) for _ in range(WORKERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    return outcomes


def _no_wait(service: PortfolioService) -> None:
    return None


def test_8_overlapping_ticks_within_one_replay_interval_serve_one_bar(
    database: Database, database_url: str
) -> None:
    service = _service(database, STARTED)
    pid = service.create_portfolio("paced", Decimal(10000), settings=_settings("1m"))
    first = position_of(HISTORY, "2020-01-02")

    outcomes = _race(database_url, pid, STARTED + timedelta(seconds=30), _no_wait)

    processed = [bar for status, bar in outcomes if status == "processed"]
    assert processed == [HISTORY.index[first]]
    assert sorted(status for status, _ in outcomes) == ["already-processed"] * 7 + ["processed"]
    assert [pd.Timestamp(r.ts_bar) for r in service.tick_runs(pid)] == [HISTORY.index[first]]
    before = dump(database)
    (retry,) = _service(database, STARTED + timedelta(seconds=59)).tick(pid, "SPY")
    assert retry.status is TickStatus.ALREADY_PROCESSED
    assert "serves the next at 2026-12-01T12:01:00+00:00" in retry.message
    assert dump(database) == before
    check_ledger(database, pid)


def test_the_replay_clock_serves_each_due_bar_once_in_order(database: Database) -> None:
    service = _service(database, STARTED)
    pid = service.create_portfolio("paced", Decimal(10000), settings=_settings("1m"))
    assert service.settings(pid).source.replay_started_at == STARTED
    first = position_of(HISTORY, "2020-01-02")
    late = _service(database, STARTED + timedelta(seconds=60)).tick(pid, "SPY")
    assert [pd.Timestamp(t.ts_bar) for t in late] == list(HISTORY.index[first : first + 2])
    assert [t.behind for t in late] == [1, 0]  # one interval late: both due bars, in order
    ticks = _service(database, STARTED + timedelta(minutes=4, seconds=59)).tick(pid, "SPY")
    assert [pd.Timestamp(t.ts_bar) for t in ticks] == list(HISTORY.index[first + 2 : first + 5])
    assert [pd.Timestamp(r.ts_bar) for r in service.tick_runs(pid)] == list(
        HISTORY.index[first : first + 5]
    )
    check_ledger(database, pid)


def test_manual_replay_ticks_racing_for_the_same_next_bar_serve_it_once(
    database: Database, database_url: str
) -> None:
    service = _service(database, STARTED)
    pid = service.create_portfolio("manual", Decimal(10000), settings=_settings(None))
    first = position_of(HISTORY, "2020-01-02")
    service.tick(pid, "SPY")  # 2020-01-02
    noted = threading.Barrier(WORKERS, timeout=60)

    def wait_until_all_noted_the_replay(runner_service: PortfolioService) -> None:
        def failpoint(stage: str) -> None:
            if stage == "before-lock":  # every tick has read where the replay stands
                noted.wait()

        runner_service.runner.failpoint = failpoint

    outcomes = _race(database_url, pid, STARTED, wait_until_all_noted_the_replay)

    assert [bar for status, bar in outcomes if status == "processed"] == [HISTORY.index[first + 1]]
    assert sorted(status for status, _ in outcomes) == ["already-processed"] * 7 + ["processed"]
    (next_tick,) = service.tick(pid, "SPY")  # a tick asked afterwards serves the next bar
    assert pd.Timestamp(next_tick.ts_bar) == HISTORY.index[first + 2]
    runs = [pd.Timestamp(r.ts_bar) for r in service.tick_runs(pid)]
    assert sorted(runs) == list(HISTORY.index[first : first + 3])
    check_ledger(database, pid)


def test_a_replay_starting_after_the_last_bar_is_refused_at_creation(database: Database) -> None:
    service = _service(database, STARTED)
    settings = RunConfig(
        strategies=MACD,
        symbols=("SPY",),
        source=SourceConfig("replay", replay_from=date(2099, 1, 1)),
    )
    last = HISTORY.index[-1].date().isoformat()
    before = dump(database)
    with pytest.raises(InvalidInputError, match=f"after the last SPY 1d bar \\({last}\\)"):
        service.create_portfolio("too late", Decimal(10000), settings=settings)
    assert dump(database) == before


def test_a_replay_of_an_unwatched_symbol_past_its_data_says_it_served_nothing(
    database: Database,
) -> None:
    service = _service(database, STARTED)
    settings = RunConfig(
        strategies=MACD, source=SourceConfig("replay", replay_from=date(2099, 1, 1))
    )
    pid = service.create_portfolio("no watch list", Decimal(10000), settings=settings)
    before = dump(database)
    (tick,) = service.tick(pid, "SPY")
    assert tick.status is TickStatus.NO_NEW_BAR
    assert "0 bars served" in tick.message
    assert HISTORY.index[-1].isoformat() in tick.message
    assert "served all" not in tick.message
    assert dump(database) == before
