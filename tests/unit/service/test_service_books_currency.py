"""A portfolio keeps its books in one currency and paperdesk converts none, so every symbol it
watches must be quoted in that currency (docs/statistics.md, Audit): a USD portfolio refuses
USDJPY and EURGBP, whose P&L in yen or pounds it would book as dollars; a GBP portfolio trades
EURGBP with its cash, fills and P&L in pounds."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from ledger_support import dump
from paperdesk.config import RunConfig, SourceConfig
from paperdesk.data import find_bundled
from paperdesk.domain import OptionError, Side
from paperdesk.service.portfolios import OrderRequest, PortfolioService
from paperdesk.store import Database


def eurgbp_hours(directory: Path, rows: int = 60) -> Path:
    """Hand-made EURGBP hours: the first bundled EURUSD hours (2007) at 0.85 of their prices."""
    lines = find_bundled("EURUSD", "1h").read_text().splitlines()
    made = [lines[0]]
    for line in lines[1 : rows + 1]:
        stamp, *prices, volume = line.split(",")
        scaled = [str((Decimal(p) * Decimal("0.85")).quantize(Decimal("0.00001"))) for p in prices]
        made.append(",".join([stamp, *scaled, volume]))
    path = directory / "eurgbp.csv"
    path.write_text("\n".join(made) + "\n")
    return path


def settings_on(symbol: str, path: Path) -> RunConfig:
    source = SourceConfig("replay", files={symbol: str(path)}, replay_from=date(2007, 1, 2))
    return RunConfig(symbols=(symbol,), timeframe="1h", source=source)


@pytest.mark.parametrize(("symbol", "quoted"), [("EURGBP", "GBP"), ("USDJPY", "JPY")])
def test_a_usd_portfolio_refuses_a_symbol_quoted_in_another_currency(
    database: Database, tmp_path: Path, symbol: str, quoted: str
) -> None:
    service = PortfolioService(database)
    before = dump(database)
    with pytest.raises(OptionError) as refused:
        service.create_portfolio(
            "fx", Decimal(10000), settings=settings_on(symbol, eurgbp_hours(tmp_path))
        )
    message = str(refused.value)
    assert f"'{symbol}' is quoted in {quoted} but the portfolio keeps its books in USD" in message
    assert f"--currency {quoted}" in message
    assert dump(database) == before  # nothing written


def test_an_edit_may_not_add_a_symbol_in_another_currency(
    database: Database, tmp_path: Path
) -> None:
    service = PortfolioService(database)
    spy = RunConfig(symbols=("SPY",), source=SourceConfig("replay", replay_from=date(2019, 1, 2)))
    portfolio_id = service.create_portfolio("desk", Decimal(10000), settings=spy)
    path = eurgbp_hours(tmp_path)
    before = dump(database)
    with pytest.raises(OptionError, match="'EURGBP' is quoted in GBP"):
        service.edit_portfolio(portfolio_id, lambda _: settings_on("EURGBP", path))
    assert dump(database) == before
    assert service.settings(portfolio_id).symbols == ("SPY",)


def test_a_gbp_portfolio_trades_eurgbp_in_pounds(database: Database, tmp_path: Path) -> None:
    service = PortfolioService(database)
    settings = settings_on("EURGBP", eurgbp_hours(tmp_path)).with_changes(
        execution=RunConfig().execution.model_copy(update={"commission": "per-lot:7"})
    )
    portfolio_id = service.create_portfolio(
        "pounds", Decimal(10000), base_currency="GBP", settings=settings
    )
    service.tick(portfolio_id, "EURGBP")
    service.place_order(portfolio_id, OrderRequest("EURGBP", Side.BUY, Decimal(5000)))
    service.tick(portfolio_id, "EURGBP")
    (fill,) = service.fills(portfolio_id)
    assert fill.fee == Decimal("0.35")  # 7 a lot of 100,000 units, for 5,000 units
    summary = service.show(portfolio_id).summary
    assert summary.base_currency == "GBP"
    assert summary.cash == Decimal(10000) - fill.quantity * fill.price - fill.fee
    assert summary.equity == summary.cash + summary.positions_value
    assert summary.total_pnl == summary.realized_pnl_net + summary.unrealized_pnl
