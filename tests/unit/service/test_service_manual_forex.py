"""A manual forex order is sized in units: one EURUSD unit costs about 1.07 USD, not a lot's
107,000 (the cash check once multiplied by the contract size)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from ledger_support import dump
from paperdesk.config import RunConfig, SourceConfig
from paperdesk.domain import InvalidInputError, Side
from paperdesk.service.portfolios import OrderRequest, PortfolioService
from paperdesk.store import Database


def _eurusd_portfolio(database: Database) -> tuple[PortfolioService, int]:
    service = PortfolioService(database)
    settings = RunConfig(
        symbols=("EURUSD",),
        timeframe="1h",
        source=SourceConfig("replay", replay_from=date(2017, 5, 1)),
    )
    portfolio_id = service.create_portfolio("fx", Decimal("10000"), settings=settings)
    service.tick(portfolio_id, "EURUSD")
    return service, portfolio_id


def test_a_one_unit_eurusd_buy_is_accepted_and_fills(database: Database) -> None:
    service, portfolio_id = _eurusd_portfolio(database)
    (order,) = service.place_order(portfolio_id, OrderRequest("EURUSD", Side.BUY, Decimal(1)))
    assert order.quantity == Decimal(1)
    service.tick(portfolio_id, "EURUSD")
    (fill,) = service.fills(portfolio_id)
    assert (fill.order_id, fill.quantity) == (order.order_id, Decimal(1))
    cash = service.show(portfolio_id).summary.cash
    assert cash == Decimal(10000) - fill.price - fill.fee
    assert Decimal("1.0") < fill.price < Decimal("1.2")


def test_more_units_than_the_cash_buys_are_refused(database: Database) -> None:
    service, portfolio_id = _eurusd_portfolio(database)
    before = dump(database)
    with pytest.raises(InvalidInputError, match="insufficient cash"):
        service.place_order(portfolio_id, OrderRequest("EURUSD", Side.BUY, Decimal(10_000)))
    assert dump(database) == before
