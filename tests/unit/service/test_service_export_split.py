"""Export and import of a raw-price paper portfolio that went through the 2020 AAPL dividend
and 4-for-1 split: the import books the same actions between the fills (the export holds only
the fills), so its books equal the stated ones, and the copy continues like the original.

Bars: the bundled raw Lean AAPL daily bars; actions: the bundled factor file.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

from ledger_support import check_ledger
from paperdesk.config import ExecutionConfig, RunConfig, SourceConfig, StrategySpec
from paperdesk.live import TickStatus
from paperdesk.service.exports import export_portfolio
from paperdesk.service.imports import import_portfolio
from paperdesk.service.portfolios import PortfolioService
from paperdesk.store import Database

SETTINGS = RunConfig(
    strategies=(StrategySpec("buy-and-hold"),),
    symbols=("AAPL",),
    source=SourceConfig("replay", replay_from=date(2020, 8, 5)),
    execution=ExecutionConfig(commission="per-share:0.005:min=1"),
)


def _ticks(service: PortfolioService, pid: int, count: int) -> None:
    for _ in range(count):
        assert service.tick(pid, "AAPL")[-1].status is TickStatus.PROCESSED


def test_a_portfolio_exported_after_a_split_imports_and_continues_identically(
    database: Database, tmp_path: Path
) -> None:
    service = PortfolioService(database)
    original = service.create_portfolio("original", Decimal(10000), settings=SETTINGS)
    _ticks(service, original, 19)  # 2020-08-05 .. 2020-08-31: the dividend and the split
    kinds = [a.kind for a in service.audit(original) if a.kind.startswith("corporate_action")]
    assert sorted(kinds) == ["corporate_action.dividend", "corporate_action.split"]
    (held,) = service.fills(original)
    assert service.show(original).positions[0].quantity == held.quantity * 4

    export_portfolio(database, original, tmp_path / "export")
    copy = import_portfolio(
        database, tmp_path / "export", name="copy", attachments_home=tmp_path / "imports"
    ).portfolio_id
    assert service.show(copy).summary.cash == service.show(original).summary.cash
    assert service.show(copy).positions == service.show(original).positions
    check_ledger(database, copy)

    _ticks(service, original, 50)  # to 2020-11-10: the 2020-11-06 dividend on 4x the shares
    _ticks(service, copy, 50)
    assert service.fills(copy) == service.fills(original)
    assert service.show(copy).summary.cash == service.show(original).summary.cash
    assert service.show(copy).summary.equity == service.show(original).summary.equity
    assert service.show(copy).positions == service.show(original).positions
    check_ledger(database, original)
    check_ledger(database, copy)
