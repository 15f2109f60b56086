"""Two ``paperdesk worker`` processes on one PostgreSQL ledger, over many replay intervals.

Three replay portfolios (two on the same symbol) with bracket entries (stop-loss and
take-profit legs) are served one bar every 0.3 s of wall time. Two real worker processes
share them through the work leases.
Proof: every bar the replay schedule makes due is ticked exactly once, never before it was due;
the fills, orders, closed trades, cash and positions equal a single-process reference run of
the same portfolios (so no duplicate fill and no missed stop or take-profit); after a
``kill -9`` of one worker mid-run the other takes its portfolios over and the ledger is the
same; SIGTERM ends a worker with exit code 0.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from sqlalchemy import text

from ledger_support import check_ledger
from paperdesk.config import RunConfig, SourceConfig, StrategySpec
from paperdesk.data.clock import FixedClock
from paperdesk.domain import OrderRole
from paperdesk.live import BarSource, replay
from paperdesk.service.portfolios import PortfolioService
from paperdesk.service.worker import Worker
from paperdesk.store import Database

CLI = [sys.executable, "-c", "from paperdesk.cli import main; main()"]
SOURCE = BarSource()
PACE = Decimal("0.3")  # seconds of wall time per replayed bar
START = date(2021, 3, 8)  # 18 bars to the end of the bundled data
PORTFOLIOS = ((("SPY",), 0.5), (("AAPL",), 0.5), (("AAPL",), 1.0))  # symbols, stop ATR
WAIT_SECONDS = 240  # a generous bound for a loaded machine: the test fails, never hangs


def _settings(symbols: tuple[str, ...], stop_atr: float, started: datetime) -> RunConfig:
    params = {"fast": 5, "slow": 13, "signal": 4, "stop_atr": stop_atr, "target_atr": 1.0}
    source = SourceConfig(
        "replay", replay_from=START, replay_interval=PACE, replay_started_at=started
    )
    return RunConfig(
        strategies=(StrategySpec("macd-cross", params),), symbols=symbols, source=source
    )


def _create_all(database: Database, started: datetime) -> list[int]:
    service = PortfolioService(database, source=SOURCE, clock=FixedClock(started))
    return [
        service.create_portfolio(
            f"p{i}", Decimal(10000), settings=_settings(symbols, stop, started)
        )
        for i, (symbols, stop) in enumerate(PORTFOLIOS)
    ]


def _schedule(settings: RunConfig) -> dict[tuple[str, pd.Timestamp], datetime]:
    """Every (symbol, bar) the replay serves, with the moment it falls due."""
    due: dict[tuple[str, pd.Timestamp], datetime] = {}
    for symbol in settings.symbols:
        history = SOURCE.history(symbol, settings.bar_timeframe, settings.source)
        first = replay.first_index(settings, history)
        for index in range(first, len(history)):
            due[(symbol, history.index[index])] = replay.due_at(settings.source, first, index)
    return due


def _ledger(service: PortfolioService, portfolio_id: int) -> dict[str, Any]:
    detail = service.show(portfolio_id)
    return {
        "orders": [
            (o.order_id, o.symbol, o.side, o.role, o.quantity, o.limit_price, o.stop_price,
             o.status, o.filled_quantity, o.average_price)
            for o in service.orders(portfolio_id)
        ],
        "fills": sorted(
            (f.order_id, f.symbol, f.side, f.quantity, f.price, f.fee, f.ts)
            for f in service.fills(portfolio_id)
        ),
        "trades": sorted(tuple(t) for t in service.trades(portfolio_id)),
        "cash": detail.summary.cash,
        "positions": sorted((p.symbol, p.quantity) for p in detail.positions),
        "ticks": sorted((r.strategy, r.symbol, r.ts_bar) for r in service.tick_runs(portfolio_id)),
    }  # fmt: skip


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> list[dict[str, Any]]:
    """The same portfolios run by one in-process worker, every bar due at once."""
    folder = tmp_path_factory.mktemp("reference")
    database = Database(f"sqlite:///{folder / 'reference.db'}")
    started = datetime(2026, 1, 1, tzinfo=UTC)
    ids = _create_all(database, started)
    clock = FixedClock(started + timedelta(days=1))
    service = PortfolioService(database, source=SOURCE, clock=clock)
    Worker(service, clock=clock).run_round()
    ledgers = [_ledger(service, portfolio_id) for portfolio_id in ids]
    database.close()
    roles = {o[3] for ledger in ledgers for o in ledger["orders"] if o[7].value == "filled"}
    assert {OrderRole.STOP_LOSS, OrderRole.TAKE_PROFIT} <= roles  # the brackets are exercised
    return ledgers


@pytest.fixture
def ledger_database(postgres_schema_url: str) -> Iterator[Database]:
    database = Database(postgres_schema_url)
    yield database
    database.close()


def _start_worker(url: str, home: Path) -> subprocess.Popen[str]:
    env = {**os.environ, "DATABASE_URL": url, "PAPERDESK_HOME": str(home)}
    return subprocess.Popen(
        [*CLI, "worker", "--interval", "0.5s", "--lease", "2s"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _tick_count(database: Database) -> int:
    with database.engine.connect() as connection:
        return int(connection.execute(text("SELECT count(*) FROM tick_runs")).scalar_one())


def _leases_of(database: Database, pid: int) -> list[int]:
    """The portfolios whose lease the worker process ``pid`` holds."""
    with database.engine.connect() as connection:
        rows = connection.execute(text("SELECT portfolio_id, holder FROM work_leases"))
        return [portfolio for portfolio, holder in rows if f":{pid}:" in (holder or "")]


def _wait_for(condition: Any, what: str, workers: list[subprocess.Popen[str]]) -> None:
    deadline = time.monotonic() + WAIT_SECONDS
    while not condition():
        for worker in workers:
            if worker.poll() is not None:  # a worker that died on its own is a failure
                _, errors = worker.communicate()
                pytest.fail(f"worker exited with {worker.returncode} while {what}: {errors}")
        if time.monotonic() > deadline:
            pytest.fail(f"gave up after {WAIT_SECONDS} s {what}")
        time.sleep(0.1)


def _stop(worker: subprocess.Popen[str]) -> tuple[int, str]:
    worker.send_signal(signal.SIGTERM)
    _, errors = worker.communicate(timeout=60)
    return worker.returncode, errors


def _run_workers(database: Database, home: Path, *, kill_one: bool) -> tuple[list[int], datetime]:
    started = datetime.now(UTC) + timedelta(seconds=2)
    ids = _create_all(database, started)
    settings = [PortfolioService(database, source=SOURCE).settings(pid) for pid in ids]
    expected = sum(len(_schedule(s)) for s in settings)
    workers = [_start_worker(database.url, home) for _ in range(2)]
    try:
        if kill_one:
            victim = workers[0]

            def frozen_holding_a_lease() -> bool:
                """Freeze the victim; keep it frozen only if it holds a lease (so the kill
                lands mid-round, deterministically), else let it run on."""
                victim.send_signal(signal.SIGSTOP)
                if _leases_of(database, victim.pid):
                    return True
                victim.send_signal(signal.SIGCONT)
                time.sleep(0.05)
                return False

            _wait_for(frozen_holding_a_lease, "waiting for the victim to claim work", workers)
            victim.send_signal(signal.SIGKILL)  # mid-round: its lease stays until it expires
            victim.wait(timeout=30)
            assert _leases_of(database, victim.pid)  # the survivor must take these over
            workers = workers[1:]
        _wait_for(lambda: _tick_count(database) >= expected, "waiting for every tick", workers)
        for worker in workers:
            code, errors = _stop(worker)
            assert code == 0, errors  # SIGTERM: the round in progress ends, then a clean exit
    finally:
        for worker in workers:
            if worker.poll() is None:
                worker.kill()
                worker.wait(timeout=30)
    return ids, started


def _check(database: Database, ids: list[int], reference: list[dict[str, Any]]) -> None:
    service = PortfolioService(database, source=SOURCE)
    for portfolio_id, expected in zip(ids, reference, strict=True):
        settings = service.settings(portfolio_id)
        schedule = _schedule(settings)
        runs = service.tick_runs(portfolio_id)
        ticked = sorted((run.symbol, pd.Timestamp(run.ts_bar)) for run in runs)
        assert ticked == sorted(schedule)  # every due bar of the schedule, each exactly once
        for run in runs:  # and none before the replay clock made it due
            assert run.ts_recorded >= schedule[(run.symbol, pd.Timestamp(run.ts_bar))]
        assert _ledger(service, portfolio_id) == expected
        check_ledger(database, portfolio_id)


def test_two_workers_tick_every_due_bar_once_and_trade_as_one_process_would(
    ledger_database: Database, reference: list[dict[str, Any]], tmp_path: Path
) -> None:
    ids, _ = _run_workers(ledger_database, tmp_path, kill_one=False)
    _check(ledger_database, ids, reference)


def test_a_worker_killed_mid_run_loses_nothing_the_other_takes_over(
    ledger_database: Database, reference: list[dict[str, Any]], tmp_path: Path
) -> None:
    ids, _ = _run_workers(ledger_database, tmp_path, kill_one=True)
    _check(ledger_database, ids, reference)
