"""`portfolio performance`, the report and the API's `/performance` read the summary, the
equity curve, the round trips, the fills and the statistics in ONE snapshot of the ledger: a
worker's tick committed while they read (as `paperdesk up`'s worker commits one every 2 s)
cannot leave the summary a bar newer than the statistics beside it (both databases)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from answer_words import FieldWordsClient
from paperdesk.api import create_app
from paperdesk.cli import app
from paperdesk.config import RunConfig, SourceConfig, StrategySpec
from paperdesk.domain import OrderType, Side
from paperdesk.service import Services
from paperdesk.service.portfolios import OrderRequest, PortfolioService
from paperdesk.service.report import portfolio_report
from paperdesk.store import Database, LedgerRepository

CENT = Decimal("0.01")


@pytest.fixture
def ledger(database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """A replay portfolio holding SPY with a market sale waiting for the next bar, and a
    ``LedgerRepository.trades`` that commits that next bar's tick the first time a reader
    asks for the round trips: a worker ticking in the middle of the readers."""
    monkeypatch.setenv("PAPERDESK_HOME", str(tmp_path))
    monkeypatch.setenv("DATABASE_URL", database_url)
    database = Database(database_url)
    service = PortfolioService(database)
    settings = RunConfig(
        strategies=(StrategySpec("buy-and-hold"),),
        symbols=("SPY",),
        source=SourceConfig("replay", replay_from=date(2020, 1, 2)),
    )
    portfolio_id = service.create_portfolio("held", Decimal("10000"), settings=settings)
    for _ in range(3):
        service.tick(portfolio_id, "SPY")
    (held,) = service.show(portfolio_id).positions
    service.place_order(
        portfolio_id, OrderRequest("SPY", Side.SELL, held.quantity, OrderType.MARKET)
    )
    reads_trades = LedgerRepository.trades
    ticked: list[int] = []

    def trades_with_a_tick_first(repository: LedgerRepository, *args: Any, **kwargs: Any) -> Any:
        if not ticked:
            ticked.append(portfolio_id)
            service.tick(portfolio_id, "SPY")  # its own transaction, committed now
        return reads_trades(repository, *args, **kwargs)

    monkeypatch.setattr(LedgerRepository, "trades", trades_with_a_tick_first)
    yield service, portfolio_id, ticked
    database.close()


def test_performance_shows_the_equity_its_statistics_end_at(ledger: Any) -> None:
    _, portfolio_id, ticked = ledger
    result = CliRunner().invoke(app, ["portfolio", "performance", str(portfolio_id), "--json"])
    assert result.exit_code == 0, result.output
    assert ticked  # the tick came in the middle of the command's reads
    document = json.loads(result.stdout.splitlines()[0])
    equity = Decimal(document["portfolio"]["equity"])
    assert equity.quantize(CENT) == Decimal(document["stats"]["final_equity"])


def test_the_report_shows_the_positions_its_fills_add_up_to(ledger: Any) -> None:
    service, portfolio_id, ticked = ledger
    report = portfolio_report(service, portfolio_id)
    assert ticked
    assert report["fill_count"] == len(report["fills"])  # every fill is listed
    signed = {"buy": Decimal(1), "sell": Decimal(-1)}
    held = sum(signed[fill["side"]] * Decimal(fill["quantity"]) for fill in report["fills"])
    shown = sum(Decimal(position["quantity"]) for position in report["positions"])
    assert held == shown
    assert report["kpis"]["equity"] == report["equity_curve"][-1]["equity"]


def test_the_api_breakdown_is_the_curve_it_is_sent_with(ledger: Any) -> None:
    service, portfolio_id, ticked = ledger
    services = Services(database=service.database)
    key = services.api_keys.create("reader", "read").token
    client = FieldWordsClient(create_app(services))
    response = client.get(
        f"/api/v1/portfolios/{portfolio_id}/performance", headers={"X-API-Key": key}
    )
    assert response.status_code == 200, response.text
    assert ticked
    body = response.json()
    last = Decimal(body["equity_curve"][-1]["equity"])
    assert Decimal(body["statistics"]["final_equity"]) == last.quantize(CENT)
    assert Decimal(body["breakdown"]["total"]["end_equity"]) == last
