"""Restoring from the latest ledger checkpoint: the same books as replaying every fill, tampering
still refused, a portfolio without a checkpoint replays once and then writes one, and the rows
read do not grow with the portfolio's history (counted as ORM row loads, not timed)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import delete, event, func, select, update

from ledger_support import after_close, check_ledger, dump, spy_history, spy_slice
from paperdesk.config import (
    ExecutionConfig,
    RiskConfig,
    RunConfig,
    SizingConfig,
    SourceConfig,
    StrategySpec,
)
from paperdesk.domain import DataError, Side
from paperdesk.live import FixedClock
from paperdesk.live.restore import RestoredPortfolio, restore
from paperdesk.service.portfolios import OrderRequest, PortfolioService
from paperdesk.store import Database
from paperdesk.store.models import (
    Base,
    FillRow,
    PortfolioRow,
    PositionRow,
)

HISTORY = spy_history()
CHECKPOINTS = Base.metadata.tables["ledger_checkpoints"]
HISTORY_TABLES = frozenset(
    {"fills", "trades", "signals", "equity_snapshots", "audit_log", "tick_runs", "outbox"}
)


def _busy(tmp_path: Path) -> RunConfig:
    """A replay that trades often: fast crosses, shorts allowed (so positions reverse), a
    percentage fee (fees and costs with many decimal places)."""
    path = spy_slice(tmp_path, "2019-01-02", 250)
    return RunConfig(
        strategies=(StrategySpec("sma-cross", {"fast": 2, "slow": 5}),),
        symbols=("SPY",),
        source=SourceConfig("replay", files={"SPY": str(path)}, replay_from=date(2019, 2, 1)),
        sizing=SizingConfig(percent=Decimal(40)),
        risk=RiskConfig(allow_short=True, exposure_cap_percent=None),
        execution=ExecutionConfig(commission="percent:0.1"),
    )


def _ticks(service: PortfolioService, pids: tuple[int, ...], count: int) -> None:
    for _ in range(count):
        for pid in pids:
            service.tick(pid, "SPY")


@contextmanager
def _restored(database: Database, portfolio_id: int) -> Iterator[RestoredPortfolio]:
    with database.dry_transaction() as repository:
        yield restore(repository, portfolio_id)


def _delete_checkpoints(database: Database, portfolio_id: int) -> None:
    """As if the portfolio had been created before migration 0003."""
    with database.engine.begin() as connection:
        connection.execute(delete(CHECKPOINTS).where(CHECKPOINTS.c.portfolio_id == portfolio_id))


def _checkpoints(database: Database, portfolio_id: int) -> list[Any]:
    with database.engine.connect() as connection:
        statement = (
            select(CHECKPOINTS)
            .where(CHECKPOINTS.c.portfolio_id == portfolio_id)
            .order_by(CHECKPOINTS.c.id)
        )
        return list(connection.execute(statement))


def _last_fill_id(database: Database, portfolio_id: int) -> int:
    with database.engine.connect() as connection:
        statement = select(func.max(FillRow.id)).where(FillRow.portfolio_id == portfolio_id)
        return int(connection.execute(statement).scalar_one() or 0)


@contextmanager
def _rows_loaded() -> Iterator[Counter[str]]:
    """Counts the ledger rows loaded into ORM objects, by table, while the block runs."""
    loaded: Counter[str] = Counter()

    def count(target: Base, _context: object) -> None:
        loaded[target.__tablename__] += 1

    event.listen(Base, "load", count, propagate=True)
    try:
        yield loaded
    finally:
        event.remove(Base, "load", count)


def _books(state: RestoredPortfolio) -> tuple[object, ...]:
    kernel = state.kernel
    return kernel.ledger_state(), kernel.account(), kernel.positions()


def test_books_restored_from_the_checkpoint_equal_books_rebuilt_from_every_fill(
    database: Database, tmp_path: Path
) -> None:
    service = PortfolioService(database)
    settings = _busy(tmp_path)
    kept, replayed = (
        service.create_portfolio(name, Decimal(10000), settings=settings)
        for name in ("checkpointed", "replayed")
    )
    _ticks(service, (kept, replayed), 30)
    for _ in range(30):  # until a position is open, then take part of it off by hand
        held = service.show(kept).positions
        if held and abs(held[0].quantity) >= 2:
            break
        _ticks(service, (kept, replayed), 1)
    (position,) = service.show(kept).positions
    side = Side.SELL if position.quantity > 0 else Side.BUY
    part = OrderRequest("SPY", side, (abs(position.quantity) // 2).to_integral_value())
    for pid in (kept, replayed):
        service.place_order(pid, part)
    _ticks(service, (kept, replayed), 1)  # the partial exit fills at the next open
    _delete_checkpoints(database, replayed)

    with _restored(database, kept) as from_checkpoint:
        assert not from_checkpoint.needs_checkpoint
        (open_trade,) = from_checkpoint.kernel.ledger_state().open_trades
        kept_books = _books(from_checkpoint)
    with _restored(database, replayed) as rebuilt:
        assert rebuilt.needs_checkpoint
        assert _books(rebuilt) == kept_books
    assert open_trade.exit_quantity > 0, "an open round trip already partly closed"
    assert open_trade.fees != open_trade.fees.quantize(Decimal("0.01"))
    assert service.trades(kept) == service.trades(replayed)

    closed = len(service.trades(kept))
    for _ in range(40):  # on until the open round trip has closed in both
        _ticks(service, (kept, replayed), 1)
        if len(service.trades(kept)) > closed:
            break
    assert len(service.trades(kept)) > closed, "the round trip open at the checkpoint closes"
    assert service.trades(kept) == service.trades(replayed)
    assert service.fills(kept) == service.fills(replayed)
    assert service.orders(kept) == service.orders(replayed)
    with _restored(database, kept) as from_checkpoint:
        kept_books = _books(from_checkpoint)
    with _restored(database, replayed) as rebuilt:
        assert not rebuilt.needs_checkpoint
        assert _books(rebuilt) == kept_books
    assert _checkpoints(database, replayed)
    for pid in (kept, replayed):
        check_ledger(database, pid)


def _holding(database: Database) -> tuple[PortfolioService, int]:
    """A bundled-data portfolio holding the SPY it bought on the 2020-01-03 open."""
    clock = FixedClock(after_close(HISTORY, "2019-12-31"))
    service = PortfolioService(database, clock=clock)
    settings = RunConfig(strategies=(StrategySpec("macd-cross"),), symbols=("SPY",))
    pid = service.create_portfolio("tampered", Decimal(10000), settings=settings)
    service.tick(pid, "SPY")
    clock.set(after_close(HISTORY, "2020-01-03"))
    service.tick(pid, "SPY")
    assert service.show(pid).positions, "the portfolio must hold a position"
    return service, pid


def _change_cash(database: Database, pid: int) -> None:
    _add(database, PortfolioRow.__table__, PortfolioRow.id == pid, "cash", Decimal("0.01"))


def _change_fees(database: Database, pid: int) -> None:
    _add(database, PortfolioRow.__table__, PortfolioRow.id == pid, "fees_paid", Decimal(1))


def _change_position(database: Database, pid: int) -> None:
    _add(database, PositionRow.__table__, PositionRow.portfolio_id == pid, "quantity", Decimal(1))


def _change_checkpoint_cash(database: Database, pid: int) -> None:
    (latest, *_) = reversed(_checkpoints(database, pid))
    _add(database, CHECKPOINTS, CHECKPOINTS.c.id == latest.id, "cash", Decimal(-5))


def _change_checkpoint_position(database: Database, pid: int) -> None:
    (latest, *_) = reversed(_checkpoints(database, pid))
    state = dict(latest.state)
    state["positions"] = [
        {**p, "quantity": str(Decimal(p["quantity"]) + 1)} for p in state["positions"]
    ]
    with database.engine.begin() as connection:
        connection.execute(
            update(CHECKPOINTS).where(CHECKPOINTS.c.id == latest.id).values(state=state)
        )


def _add(database: Database, table: Any, where: Any, column: str, amount: Decimal) -> None:
    with database.engine.begin() as connection:
        (current,) = connection.execute(select(table.c[column]).where(where)).scalars()
        connection.execute(update(table).where(where).values({column: current + amount}))


@pytest.mark.parametrize(
    "tamper",
    [
        _change_cash,
        _change_fees,
        _change_position,
        _change_checkpoint_cash,
        _change_checkpoint_position,
    ],
)
def test_a_ledger_changed_behind_paperdesk_back_is_refused(database: Database, tamper: Any) -> None:
    service, pid = _holding(database)
    assert _checkpoints(database, pid)
    check_ledger(database, pid)

    tamper(database, pid)

    before = dump(database)
    with pytest.raises(DataError, match=f"portfolio {pid} ledger is inconsistent"):
        service.tick(pid, "SPY")
    with pytest.raises(DataError, match="ledger is inconsistent"), _restored(database, pid):
        pass
    assert dump(database) == before


def test_a_portfolio_without_a_checkpoint_replays_its_fills_once_and_then_reads_none(
    database: Database, tmp_path: Path
) -> None:
    service = PortfolioService(database)
    pid = service.create_portfolio("before 0003", Decimal(10000), settings=_busy(tmp_path))
    _ticks(service, (pid,), 30)
    fills = len(service.fills(pid))
    assert fills >= 10
    with _restored(database, pid) as reference:
        books = _books(reference)
    _delete_checkpoints(database, pid)

    with _rows_loaded() as loaded, _restored(database, pid) as legacy:
        assert legacy.needs_checkpoint
        assert _books(legacy) == books
    assert loaded["fills"] == fills  # every fill replayed

    service.place_order(pid, OrderRequest("SPY", Side.BUY, Decimal(1)))  # books no fill
    assert len(service.fills(pid)) == fills
    (checkpoint,) = _checkpoints(database, pid)
    assert checkpoint.last_fill_id == _last_fill_id(database, pid)

    with _rows_loaded() as loaded, _restored(database, pid) as restored:
        assert not restored.needs_checkpoint
        assert _books(restored)[0] == books[0]
    assert loaded["fills"] == 0
    check_ledger(database, pid)


def test_restore_and_tick_read_the_same_rows_however_long_the_history(
    database: Database, tmp_path: Path
) -> None:
    service = PortfolioService(database)
    pid = service.create_portfolio("long history", Decimal(10000), settings=_busy(tmp_path))
    _ticks(service, (pid,), 15)
    assert service.fills(pid), "a short history, but one with fills (and so a checkpoint)"
    measured: list[tuple[Counter[str], Counter[str], int, int]] = []  # loads, fills, trades
    for more in (0, 80):
        _ticks(service, (pid,), more)
        with _rows_loaded() as restoring, _restored(database, pid) as state:
            bounded = Counter(
                {  # the portfolio's row is read with Core (store/prebuilt.py)
                    "ledger_checkpoints": 1,
                    "market_cursors": 1,
                    "positions": len(state.positions),
                    "orders": len(state.kernel.open_orders()),
                }
            )
        with _rows_loaded() as ticking:
            service.tick(pid, "SPY")
        measured.append((restoring, ticking, len(service.fills(pid)), len(service.trades(pid))))
        assert +restoring == +bounded
        assert not HISTORY_TABLES & set(ticking), ticking
    (_, _, short_fills, _), (_, _, long_fills, long_trades) = measured
    assert long_fills >= short_fills + 20, "the history must really grow"
    assert long_trades >= 10

    _delete_checkpoints(database, pid)  # the same count without a checkpoint sees every fill
    with _rows_loaded() as replaying, _restored(database, pid):
        pass
    assert replaying["fills"] == len(service.fills(pid))
