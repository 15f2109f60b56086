"""A paper portfolio's quote file travels with its export: the imported copy keeps filling at
the bid and ask, exactly as the original does, after the original's files are gone."""

from __future__ import annotations

import json
import shutil
from datetime import date
from decimal import Decimal
from pathlib import Path

from paperdesk.config import ExecutionConfig, MarkPrice, RunConfig, SourceConfig, StrategySpec
from paperdesk.data import find_bundled, find_bundled_quotes
from paperdesk.live import TickStatus
from paperdesk.service.exports import export_portfolio
from paperdesk.service.imports import import_portfolio
from paperdesk.service.portfolios import PortfolioService
from paperdesk.store import Database

FIRST, ROWS, LATER = "2013-10-07T13:30:00Z", 120, 50


def _slice(source: Path, path: Path) -> Path:
    lines = source.read_text().splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(FIRST))
    path.write_text("\n".join([lines[0], *lines[start : start + ROWS]]) + "\n")
    return path


def _later(service: PortfolioService, pid: int) -> None:
    for _ in range(LATER):
        (tick,) = service.tick(pid, "SPY")
        assert tick.status is TickStatus.PROCESSED, tick


def test_an_exported_portfolio_keeps_its_quotes(database: Database, tmp_path: Path) -> None:
    machine = tmp_path / "first-machine"
    machine.mkdir()
    quotes_file = find_bundled_quotes("SPY", "1m")
    assert quotes_file is not None
    trades = _slice(find_bundled("SPY", "1m"), machine / "spy_1m.csv")
    quotes = _slice(quotes_file, machine / "spy_quotes.csv")
    settings = RunConfig(
        strategies=(StrategySpec("sma-cross", {"fast": 3, "slow": 8}),),
        symbols=("SPY",),
        timeframe="1m",
        source=SourceConfig(
            "replay",
            files={"SPY": str(trades)},
            quote_files={"SPY": str(quotes)},
            replay_from=date(2013, 10, 7),
        ),
        execution=ExecutionConfig(mark=MarkPrice.MID),
    )
    service = PortfolioService(database)
    original = service.create_portfolio("original", Decimal("10000"), settings=settings)
    for _ in range(20):
        service.tick(original, "SPY")
    export_portfolio(database, original, tmp_path / "export")
    manifest = json.loads((tmp_path / "export" / "MANIFEST.json").read_text())
    assert "data/SPY_quotes.csv" in manifest["files"]
    assert (tmp_path / "export" / "data" / "SPY_quotes.csv").read_bytes() == quotes.read_bytes()
    copy = import_portfolio(
        database, tmp_path / "export", name="copy", attachments_home=tmp_path / "home"
    ).portfolio_id
    exported_fills = len(service.fills(original))

    _later(service, original)
    shutil.rmtree(machine)
    shutil.rmtree(tmp_path / "export")
    _later(service, copy)

    later_fills = service.fills(original)
    assert len(later_fills) > exported_fills, "the original trades after the export"
    assert all(fill.slippage == 0 for fill in later_fills)  # quoted prices: no slippage
    assert service.fills(copy) == later_fills
    assert service.show(copy).summary.equity == service.show(original).summary.equity
