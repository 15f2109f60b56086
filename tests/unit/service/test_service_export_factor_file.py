"""A portfolio trading adjusted prices from its own ``--factor-file``, with quotes and a futures
account, travels whole in its export: the copy keeps the factor file (and the quotes) after the
original machine's files are gone, and trades on exactly as the original does."""

from __future__ import annotations

import json
import shutil
from datetime import date
from decimal import Decimal
from pathlib import Path

from paperdesk.config import (
    AccountConfig,
    ExecutionConfig,
    MarkPrice,
    RiskConfig,
    RunConfig,
    SizingConfig,
    SourceConfig,
    StrategySpec,
)
from paperdesk.data import find_bundled, find_bundled_quotes
from paperdesk.live import TickStatus
from paperdesk.service.exports import export_portfolio
from paperdesk.service.imports import import_portfolio
from paperdesk.service.portfolios import PortfolioService
from paperdesk.store import Database

FIRST, ROWS, LATER = "2013-10-07T13:30:00Z", 120, 50
FACTORS = Path(__file__).resolve().parents[3] / "src/paperdesk/data/bundled/factor_files/spy.csv"


def _slice(source: Path, path: Path) -> Path:
    lines = source.read_text().splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(FIRST))
    path.write_text("\n".join([lines[0], *lines[start : start + ROWS]]) + "\n")
    return path


def _later(service: PortfolioService, pid: int) -> None:
    for _ in range(LATER):
        (tick,) = service.tick(pid, "SPY")
        assert tick.status is TickStatus.PROCESSED, tick


def test_an_exported_portfolio_keeps_its_factor_file(database: Database, tmp_path: Path) -> None:
    machine = tmp_path / "first-machine"
    machine.mkdir()
    quotes_file = find_bundled_quotes("SPY", "1m")
    assert quotes_file is not None
    trades = _slice(find_bundled("SPY", "1m"), machine / "spy_1m.csv")
    quotes = _slice(quotes_file, machine / "spy_quotes.csv")
    factor_file = machine / "spy_factors.csv"
    shutil.copyfile(FACTORS, factor_file)
    settings = RunConfig(
        strategies=(StrategySpec("sma-cross", {"fast": 3, "slow": 8}),),
        symbols=("SPY",),
        timeframe="1m",
        source=SourceConfig(
            "replay",
            files={"SPY": str(trades)},
            quote_files={"SPY": str(quotes)},
            replay_from=date(2013, 10, 7),
            adjust="split-dividend",
            factor_file=factor_file,
        ),
        sizing=SizingConfig(method="fixed", quantity=Decimal(2)),
        risk=RiskConfig(exposure_cap_percent=None, allow_short=True),
        execution=ExecutionConfig(mark=MarkPrice.MID, commission="per-contract:1"),
        account=AccountConfig(kind="futures", multiplier=Decimal(5), initial_margin=Decimal(100)),
    )
    service = PortfolioService(database)
    original = service.create_portfolio("original", Decimal("10000"), settings=settings)
    for _ in range(20):
        service.tick(original, "SPY")
    export_portfolio(database, original, tmp_path / "export")
    manifest = json.loads((tmp_path / "export" / "MANIFEST.json").read_text())
    state = json.loads((tmp_path / "export" / "state.json").read_text())
    assert str(machine) not in json.dumps(state["settings"]), "no path of the first machine"
    assert any("factor" in name for name in manifest["files"])
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
    assert any(f.price != f.price.quantize(Decimal("0.01")) for f in later_fills)  # adjusted
    assert service.fills(copy) == later_fills
    assert service.show(copy).summary.equity == service.show(original).summary.equity
