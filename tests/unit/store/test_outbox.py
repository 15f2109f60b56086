"""The event outbox: only committed units publish, a failed or dry unit takes no number, and the
payloads carry the stored values exactly (decimal text, ISO-8601 UTC times)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from sqlalchemy import event, text
from sqlalchemy.orm import Session

from ledger_support import after_close, check_ledger, spy_history
from outbox_support import (
    check_gap_free,
    check_plain_values,
    check_ticks_against_rows,
    check_totals,
    entries,
    expected_document,
    last_sequence,
    utc_text,
)
from paperdesk.config import ExecutionConfig, RiskConfig, RunConfig, StrategySpec
from paperdesk.domain import InvalidInputError, Side
from paperdesk.domain.records import OutboxEntry
from paperdesk.live import FAILPOINTS, FixedClock, LiveRunner
from paperdesk.service.portfolios import OrderRequest, PortfolioService
from paperdesk.store import Database

HISTORY = spy_history()
COUNTER = text("SELECT last_sequence FROM outbox_counter WHERE id = 1")
MACD = (StrategySpec("macd-cross"),)
# a fee and slippage give fills whose prices and fees have many decimal places
COSTS = ExecutionConfig(commission="percent:0.1", slippage_bps=Decimal("7"))


class InjectedCrashError(RuntimeError):
    pass


def _prepared(database: Database, risk: RiskConfig | None = None) -> tuple[PortfolioService, int]:
    """A portfolio whose next tick (the 2020-01-03 bar) fills a buy and routes a sell; the
    tick after it (2020-01-06) fills the sell and closes the round trip."""
    clock = FixedClock(after_close(HISTORY, "2019-12-31"))
    service = PortfolioService(database, clock=clock)
    settings = RunConfig(
        strategies=MACD, symbols=("SPY",), execution=COSTS, risk=risk or RiskConfig()
    )
    pid = service.create_portfolio("outbox", Decimal(10000), settings=settings)
    service.tick(pid, "SPY")
    clock.set(after_close(HISTORY, "2020-01-02"))
    service.tick(pid, "SPY")
    clock.set(after_close(HISTORY, "2020-01-03"))
    return service, pid


def _kinds(found: list[OutboxEntry]) -> list[str]:
    return [entry.kind for entry in found]


@pytest.mark.parametrize("stage", FAILPOINTS)
def test_a_tick_that_fails_at_any_step_publishes_nothing_and_takes_no_number(
    database: Database, stage: str
) -> None:
    service, pid = _prepared(database)
    before = check_gap_free(database)

    def crash(at: str) -> None:
        if at == stage:
            raise InjectedCrashError(at)

    failing = LiveRunner(database, source=service.source, clock=service.clock, failpoint=crash)
    with pytest.raises(InjectedCrashError):
        failing.tick(pid, "SPY")

    assert entries(database) == before
    assert last_sequence(database) == len(before)
    (tick,) = service.tick(pid, "SPY")
    assert len(tick.fills) == 1, "the tick under test must fill an order"
    added = entries(database, after=len(before))
    assert added[0].sequence == len(before) + 1
    assert "order.filled" in _kinds(added)
    found = check_gap_free(database)
    check_ticks_against_rows(database, found)
    check_totals(database, found, pid)


@pytest.fixture
def failing_commit() -> Iterator[list[int]]:
    """Once armed (append anything), every session commit fails: a unit that has already
    numbered its outbox entries (``finish`` runs first) and then cannot commit. The counter as
    the failing unit saw it is appended."""
    armed: list[int] = []

    def refuse(session: Session) -> None:
        if armed:
            armed.append(session.execute(COUNTER).scalar_one())
            raise InjectedCrashError("the commit failed")

    event.listen(Session, "before_commit", refuse)
    yield armed
    event.remove(Session, "before_commit", refuse)


def test_a_unit_that_fails_after_numbering_its_entries_gives_the_numbers_back(
    database: Database, failing_commit: list[int]
) -> None:
    service, pid = _prepared(database)
    before = check_gap_free(database)

    failing_commit.append(0)
    with pytest.raises(InjectedCrashError):
        service.tick(pid, "SPY")
    _, taken = failing_commit
    failing_commit.clear()

    assert taken > len(before), "the failing unit had numbered its entries"
    assert entries(database) == before
    assert last_sequence(database) == len(before)
    service.tick(pid, "SPY")
    assert entries(database, after=len(before))[0].sequence == len(before) + 1
    check_ticks_against_rows(database, check_gap_free(database))


def test_a_dry_run_publishes_nothing_and_the_live_tick_continues_the_sequence(
    database: Database,
) -> None:
    service, pid = _prepared(database)
    before = check_gap_free(database)

    (dry,) = service.tick(pid, "SPY", dry_run=True)

    assert dry.dry_run
    assert len(dry.fills) == 1, "the dry run must have done something worth publishing"
    assert entries(database) == before
    assert last_sequence(database) == len(before)
    (live,) = service.tick(pid, "SPY")
    added = entries(database, after=len(before))
    assert added[0].sequence == len(before) + 1
    published = [e.payload["fill"]["price"] for e in added if e.kind == "order.filled"]
    assert (
        published
        == [str(fill.price) for fill in live.fills]
        == [str(fill.price) for fill in dry.fills]
    )
    check_ticks_against_rows(database, check_gap_free(database))


def test_event_payloads_carry_the_stored_values_exactly(database: Database) -> None:
    service, pid = _prepared(database)
    service.tick(pid, "SPY")  # 2020-01-03: the buy fills, a sell is routed
    with database.reading() as repository:
        opened = repository.positions(pid)
    service.clock.set(after_close(HISTORY, "2020-01-06"))  # type: ignore[attr-defined]
    service.tick(pid, "SPY")  # 2020-01-06: the sell fills, the round trip closes

    found = check_gap_free(database)
    mine = [entry for entry in found if entry.portfolio_id == pid]
    fills = service.fills(pid)
    trades = service.trades(pid)
    assert len(fills) == 2
    assert len(trades) == 1
    assert any(fill.fee != fill.fee.quantize(Decimal("0.01")) for fill in fills), (
        "fees with more places than cents make the exactness check worth its name"
    )
    for entry in mine:
        check_plain_values(entry.payload)
        if "ts_event" in entry.payload:
            assert utc_text(entry.payload["ts_event"]) == entry.ts_event

    published_fills = [e.payload["fill"] for e in mine if e.kind == "order.filled"]
    assert published_fills == [expected_document(fill) for fill in fills]

    last_state: dict[str, dict[str, object]] = {}
    for entry in mine:
        if entry.kind.startswith("order."):
            order = entry.payload["order"]
            last_state[str(order["order_id"])] = order
    orders = service.orders(pid)
    assert last_state == {order.order_id: expected_document(order) for order in orders}

    published_trades = [e.payload["trade"] for e in mine if e.kind == "position.closed"]
    assert published_trades == [expected_document(trade) for trade in trades]
    (position_opened,) = [e.payload["position"] for e in mine if e.kind == "position.opened"]
    (position,) = opened
    assert position_opened == expected_document(position)

    signals = service.signals(pid)
    published_signals = [
        e.payload["signal"] for e in mine if e.kind in ("signal.accepted", "signal.rejected")
    ]
    assert [
        (s["strategy"], s["direction"], s["confidence"], s["reason"]) for s in published_signals
    ] == [(s.strategy, s.direction, s.confidence, s.reason) for s in signals]
    ticks = [e.payload for e in mine if e.kind == "tick.processed"]
    assert [t["tick_id"] for t in ticks] == [t.id for t in service.tick_runs(pid)]
    assert [utc_text(t["bar_open"]) for t in ticks] == [r.ts_bar for r in service.tick_runs(pid)]
    check_ticks_against_rows(database, found)
    check_totals(database, found, pid)
    check_ledger(database, pid)


def test_manual_commands_publish_their_events_and_refused_ones_publish_nothing(
    database: Database,
) -> None:
    # no exposure cap: the strategy's buy, still working, takes the default cap's room, which
    # a person's buy beside it counts
    service, pid = _prepared(database, RiskConfig(exposure_cap_percent=None))
    start = len(check_gap_free(database))

    (placed,) = service.place_order(pid, OrderRequest("SPY", Side.BUY, Decimal(3)))
    accepted = entries(database, after=start)
    assert _kinds(accepted) == ["order.accepted"]
    assert accepted[0].payload["order"] == expected_document(placed)
    assert service.orders(pid)[-1] == placed

    with pytest.raises(InvalidInputError):
        service.place_order(pid, OrderRequest("SPY", Side.BUY, Decimal(1_000_000)))
    with pytest.raises(InvalidInputError):
        service.place_order(pid, OrderRequest("SPY", Side.SELL, Decimal(5)))  # a short sale
    assert last_sequence(database) == start + 1

    canceled = service.cancel_order(pid, placed.order_id)
    marked = service.mark_to_market(pid)

    added = entries(database, after=start + 1)
    assert _kinds(added) == ["order.canceled", "portfolio.equity"]
    assert added[0].payload["order"] == expected_document(canceled)
    assert added[1].payload["equity"] == str(marked.equity)
    check_gap_free(database)


def test_the_first_entry_of_a_fresh_database_is_number_one(database: Database) -> None:
    assert last_sequence(database) == 0
    service = PortfolioService(database, clock=FixedClock(datetime(2020, 1, 6, 22, tzinfo=UTC)))
    pid = service.create_portfolio("first", Decimal(5000), settings=RunConfig(symbols=("SPY",)))

    (created,) = check_gap_free(database)

    assert (created.sequence, created.kind, created.portfolio_id) == (1, "portfolio.created", pid)
    assert created.payload["starting_cash"] == "5000"
