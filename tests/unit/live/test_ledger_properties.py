"""Ledger invariants hold after any sequence of operations; bad operations change nothing.

After every operation: cash = starting cash + realized P&L - fees - cost of open positions, cash
equals the cash the fills give, each position is the signed sum of its fills, the stored books
agree with a ledger rebuilt from the fills, and equity = cash + positions at their marks.

Each example runs on a ledger of its own (a copy of the migrated template, or a pooled
PostgreSQL schema emptied afterwards): every refusal compares a dump of the whole ledger
before and after, and on one ledger shared by the examples those dumps grew with every
earlier example's portfolio.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from ledger_support import check_ledger, dump, spy_slice
from ledger_templates import SchemaPool, SqliteTemplate
from paperdesk.config import ExecutionConfig, RunConfig, SourceConfig, StrategySpec
from paperdesk.domain import ZERO, OrderType, PaperdeskError, Side
from paperdesk.service.portfolios import OrderRequest, PortfolioService
from paperdesk.store import Database

Operation = tuple[object, ...]

orders = st.tuples(
    st.sampled_from(["buy", "sell"]),
    st.integers(min_value=1, max_value=40),
    st.sampled_from([OrderType.MARKET, OrderType.LIMIT]),
    st.integers(min_value=-3, max_value=3),  # limit price offset from the last close, in %
)
operations = st.one_of(
    orders,
    st.tuples(st.just("tick"), st.integers(min_value=1, max_value=3)),
    st.tuples(st.just("cancel"), st.integers(min_value=0, max_value=9)),
    st.tuples(st.just("modify"), st.integers(min_value=0, max_value=9), st.integers(1, 40)),
    st.tuples(st.just("close")),
    st.tuples(st.just("mark")),
    st.tuples(st.just("bad"), st.sampled_from(["zero", "negative", "unknown order", "short"])),
)


@pytest.fixture(scope="module")
def data_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return spy_slice(tmp_path_factory.mktemp("data"), "2020-01-02", 120)


@pytest.fixture(params=["sqlite", "postgresql"])
def new_ledger(
    request: pytest.FixtureRequest, tmp_path: Path
) -> Callable[[], AbstractContextManager[Database]]:
    """Opens a new migrated, empty ledger of one database (one an example), as ``database``
    gives one a test."""
    on_sqlite = request.param == "sqlite"
    template: SqliteTemplate | None = (
        request.getfixturevalue("sqlite_template") if on_sqlite else None
    )
    pool: SchemaPool | None = None if on_sqlite else request.getfixturevalue("postgres_schemas")
    numbers = itertools.count()

    @contextmanager
    def opened() -> Iterator[Database]:
        if template is not None:
            file = tmp_path / f"ledger-{next(numbers)}.db"
            template.copy_to(file)
            url = f"sqlite:///{file}"
        else:
            assert pool is not None
            schema = pool.take()
            url = pool.url(schema)
        database = Database(url)
        try:
            yield database
        finally:
            database.close()
            if pool is not None:
                pool.give_back(schema)

    return opened


def _portfolio(service: PortfolioService, path: Path) -> int:
    """A replay portfolio (fees on, shorting off) that has seen its first bar."""
    source = SourceConfig("replay", files={"SPY": str(path)}, replay_from=date(2020, 3, 2))
    chosen = RunConfig(
        strategies=(StrategySpec("sma-cross"),),
        symbols=("SPY",),
        source=source,
        execution=ExecutionConfig(commission="per-share:0.01:min=1"),
    )
    pid = service.create_portfolio("props", Decimal(20000), settings=chosen)
    service.tick(pid, "SPY")
    return pid


def _last_close(database: Database, pid: int) -> Decimal:
    with database.transaction() as repository:
        cursor = repository.cursor(pid, "SPY")
        assert cursor is not None
        assert cursor.last_price is not None
        return cursor.last_price


def _refused(database: Database, action: Callable[[], object]) -> None:
    before = dump(database)
    with pytest.raises(PaperdeskError):
        action()
    assert dump(database) == before


def _attempt(database: Database, action: Callable[[], object]) -> None:
    """Run an operation that may be refused; a refusal must change nothing."""
    before = dump(database)
    try:
        action()
    except PaperdeskError:
        assert dump(database) == before


def _apply(database: Database, service: PortfolioService, pid: int, op: Operation) -> None:
    kind = op[0]
    existing = [o.order_id for o in service.orders(pid)] if kind in ("cancel", "modify") else []
    if kind in ("buy", "sell"):
        price = _last_close(database, pid)
        _, quantity, order_type, offset = op
        assert isinstance(quantity, int)
        assert isinstance(offset, int)
        limit = None
        if order_type is OrderType.LIMIT:
            limit = (price * (100 + offset) / 100).quantize(Decimal("0.01"))
        side = Side.BUY if kind == "buy" else Side.SELL
        request = OrderRequest("SPY", side, Decimal(quantity), order_type, limit)  # type: ignore[arg-type]
        _attempt(database, lambda: service.place_order(pid, request))
    elif kind == "tick":
        for _ in range(int(op[1])):  # type: ignore[call-overload]
            service.tick(pid, "SPY")
    elif kind == "cancel" and existing:
        order_id = existing[int(op[1]) % len(existing)]  # type: ignore[call-overload]
        _attempt(database, lambda: service.cancel_order(pid, order_id))
    elif kind == "modify" and existing:
        order_id = existing[int(op[1]) % len(existing)]  # type: ignore[call-overload]
        quantity = Decimal(int(op[2]))  # type: ignore[call-overload]
        _attempt(database, lambda: service.modify_order(pid, order_id, quantity=quantity))
    elif kind == "close":
        _attempt(database, lambda: service.close_position(pid, "SPY"))
    elif kind == "mark":
        cash = service.show(pid).summary.cash
        view = service.mark_to_market(pid)
        assert view.equity == view.cash + view.positions_value
        assert view.cash == cash
    elif kind == "bad":
        _bad(database, service, pid, str(op[1]))


def _bad(database: Database, service: PortfolioService, pid: int, which: str) -> None:
    held = sum((p.quantity for p in service.show(pid).positions), ZERO)
    requests = {
        "zero": OrderRequest("SPY", Side.BUY, ZERO),
        "negative": OrderRequest("SPY", Side.SELL, Decimal(-3)),
        "short": OrderRequest("SPY", Side.SELL, held + 1000),
    }
    if which == "unknown order":
        _refused(database, lambda: service.cancel_order(pid, "O9999"))
        _refused(database, lambda: service.modify_order(pid, "O9999", quantity=Decimal(1)))
    else:
        _refused(database, lambda: service.place_order(pid, requests[which]))


def _check_equity(service: PortfolioService, pid: int) -> None:
    detail = service.show(pid)
    summary = detail.summary
    marked = sum((p.quantity * p.last_price for p in detail.positions), ZERO)
    assert summary.positions_value == marked
    assert summary.equity == summary.cash + marked
    assert summary.unrealized_pnl == sum((p.unrealized_pnl for p in detail.positions), ZERO)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    opening=st.integers(min_value=0, max_value=40),
    sequence=st.lists(st.tuples(operations, st.integers(0, 2)), min_size=1, max_size=10),
)
def test_ledger_invariants_hold_after_any_sequence(
    new_ledger: Callable[[], AbstractContextManager[Database]],
    data_file: Path,
    opening: int,
    sequence: list[tuple[Operation, int]],
) -> None:
    """A position of ``opening`` shares is bought first; each step is an operation, then 0 to 2
    bars replayed."""
    with new_ledger() as database:
        _run_sequence(database, data_file, opening, sequence)


def _run_sequence(
    database: Database, data_file: Path, opening: int, sequence: list[tuple[Operation, int]]
) -> None:
    service = PortfolioService(database)
    pid = _portfolio(service, data_file)
    if opening:
        _apply(database, service, pid, ("buy", opening, OrderType.MARKET, 0))
        _apply(database, service, pid, ("tick", 1))
    for op, bars in sequence:
        _apply(database, service, pid, op)
        _apply(database, service, pid, ("tick", bars))
        check_ledger(database, pid)
        _check_equity(service, pid)
    fills, trades = len(service.fills(pid)), len(service.trades(pid))
    event(f"fills: {min(fills, 3)}{'+' if fills >= 3 else ''}, round trips: {min(trades, 1)}")
