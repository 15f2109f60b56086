"""A futures portfolio exported and imported: the copy's books are rebuilt by the futures rules
(margin blocked, P&L with the multiplier), so it shows the same cash, margin and equity."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

from paperdesk.config import (
    AccountConfig,
    ExecutionConfig,
    RiskConfig,
    RunConfig,
    SizingConfig,
    SourceConfig,
    StrategySpec,
)
from paperdesk.data import find_bundled
from paperdesk.live import TickStatus
from paperdesk.service.exports import export_portfolio
from paperdesk.service.imports import import_portfolio
from paperdesk.service.portfolios import PortfolioService
from paperdesk.store import Database

INDEX = "2006-DAY-001"


def test_an_imported_futures_portfolio_keeps_its_cash_margin_and_equity(
    database: Database, tmp_path: Path
) -> None:
    lines = find_bundled(INDEX, "1d").read_text().splitlines()
    data = tmp_path / "index.csv"  # the first 60 bundled bars of backtrader's 2006 series
    data.write_text("\n".join(lines[:61]) + "\n")
    settings = RunConfig(
        strategies=(StrategySpec("sma-cross", {"fast": 1, "slow": 15}),),
        symbols=(INDEX,),
        source=SourceConfig("replay", files={INDEX: str(data)}, replay_from=date(2006, 1, 2)),
        sizing=SizingConfig(method="fixed", quantity=Decimal(2)),
        risk=RiskConfig(exposure_cap_percent=None),
        execution=ExecutionConfig(commission="per-contract:2", slippage_bps=Decimal(0)),
        account=AccountConfig(kind="futures", multiplier=Decimal(10), initial_margin=Decimal(3000)),
    )
    service = PortfolioService(database)
    original = service.create_portfolio("futures", Decimal(10000), settings=settings)
    while service.tick(original, INDEX)[-1].status is TickStatus.PROCESSED:
        pass
    before = service.show(original)
    assert service.trades(original), "sma-cross must trade the series for this to mean much"
    assert before.positions, "a position open at the export: its margin must carry over"
    assert before.summary.positions_value == Decimal(6000)  # 2 contracts x 3000 blocked

    export_portfolio(database, original, tmp_path / "export")
    copy = import_portfolio(
        database, tmp_path / "export", name="copy", attachments_home=tmp_path / "imports"
    ).portfolio_id

    after = service.show(copy).summary
    assert (after.cash, after.positions_value, after.equity, after.realized_pnl) == (
        before.summary.cash,
        before.summary.positions_value,
        before.summary.equity,
        before.summary.realized_pnl,
    )
