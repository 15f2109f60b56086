"""The monitor worker on SQLite and PostgreSQL, one process: due rounds, the market calendar,
marks, leases (held, expired, taken over) and a stop between ticks."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest
from worker_fixtures import (
    SOURCE,
    STARTED,
    due_labels,
    replay_settings,
    seconds,
    service,
    ticked_bars,
    worker,
)

from ledger_support import check_ledger, dump
from paperdesk.config import RunConfig
from paperdesk.data.clock import FixedClock
from paperdesk.domain import DataError
from paperdesk.domain.ticks import BarTick
from paperdesk.service.portfolios import PortfolioService
from paperdesk.service.worker import Worker
from paperdesk.store import Database
from paperdesk.store.leases import WorkLeaseRepository

CASH = Decimal(10000)


def _create(database: Database, settings: RunConfig, name: str = "p") -> int:
    return service(database, FixedClock(STARTED)).create_portfolio(name, CASH, settings=settings)


def test_a_round_ticks_the_due_replay_bars_once_and_leaves_archived_portfolios_alone(
    database: Database,
) -> None:
    settings = replay_settings(("SPY",)), replay_settings(("AAPL", "SPY"))
    first, second = (_create(database, s, f"p{i}") for i, s in enumerate(settings))
    archived = _create(database, settings[0], "archived")
    clock = FixedClock(STARTED + seconds(2.5))
    portfolios = service(database, clock)
    portfolios.archive_portfolio(archived)
    report = worker(database, clock).run_round()

    assert sorted(done.portfolio_id for done in report.portfolios) == [first, second]
    for portfolio_id, portfolio_settings in zip((first, second), settings, strict=True):
        expected = sorted(
            ("macd-cross", symbol, label)
            for symbol in portfolio_settings.symbols
            for label in due_labels(portfolio_settings, symbol, clock.now())
        )
        assert len(expected) == 3 * len(portfolio_settings.symbols)  # bars 0, 1 and 2 are due
        assert ticked_bars(portfolios, portfolio_id) == expected
        check_ledger(database, portfolio_id)
    assert portfolios.tick_runs(archived) == []

    before = dump(database)  # nothing is due again until the replay's next bar
    assert worker(database, clock).run_round().portfolios == ()
    assert dump(database) == before
    clock.set(STARTED + seconds(3))
    again = worker(database, clock).run_round()
    assert [done.bars for done in again.portfolios] == [1, 2]


def test_a_closed_market_is_not_ticked_and_an_open_one_is_ticked_then_marked(
    database: Database,
) -> None:
    settings = RunConfig(strategies=replay_settings(("SPY",)).strategies, symbols=("SPY",))
    clock = FixedClock(datetime(2021, 3, 13, 15, 0, tzinfo=UTC))  # a Saturday
    portfolio_id = service(database, clock).create_portfolio("spy", CASH, settings=settings)
    portfolios = service(database, clock)
    first = worker(database, clock).run_round()  # a worker started on the weekend...
    assert [(done.symbols, done.bars) for done in first.portfolios] == [(["SPY"], 1)]
    fridays = [date(2021, 3, 12)]  # ...trades the last session's bar
    assert [run.ts_bar.date() for run in portfolios.tick_runs(portfolio_id)] == fridays
    snapshots = len(portfolios.equity_curve(portfolio_id))

    clock.set(datetime(2021, 3, 13, 16, 0, tzinfo=UTC))  # an hour later, still closed
    saturday = worker(database, clock).run_round()
    assert [done.symbols for done in saturday.portfolios] == [[]]
    assert [run.ts_bar.date() for run in portfolios.tick_runs(portfolio_id)] == fridays
    assert len(portfolios.equity_curve(portfolio_id)) == snapshots  # not marked either

    clock.set(datetime(2021, 3, 15, 14, 0, tzinfo=UTC))  # Monday, 10:00 in New York
    monday = worker(database, clock).run_round()  # no new closed bar: the round marks instead
    assert [(done.symbols, done.bars, done.marked) for done in monday.portfolios] == [
        (["SPY"], 0, True)
    ]
    assert len(portfolios.equity_curve(portfolio_id)) == snapshots + 1
    assert portfolios.audit(portfolio_id, limit=1)[0].kind == "portfolio.marked"


def test_a_held_lease_is_taken_over_only_once_it_has_expired(database: Database) -> None:
    portfolio_id = _create(database, replay_settings(("SPY",)))
    clock = FixedClock(STARTED + seconds(1.5))
    with database.transaction() as repository:  # a worker that claims, then dies
        repository.leases.enrol(clock.now())
        dead = repository.leases.claim("dead", clock.now(), clock.now() + seconds(30))
    assert dead is not None
    assert dead.portfolio_id == portfolio_id

    assert worker(database, clock).run_round().portfolios == ()
    assert service(database, clock).tick_runs(portfolio_id) == []

    clock.set(STARTED + seconds(32))  # the dead worker's lease has expired
    report = worker(database, clock).run_round()
    assert [done.portfolio_id for done in report.portfolios] == [portfolio_id]
    settings = service(database, clock).settings(portfolio_id)
    expected = [("macd-cross", "SPY", label) for label in due_labels(settings, "SPY", clock.now())]
    assert ticked_bars(service(database, clock), portfolio_id) == expected

    with database.transaction() as repository:  # the dead worker cannot hand back what it lost
        assert not repository.leases.release(portfolio_id, "dead", clock.now(), clock.now())
        assert not repository.leases.renew(portfolio_id, "dead", clock.now())
        (lease,) = repository.leases.all()
    assert lease.holder is None
    assert lease.due_at > clock.now()


def test_a_slow_worker_overtaken_by_another_stops_and_no_bar_is_ticked_twice(
    database: Database,
) -> None:
    """Worker A's lease expires while it works; B takes the portfolio over and ticks every due
    bar; A notices at its next renewal and stops: every bar is ticked exactly once."""
    portfolio_id = _create(database, replay_settings(("SPY",)))
    slow_clock = FixedClock(STARTED + seconds(4.5))
    fast_clock = FixedClock(STARTED + seconds(60))
    overtaker = worker(database, fast_clock, holder="B")

    class Overtaken(PortfolioService):
        def tick(self, *args: object, **kwargs: object) -> list[BarTick]:
            ticks = super().tick(*args, **kwargs)  # type: ignore[arg-type]
            if overtaker.rounds == 0:
                overtaker.run_round()  # A's lease (30 s from 4.5 s) has expired at 60 s
            return ticks

    slow = Worker(
        Overtaken(database, source=SOURCE, clock=slow_clock),
        clock=slow_clock,
        lease_seconds=30.0,
        holder="A",
    )
    (done,) = slow.run_round().portfolios
    assert done.lease_lost
    assert done.bars == 1
    settings = service(database, fast_clock).settings(portfolio_id)
    every = [
        ("macd-cross", "SPY", label) for label in due_labels(settings, "SPY", fast_clock.now())
    ]
    assert ticked_bars(service(database, fast_clock), portfolio_id) == every
    check_ledger(database, portfolio_id)


def test_stop_ends_the_round_after_the_tick_in_progress_and_nothing_is_lost(
    database: Database,
) -> None:
    portfolio_id = _create(database, replay_settings(("SPY",)))
    clock = FixedClock(STARTED + seconds(3.5))
    running: list[Worker] = []

    class StopsAfterOneTick(PortfolioService):
        def tick(self, *args: object, **kwargs: object) -> list[BarTick]:
            running[0].stop()  # as SIGTERM would, while this tick runs
            return super().tick(*args, **kwargs)  # type: ignore[arg-type]

    stopping = Worker(
        StopsAfterOneTick(database, source=SOURCE, clock=clock), clock=clock, lease_seconds=30.0
    )
    running.append(stopping)
    (interrupted,) = stopping.run_round().portfolios
    assert (interrupted.bars, interrupted.finished) == (1, False)
    assert stopping.run() == 0  # a stopped worker runs no further round
    with database.reading() as repository:
        (lease,) = repository.leases.all()
    assert lease.holder is None
    assert lease.due_at == clock.now()

    worker(database, clock).run_round()
    settings = service(database, clock).settings(portfolio_id)
    expected = [("macd-cross", "SPY", label) for label in due_labels(settings, "SPY", clock.now())]
    assert len(expected) == 4
    assert ticked_bars(service(database, clock), portfolio_id) == expected


def test_a_failing_portfolio_is_reported_and_the_others_still_run(database: Database) -> None:
    broken = _create(database, replay_settings(("SPY",)), "broken")
    healthy = _create(database, replay_settings(("AAPL",)), "healthy")
    clock = FixedClock(STARTED + seconds(1.5))

    def refuse(portfolio_id: int, settings: RunConfig, symbols: object) -> None:
        if portfolio_id == broken:
            raise DataError("every provider failed for SPY")

    report = worker(database, clock, refresh=refuse).run_round()
    outcome = {done.portfolio_id: (done.errors, done.bars) for done in report.portfolios}
    assert outcome == {broken: (["every provider failed for SPY"], 0), healthy: ([], 2)}


def test_claims_skip_a_lease_another_worker_is_claiming(postgres_schema_url: str) -> None:
    """PostgreSQL only (SQLite has one writer: claims are serialised there, nothing to skip):
    while one transaction holds a lease row (FOR UPDATE), a second claim skips it at once and
    takes the next due portfolio instead of waiting."""
    database = Database(postgres_schema_url)
    first = _create(database, replay_settings(("SPY",)), "first")
    second = _create(database, replay_settings(("SPY",)), "second")
    now = STARTED + seconds(1.5)
    with database.transaction() as repository:
        repository.leases.enrol(now)
    claimed: list[int | None] = []
    other = Database(database.url)
    try:
        with database.transaction() as repository:
            held = repository.leases.claim("one", now, now + seconds(30))
            assert held is not None
            assert held.portfolio_id == first

            def claim() -> None:
                with other.transaction() as concurrent:
                    lease = concurrent.leases.claim("two", now, now + seconds(30))
                    claimed.append(None if lease is None else lease.portfolio_id)

            thread = threading.Thread(target=claim)
            thread.start()
            thread.join(timeout=30)  # a claim that waited for the lock would still be running
            assert not thread.is_alive()
    finally:
        other.close()
        database.close()
    assert claimed == [second]


def test_the_worker_sleeps_until_a_lease_can_be_claimed_and_no_longer(database: Database) -> None:
    _create(database, replay_settings(("SPY",)))
    clock = FixedClock(STARTED + seconds(1.5))
    waits: list[float] = []
    sleeper = worker(database, clock, wait=waits.append)
    assert sleeper.run(max_rounds=2) == 2
    assert waits == [0.5]  # the replay's next bar falls due at 2 s, before the 60 s interval

    clock.set(STARTED + seconds(2.5))
    with database.transaction() as repository:  # a worker holds it (then dies) until 32.5 s
        assert repository.leases.claim("dead", clock.now(), clock.now() + seconds(30))
    waits.clear()
    sleeper.run(max_rounds=2)
    assert waits == [30.0]  # not every 50 ms while the dead worker's lease runs out


def test_a_failing_round_is_logged_and_the_worker_carries_on(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    portfolio_id = _create(database, replay_settings(("SPY",)))
    clock = FixedClock(STARTED + seconds(1.5))
    real_enrol = WorkLeaseRepository.enrol
    calls: list[int] = []

    def unreachable_once(self: WorkLeaseRepository, *args: Any, **kwargs: Any) -> None:
        calls.append(1)
        if len(calls) == 1:
            raise DataError("cannot use the database: connection refused")
        real_enrol(self, *args, **kwargs)

    monkeypatch.setattr(WorkLeaseRepository, "enrol", unreachable_once)
    assert worker(database, clock, wait=lambda _: None).run(max_rounds=2) == 2
    assert len(calls) == 2
    assert len(service(database, clock).tick_runs(portfolio_id)) == 2  # bars 0 and 1 are due
