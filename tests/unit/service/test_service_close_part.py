"""Closing part of a position: a market exit of the quantity asked for, at most the position,
in whole lots; a refusal names the quantity and writes nothing."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from ledger_support import dump
from paperdesk.config import RunConfig, SourceConfig
from paperdesk.domain import OrderRole, Side
from paperdesk.routing import OrderRefusedError
from paperdesk.service.portfolios import OrderRequest, PortfolioService
from paperdesk.store import Database
from quiet_strategy import QUIET


def _holding_five(database: Database) -> tuple[PortfolioService, int]:
    service = PortfolioService(database)
    settings = RunConfig(
        **QUIET, symbols=("SPY",), source=SourceConfig("replay", replay_from=date(2020, 1, 2))
    )
    portfolio = service.create_portfolio("c", Decimal("10000"), settings=settings)
    service.tick(portfolio, "SPY")
    service.place_order(portfolio, OrderRequest("SPY", Side.BUY, Decimal("5")))
    service.tick(portfolio, "SPY")
    return service, portfolio


def test_a_part_close_sells_the_quantity_and_keeps_the_rest(database: Database) -> None:
    service, portfolio = _holding_five(database)
    [order] = service.close_position(portfolio, "SPY", quantity=Decimal(2)).orders
    assert (order.side, order.quantity, order.role) == (Side.SELL, Decimal(2), OrderRole.EXIT)
    service.tick(portfolio, "SPY")
    [position] = service.show(portfolio).positions
    assert position.quantity == Decimal(3)
    [whole] = service.close_position(portfolio, "SPY").orders
    assert whole.quantity == Decimal(3)


@pytest.mark.parametrize("quantity", [None, Decimal(2), Decimal(5)])
def test_a_retried_close_answers_the_standing_order_and_writes_nothing(
    database: Database, quantity: Decimal | None
) -> None:
    service, portfolio = _holding_five(database)
    first = service.close_position(portfolio, "SPY", quantity=quantity)
    [order] = [o for o in first.orders if o.status.is_open]
    before = dump(database)
    again = service.close_position(portfolio, "SPY", quantity=quantity)
    assert again.placed is False
    assert [o.order_id for o in again.orders] == [order.order_id]
    assert again.orders[0].quantity == order.quantity
    assert dump(database) == before  # no order canceled, none placed, no audit row


@pytest.mark.parametrize(
    ("first", "then"),
    [(None, Decimal(2)), (Decimal(2), None), (Decimal(2), Decimal(3)), (Decimal(5), None)],
)
def test_a_different_close_replaces_the_standing_one(
    database: Database, first: Decimal | None, then: Decimal | None
) -> None:
    service, portfolio = _holding_five(database)
    [standing] = [
        o for o in service.close_position(portfolio, "SPY", quantity=first).orders
        if o.status.is_open
    ]  # fmt: skip
    replaced = service.close_position(portfolio, "SPY", quantity=then)
    assert replaced.placed is True
    canceled, placed = replaced.orders
    assert (canceled.order_id, canceled.status.is_open) == (standing.order_id, False)
    assert placed.quantity == (then or Decimal(5))
    working = [o.order_id for o in service.orders(portfolio) if o.status.is_open]
    assert working == [placed.order_id]


@pytest.mark.parametrize(
    ("quantity", "code", "named"),
    [
        (Decimal(6), "quantity_exceeds_position", "quantity 6"),
        (Decimal("0.5"), "lot_size", "0.5"),
    ],
)
def test_a_bad_part_close_is_refused_and_writes_nothing(
    database: Database, quantity: Decimal, code: str, named: str
) -> None:
    service, portfolio = _holding_five(database)
    before = dump(database)
    with pytest.raises(OrderRefusedError, match=named) as refused:
        service.close_position(portfolio, "SPY", quantity=quantity)
    assert refused.value.code == code
    assert dump(database) == before


def test_no_position_has_its_own_code(database: Database) -> None:
    service = PortfolioService(database)
    portfolio = service.create_portfolio("e", Decimal("1000"), settings=RunConfig(**QUIET))
    with pytest.raises(OrderRefusedError, match="holds no SPY position") as refused:
        service.close_position(portfolio, "SPY", quantity=Decimal(1))
    assert refused.value.code == "no_position"
