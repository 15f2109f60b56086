"""A paper portfolio trading bundled AAPL adjusted for splits and dividends (prices of up to
17 decimals) with slippage and a percentage fee: its cash needs more than 28 significant
digits, and its books balance exactly through ticks, an export and an import (SQLite and
PostgreSQL)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, localcontext
from pathlib import Path

from ledger_support import check_ledger
from paperdesk.config import ExecutionConfig, RunConfig, SourceConfig, StrategySpec
from paperdesk.domain import Side
from paperdesk.live import BarSource
from paperdesk.service.exports import export_portfolio
from paperdesk.service.imports import import_portfolio
from paperdesk.service.portfolios import PortfolioService
from paperdesk.store import Database

D = Decimal


def test_an_adjusted_paper_portfolio_keeps_exact_books_through_export_and_import(
    database: Database, tmp_path: Path
) -> None:
    service = PortfolioService(database, source=BarSource())
    settings = RunConfig(
        strategies=(StrategySpec("sma-cross", {"fast": 3, "slow": 8}),),
        symbols=("AAPL",),
        source=SourceConfig("replay", replay_from=date(2003, 6, 2), adjust="split-dividend"),
        execution=ExecutionConfig(slippage_bps=D(1), commission="percent:0.1"),
    )
    pid = service.create_portfolio("aapl", D(1000000), settings=settings)
    for _ in range(120):
        service.tick(pid, "AAPL")
    fills = service.fills(pid)
    assert len(fills) > 6
    assert min(fill.price.as_tuple().exponent for fill in fills) <= -15  # exact adjusted prices
    check_ledger(database, pid)
    cash = service.show(pid).summary.cash
    with localcontext(prec=200):  # the check's own sums cannot round
        flows = sum(
            (
                (-1 if fill.side is Side.BUY else 1) * fill.quantity * fill.price - fill.fee
                for fill in fills
            ),
            D(1000000),
        )
    assert cash == flows
    assert len(cash.as_tuple().digits) > 28  # beyond Python's default context
    export_portfolio(database, pid, tmp_path / "out")
    imported = import_portfolio(database, tmp_path / "out", name="again").portfolio_id
    check_ledger(database, imported)
    assert service.show(imported).summary.cash == cash
    for _ in range(40):
        service.tick(imported, "AAPL")
        service.tick(pid, "AAPL")
    check_ledger(database, imported)
    check_ledger(database, pid)
    assert service.show(imported).summary.cash == service.show(pid).summary.cash
