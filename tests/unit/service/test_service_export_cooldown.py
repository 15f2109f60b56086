"""An imported copy keeps the cooldown memory: it trades exactly like the original."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

from paperdesk.config import RiskConfig, RunConfig, SourceConfig, StrategySpec
from paperdesk.service.exports import export_portfolio
from paperdesk.service.imports import import_portfolio
from paperdesk.service.portfolios import PortfolioService
from paperdesk.store import Database


def test_a_copy_made_inside_a_cooldown_trades_like_the_original(
    database: Database, tmp_path: Path
) -> None:
    service = PortfolioService(database)
    settings = RunConfig(
        strategies=(StrategySpec("sma-cross", {"fast": 3, "slow": 8}),),
        symbols=("SPY",),
        source=SourceConfig("replay", replay_from=date(2019, 1, 2)),
        risk=RiskConfig(cooldown_bars=30),
    )
    original = service.create_portfolio("original", Decimal("25000"), settings=settings)
    for _ in range(30):
        service.tick(original, "SPY")
    assert any(s.status == "accepted" for s in service.signals(original))
    export_portfolio(database, original, tmp_path / "export")
    copy = import_portfolio(database, tmp_path / "export", name="copy").portfolio_id
    for _ in range(90):
        service.tick(original, "SPY")
        service.tick(copy, "SPY")
    imported = len(service.fills(copy))
    later = service.fills(original)[-imported:] if imported else []
    assert imported > 0
    assert [(f.side, f.quantity, f.price, f.ts) for f in service.fills(copy)] == [
        (f.side, f.quantity, f.price, f.ts) for f in later
    ]
    rejected = [s.rejection for s in service.signals(copy) if s.status == "rejected"]
    assert any("cooldown" in (reason or "") for reason in rejected)
