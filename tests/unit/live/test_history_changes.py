"""A portfolio keeps counting bars correctly when its symbol's history is re-imported (other
row numbers, same times): bar counts are located by time, not by stored row numbers."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from paperdesk.config import RiskConfig, RunConfig, SourceConfig
from paperdesk.data import find_bundled, load_bars
from paperdesk.data.cache import InProcessCache
from paperdesk.domain import Side
from paperdesk.live import BarSource, TickStatus
from paperdesk.service.market_data import build_data_manager
from paperdesk.service.portfolios import OrderRequest, PortfolioService
from paperdesk.store import Database
from quiet_strategy import QUIET


def _spy_csv(path: Path, start: str, end: str) -> None:
    bars = load_bars(find_bundled("SPY", "1d"), symbol="SPY", timeframe="1d")
    part = bars.loc[start:end]  # type: ignore[misc]
    lines = ["date,open,high,low,close,volume"]
    for ts, row in part.iterrows():
        values = ",".join(repr(float(row[c])) for c in ("open", "high", "low", "close", "volume"))
        lines.append(f"{ts.date()},{values}")
    path.write_text("\n".join(lines) + "\n")


@pytest.mark.parametrize("reimport", [False, True])
def test_max_holding_counts_bars_across_a_reimport(
    database: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, reimport: bool
) -> None:
    monkeypatch.setenv("PAPERDESK_HOME", str(tmp_path / "home"))
    manager = build_data_manager(database, cache=InProcessCache())
    service = PortfolioService(database, source=BarSource(manager))
    settings = RunConfig(
        **QUIET,  # trades by hand only (buy-and-hold would buy on the replay's first bar)
        symbols=("SPY",),
        source=SourceConfig("replay", replay_from=date(2020, 1, 2)),
        risk=RiskConfig(max_holding_bars=3),
    )
    portfolio_id = service.create_portfolio("hold", Decimal("10000"), settings=settings)
    service.tick(portfolio_id, "SPY")  # 2020-01-02: the replay starts
    service.place_order(portfolio_id, OrderRequest("SPY", Side.BUY, Decimal("5")))
    service.tick(portfolio_id, "SPY")  # 2020-01-03: the buy fills at the open
    assert service.show(portfolio_id).positions[0].quantity == 5
    if reimport:  # the same bars, from a file starting later: every row number shifts
        csv = tmp_path / "spy.csv"
        _spy_csv(csv, "2019-06-01", "2020-12-31")
        manager.import_csv(csv, "SPY", "1d")
    ticks = [service.tick(portfolio_id, "SPY")[0] for _ in range(5)]
    assert all(t.status is TickStatus.PROCESSED for t in ticks)
    assert [t.ts_bar.date() for t in ticks if t.ts_bar] == [
        date(2020, 1, 6),
        date(2020, 1, 7),
        date(2020, 1, 8),
        date(2020, 1, 9),
        date(2020, 1, 10),
    ]
    assert service.show(portfolio_id).positions == ()  # closed after 3 bars held
    exits = [f for f in service.fills(portfolio_id) if f.side is Side.SELL]
    assert [f.ts.date() for f in exits] == [date(2020, 1, 9)]  # exit sent at the 3rd close
