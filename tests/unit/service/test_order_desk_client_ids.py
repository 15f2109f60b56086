"""A client order id is checked by the ledger's unique key, not by a read before the write: a
placement with a new id sends the statements of one without; a used id (a finished order's)
is refused with the order that holds it, and the unit writes nothing (SQLite and PostgreSQL)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import event

from ledger_support import dump
from paperdesk.config import RunConfig
from paperdesk.domain import InvalidInputError, OrderType, Side
from paperdesk.live import FixedClock
from paperdesk.service.portfolios import OrderRequest, PortfolioService
from paperdesk.store import Database

NOW = datetime(2020, 3, 3, 12, tzinfo=UTC)


@pytest.fixture
def service(database: Database) -> PortfolioService:
    return PortfolioService(database, clock=FixedClock(NOW))


def _limit(client_order_id: str | None = None) -> OrderRequest:
    return OrderRequest(
        "SPY",
        Side.BUY,
        Decimal(1),
        OrderType.LIMIT,
        limit_price=Decimal(50),
        client_order_id=client_order_id,
    )


@contextmanager
def _statements(database: Database) -> Iterator[list[str]]:
    sent: list[str] = []

    def note(*arguments: Any) -> None:
        sent.append(" ".join(str(arguments[2]).split()))

    event.listen(database.engine, "before_cursor_execute", note)
    try:
        yield sent
    finally:
        event.remove(database.engine, "before_cursor_execute", note)


def test_a_new_client_order_id_is_not_read_before_the_write(
    database: Database, service: PortfolioService
) -> None:
    portfolio = service.create_portfolio("ids", Decimal(1000), settings=RunConfig(symbols=("SPY",)))
    service.place_order(portfolio, _limit())  # the state cache and the bars are warm
    with _statements(database) as without:
        service.place_order(portfolio, _limit())
    with _statements(database) as with_id:
        service.place_order(portfolio, _limit("mine"))
    assert len(with_id) == len(without)
    assert not [s for s in with_id if s.startswith("SELECT") and "client_order_id =" in s]


def test_a_finished_orders_client_order_id_refuses_the_whole_unit(
    database: Database, service: PortfolioService
) -> None:
    portfolio = service.create_portfolio("ids", Decimal(1000), settings=RunConfig(symbols=("SPY",)))
    (first,) = service.place_order(portfolio, _limit("taken"))
    service.cancel_order(portfolio, first.order_id)
    before = dump(database)

    def place_both() -> None:
        with service.order_desk(portfolio, ("SPY",)) as desk:
            desk.place(_limit("fresh"))  # placed in the unit, then rolled back with it
            desk.place(_limit("taken"))

    named = rf"'taken' is already used by order {first.order_id} \(canceled\)"
    with pytest.raises(InvalidInputError, match=named) as refused:
        place_both()
    assert getattr(refused.value, "code", None) == "duplicate_client_order_id"
    assert dump(database) == before
    (placed,) = service.place_order(portfolio, _limit("fresh"))  # the rolled-back id is free
    assert placed.client_order_id == "fresh"
