"""A trade plan shares the exposure cap with what the portfolio commits, valued as the router's
exposure cap values it: a working stop entry at the higher of the last price and its stop
(it was valued at the last price, so a plan row took room the stop entry will use).
SQLite and PostgreSQL."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from test_service_plans import replay_portfolio, write_plan

from paperdesk.domain import OrderType, Side
from paperdesk.plans.settings import FitRule, PlanSettings
from paperdesk.service import Services
from paperdesk.service.order_requests import OrderRequest
from paperdesk.settings import Settings
from paperdesk.store import Database

# SPY's last close 389.58 (2021-03-01); AAPL's 127.79
PLAN = """ticker,side,qty,entry_price,take_profit,stop_loss,strength,etth_days,entry_datetime
AAPL,buy,20,127.79,135,120,0.6,1.5,2021-03-02T14:30:00Z
"""


@pytest.fixture
def services(database: Database, clean_environment: pytest.MonkeyPatch) -> Services:
    return Services(Settings(), database=database)


def test_a_plan_counts_a_working_stop_entry_at_its_stop(services: Services, tmp_path: Path) -> None:
    portfolio = replay_portfolio(services)
    stop_entry = OrderRequest(
        "SPY", Side.BUY, Decimal(10), order_type=OrderType.STOP, stop_price=Decimal(420)
    )
    services.portfolios.place_order(portfolio, stop_entry)
    cap = PlanSettings(exposure_cap=Decimal("0.06"), fit=FitRule.TRIM)  # 6,000.00 of 100,000
    result = services.plans.execute(portfolio, write_plan(tmp_path, PLAN), settings=cap)

    assert result.filtered.exposure_before == Decimal(4200)  # 10 x 420, not 10 x 389.58
    (row,) = result.rows
    # 6,000 - 4,200 leaves 1,800: 14 AAPL at 127.79 (16 when the stop entry counted 3,895.80)
    assert (row.ticker, row.qty, row.status) == ("AAPL", Decimal(14), "placed")
    assert "trimmed from 20 to 14" in result.filtered.decisions[0].reason
