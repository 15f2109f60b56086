"""A unit of work that only places, cancels or modifies orders hands its own state back to the
cache (``as_stored``: no kernel is built), and that state is exactly what a restore from the
rows reads: the same book (no finished order kept), the same client ids in use, the same
ledger, marks and working orders. Units that fill, tick or change a bracket family rebuild as
before, with the same result. SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from ledger_support import restored_from_rows, spy_slice, unit_start
from paperdesk.config import RunConfig, SourceConfig
from paperdesk.domain import OrderType, Side
from paperdesk.live.restore import RestoredPortfolio
from paperdesk.live.state_cache import state_cache
from paperdesk.service.portfolios import OrderRequest, PortfolioService
from paperdesk.store import Database


def _whole_state(state: RestoredPortfolio, client_ids: set[str]) -> dict[str, Any]:
    """Everything a unit of work starts from, the book's finished orders and the client ids
    it refuses included."""
    kernel = state.kernel
    book = kernel.orders
    return {
        "book": book.all_orders(),
        "eligible": {o.order_id: book.eligible_from(o.order_id) for o in kernel.open_orders()},
        "client ids in use": {i for i in client_ids if book.client_order_id_in_use(i)},
        "sequence": book.sequence,
        **unit_start(state),
        "marks": state.marks,
        "bar closes": state.bar_closes,
    }


def _limit(price: str, client_order_id: str | None = None) -> OrderRequest:
    return OrderRequest(
        "SPY",
        Side.BUY,
        Decimal(1),
        OrderType.LIMIT,
        limit_price=Decimal(price),
        client_order_id=client_order_id,
    )


def test_order_units_keep_their_own_state_equal_to_a_restore(
    database: Database, tmp_path: Path
) -> None:
    path = spy_slice(tmp_path, "2019-01-02", 60)
    settings = RunConfig(
        symbols=("SPY",),
        source=SourceConfig("replay", files={"SPY": str(path)}, replay_from=date(2019, 2, 1)),
    )
    service = PortfolioService(database)
    pid = service.create_portfolio("book", Decimal(100000), settings=settings)
    cache = state_cache(database)
    service.tick(pid, "SPY")  # the replay starts: orders are timed in its clock
    client_ids: set[str] = set()

    def kernel_now() -> object:
        entry = cache.peek(pid)
        assert entry is not None
        return entry[1].kernel

    def check(step: str, *, kept: bool, before: object) -> None:
        entry = cache.peek(pid)
        assert entry is not None, step
        revision, cached = entry
        fresh = restored_from_rows(database, pid)
        assert revision == fresh.record.revision, step
        assert _whole_state(cached, client_ids) == _whole_state(fresh, client_ids), step
        assert (cached.kernel is before) is kept, step  # handed back, or rebuilt

    placed: list[str] = []
    for number in range(4):
        before = kernel_now()
        client_id = f"mine-{number}" if number % 2 else None
        if client_id is not None:
            client_ids.add(client_id)
        (order,) = service.place_order(pid, _limit("200", client_id))
        client_ids.add(order.client_order_id)
        placed.append(order.order_id)
        check(f"place {number}", kept=True, before=before)
    before = kernel_now()
    service.cancel_order(pid, placed[1])  # a chosen client id: no longer in the book
    check("cancel", kept=True, before=before)
    before = kernel_now()
    service.modify_order(pid, placed[2], limit_price=Decimal(201))
    check("modify", kept=True, before=before)
    before = kernel_now()
    service.place_order(pid, OrderRequest("SPY", Side.BUY, Decimal(3)))  # fills next tick
    check("market order", kept=True, before=before)
    before = kernel_now()
    service.tick(pid, "SPY")  # a fill and a bar: rebuilt
    assert service.fills(pid)
    check("tick with a fill", kept=False, before=before)
    before = kernel_now()
    (parent, *legs) = service.place_order(
        pid,
        OrderRequest(
            "SPY",
            Side.BUY,
            Decimal(1),
            OrderType.LIMIT,
            limit_price=Decimal(200),
            stop_loss=Decimal(190),
            take_profit=Decimal(300),
        ),
    )
    assert legs
    check("bracket", kept=True, before=before)
    before = kernel_now()
    service.cancel_order(pid, parent.order_id)  # a finished family: the book is rebuilt
    check("bracket canceled", kept=False, before=before)
    before = kernel_now()
    service.cancel_order(pid, placed[0])
    check("cancel after a rebuild", kept=True, before=before)
