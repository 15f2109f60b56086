"""The audit log's words show money by the one money rule (grouped, the currency's minor unit,
every further digit kept): they printed the Decimal as stored (`equity 24110.43460`); the
entries' details keep the exact strings."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

from paperdesk.config import RunConfig, SourceConfig
from paperdesk.service.exports import export_portfolio
from paperdesk.service.imports import import_portfolio
from paperdesk.service.portfolios import PortfolioService
from paperdesk.store import Database

CASH = Decimal("24110.43460")


def test_created_marked_and_imported_entries_show_money_by_the_money_rule(
    database: Database, tmp_path: Path
) -> None:
    service = PortfolioService(database)
    settings = RunConfig(
        symbols=("SPY",), source=SourceConfig("replay", replay_from=date(2020, 1, 2))
    )
    pid = service.create_portfolio("books", CASH, settings=settings)
    service.tick(pid, "SPY")  # the replay's clock starts; its first bar trades nothing
    point = service.mark_to_market(pid)
    entries = {entry.kind: entry for entry in service.audit(pid)}
    created, marked = entries["portfolio.created"], entries["portfolio.marked"]
    assert created.message == "created 'books' with 24,110.4346 USD"
    assert created.details["starting_cash"] == "24110.43460"  # the machine field stays exact
    assert marked.message == "marked to market: equity 24,110.4346"
    assert marked.details["equity"] == str(point.equity)
    assert Decimal(marked.details["equity"]) == CASH
    export_portfolio(database, pid, tmp_path / "out")
    copy = import_portfolio(database, tmp_path / "out", name="copy").portfolio_id
    [imported] = [entry for entry in service.audit(copy) if entry.kind == "portfolio.imported"]
    assert imported.message.endswith("0 fills, cash 24,110.4346")
