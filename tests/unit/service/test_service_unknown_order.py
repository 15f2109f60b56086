"""An order id written as the book writes them (``O12``) that the portfolio does not hold is
refused naming the ids it does hold, not with "order ids look like O10" (it does); both
databases, the ledger unchanged."""

from __future__ import annotations

from decimal import Decimal

import pytest
from paper_service_fixtures import ledger_counts, traded_portfolio

from paperdesk.domain import OrderError
from paperdesk.service.portfolios import PortfolioService
from paperdesk.store import Database


def test_an_id_past_the_last_one_issued_names_the_ids_the_portfolio_has(
    database: Database,
) -> None:
    service, portfolio_id = traded_portfolio(database, ticks=20)
    last = len(service.orders(portfolio_id))
    wanted = f"portfolio {portfolio_id} has no order O{last + 7}; its orders are O1 to O{last}"
    before = ledger_counts(service)
    with pytest.raises(OrderError) as canceled:
        service.cancel_order(portfolio_id, f"O{last + 7}")
    with pytest.raises(OrderError) as modified:
        service.modify_order(portfolio_id, f"O{last + 7}", quantity=Decimal(2))
    assert str(canceled.value) == str(modified.value) == wanted
    assert ledger_counts(service) == before


def test_a_portfolio_without_orders_says_so(database: Database) -> None:
    service = PortfolioService(database)
    portfolio_id = service.create_portfolio("empty", Decimal("1000"))
    with pytest.raises(OrderError) as refused:
        service.cancel_order(portfolio_id, "O1")
    assert str(refused.value) == f"portfolio {portfolio_id} has no order O1; it has no order yet"
