"""The Core writes of the order path expire the copies of their rows the session holds, and
look nothing up when it holds none (a placement's and a cancel's units). SQLite and
PostgreSQL."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from paperdesk.config import RunConfig
from paperdesk.domain import OrderType, Side
from paperdesk.service.order_requests import OrderRequest
from paperdesk.service.portfolios import PortfolioService
from paperdesk.store import Database, order_rows
from paperdesk.store.models import OrderRow


def test_a_core_write_expires_a_held_copy_and_looks_nothing_up_for_an_empty_session(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    service = PortfolioService(database)
    pid = service.create_portfolio("held", Decimal(100000), settings=RunConfig(symbols=("SPY",)))
    order = OrderRequest("SPY", Side.BUY, Decimal(1), OrderType.LIMIT, limit_price=Decimal(50))
    first = service.place_order(pid, order)[0].order_id  # warm: bars and state cached
    looked_up: list[Any] = []
    identity_key = order_rows.identity_key  # type: ignore[attr-defined]

    def counted(model: Any, key: Any) -> Any:
        looked_up.append(model)
        return identity_key(model, key)

    monkeypatch.setattr(order_rows, "identity_key", counted)
    placed = service.place_order(pid, order)[0].order_id
    service.cancel_order(pid, placed)
    assert looked_up == []  # the units held no ORM object
    with database.transaction() as repository:  # a unit holding the rows it writes
        session = repository._session
        stored = next(o for o in repository.orders(pid) if o.order_id == first)
        held = session.get(OrderRow, (pid, first))
        assert held is not None
        assert held.reason == stored.reason != "moved"
        repository.portfolio(pid, lock=True)  # expires the portfolio's copy: none held
        changed = stored._replace(reason="moved")
        order_rows.write_orders(session, pid, [(changed, None, stored.ts_submitted)])
        assert held.reason == "moved"  # expired by the Core write, read again
    assert OrderRow in looked_up
