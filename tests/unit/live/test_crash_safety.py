"""A failure at any step of a tick leaves the ledger exactly as before; the next run completes
the tick as if nothing had happened."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from ledger_support import after_close, check_ledger, dump, spy_history
from paperdesk.config import RunConfig, StrategySpec
from paperdesk.domain.ticks import BarTick, TickStatus
from paperdesk.live import FAILPOINTS, FixedClock, LiveRunner
from paperdesk.service.portfolios import PortfolioService
from paperdesk.store import Database

HISTORY = spy_history()
NEVER = datetime(2000, 1, 1, tzinfo=UTC)


class InjectedCrashError(RuntimeError):
    pass


def _prepared(database: Database) -> tuple[PortfolioService, int]:
    """A portfolio whose next tick (the 2020-01-03 bar) fills a buy and routes a sell."""
    clock = FixedClock(after_close(HISTORY, "2019-12-31"))
    service = PortfolioService(database, clock=clock)
    settings = RunConfig(strategies=(StrategySpec("macd-cross"),), symbols=("SPY",))
    pid = service.create_portfolio("crash test", Decimal(10000), settings=settings)
    service.tick(pid, "SPY")
    clock.set(after_close(HISTORY, "2020-01-02"))
    service.tick(pid, "SPY")
    clock.set(after_close(HISTORY, "2020-01-03"))
    return service, pid


def _comparable(ticks: list[BarTick]) -> list[BarTick]:
    return [dataclasses.replace(t, portfolio_id=0) for t in ticks]


def _ledger(service: PortfolioService, pid: int) -> tuple[object, ...]:
    detail = service.show(pid)
    return (
        service.fills(pid),
        service.orders(pid),
        service.trades(pid),
        [(s.strategy, s.ts_bar, s.direction, s.status) for s in service.signals(pid)],
        [(r.strategy, r.ts_bar, r.outcome, r.summary) for r in service.tick_runs(pid)],
        [(e.ts, e.cash, e.equity) for e in service.equity_curve(pid)],
        [(a.kind, a.ts_event, a.message) for a in service.audit(pid)][1:],  # 0: "created <name>"
        detail.positions,
        dataclasses.replace(detail.summary, id=0, ts_created=NEVER, name=""),
    )


@pytest.mark.parametrize("stage", FAILPOINTS)
def test_a_failure_at_each_step_rolls_the_whole_tick_back(database: Database, stage: str) -> None:
    reference, reference_id = _prepared(database)
    expected = reference.tick(reference_id, "SPY")
    assert len(expected[0].fills) == 1, "the tick under test must fill an order"
    assert [s.direction for s in expected[0].signals] == [-1]

    service, pid = _prepared(database)
    reached: list[str] = []

    def crash(at: str) -> None:
        reached.append(at)
        if at == stage:
            raise InjectedCrashError(at)

    failing = LiveRunner(database, source=service.source, clock=service.clock, failpoint=crash)
    before = dump(database)
    with pytest.raises(InjectedCrashError):
        failing.tick(pid, "SPY")
    assert reached[-1] == stage
    assert dump(database) == before
    check_ledger(database, pid)

    completed = service.tick(pid, "SPY")

    assert _comparable(completed) == _comparable(expected)
    assert _ledger(service, pid) == _ledger(reference, reference_id)
    assert [t.status for t in service.tick(pid, "SPY")] == [TickStatus.ALREADY_PROCESSED]
    check_ledger(database, pid)


def test_a_failure_during_catch_up_keeps_the_candles_already_committed(
    database: Database,
) -> None:
    service, pid = _prepared(database)
    service.clock.set(after_close(HISTORY, "2020-01-08"))  # type: ignore[attr-defined]
    calls: list[str] = []

    def crash_on_third_candle(at: str) -> None:
        calls.append(at)
        if calls.count("before-commit") == 3:
            raise InjectedCrashError(at)

    failing = LiveRunner(
        database, source=service.source, clock=service.clock, failpoint=crash_on_third_candle
    )
    with pytest.raises(InjectedCrashError):
        failing.tick(pid, "SPY")
    runs = [r.ts_bar.date().isoformat() for r in service.tick_runs(pid)]
    assert runs[-2:] == ["2020-01-03", "2020-01-06"]
    check_ledger(database, pid)

    resumed = service.tick(pid, "SPY")

    assert [t.ts_bar.date().isoformat() for t in resumed if t.ts_bar] == [
        "2020-01-07",
        "2020-01-08",
    ]
    check_ledger(database, pid)
