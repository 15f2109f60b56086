"""Bars imported into the database are what paper portfolios trade (through the DataManager)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from paperdesk.config import RunConfig, SourceConfig, StrategySpec
from paperdesk.data.cache import InProcessCache
from paperdesk.domain import UnknownNameError
from paperdesk.live import TickStatus
from paperdesk.service.market_data import build_data_manager
from paperdesk.service.portfolios import PortfolioService
from paperdesk.store import Database
from wave_bars import write_wave_csv


def test_a_portfolio_trades_bars_imported_into_the_database(
    database: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PAPERDESK_HOME", str(tmp_path / "home"))
    manager = build_data_manager(database, cache=InProcessCache())
    service = PortfolioService(database)
    settings = RunConfig(
        strategies=(StrategySpec("sma-cross", {"fast": 3, "slow": 8}),),
        symbols=("ACME",),
        source=SourceConfig("replay", replay_from=date(2023, 2, 1)),
    )
    with pytest.raises(UnknownNameError):  # nothing imported yet: no ACME data anywhere
        service.create_portfolio("acme", Decimal("10000"), settings=settings)
    csv = tmp_path / "acme.csv"
    write_wave_csv(csv, 200)
    report = manager.import_csv(csv, "ACME", "1d", asset_class="equity")
    assert report.rows_written > 100
    portfolio_id = service.create_portfolio("acme", Decimal("10000"), settings=settings)
    processed = [service.tick(portfolio_id, "ACME")[0] for _ in range(60)]
    assert all(t.status is TickStatus.PROCESSED for t in processed)
    assert processed[0].ts_bar is not None
    assert processed[0].ts_bar.date() == date(2023, 2, 1)
    fills = service.fills(portfolio_id)
    assert fills, "the waves make sma-cross trade"
    stored = manager.get_bars("ACME", "1d")
    opens = {ts.to_pydatetime(): Decimal(repr(float(o))) for ts, o in stored["open"].items()}
    for fill in fills:  # next-open fills at the imported open, moved 5 bps against the trader
        assert abs(fill.price - opens[fill.ts]) <= opens[fill.ts] * Decimal("0.0006")


def test_an_imported_symbol_backtests_and_paper_trades_from_the_same_bars(
    database: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One door: ``backtest --symbol`` reads the bars ``data import`` stored, as a portfolio
    does, and a backtest over them equals the replayed portfolio fill for fill."""
    from paperdesk.service import Services
    from paperdesk.settings import Settings

    monkeypatch.setenv("PAPERDESK_HOME", str(tmp_path / "home"))
    services = Services(Settings(), database=database)
    csv = tmp_path / "acme.csv"
    write_wave_csv(csv, 200)
    services.market_data.import_file(csv, "ACME", "1d", asset_class="equity")
    strategy = StrategySpec("sma-cross", {"fast": 3, "slow": 8})
    backtest = services.backtests.run(
        RunConfig(strategies=(strategy,), symbols=("ACME",), timeframe="1d")
    )
    settings = RunConfig(
        strategies=(strategy,),
        symbols=("ACME",),
        source=SourceConfig("replay", replay_from=date(2023, 1, 2)),
    )
    portfolios = services.portfolios
    portfolio_id = portfolios.create_portfolio("acme", Decimal("10000"), settings=settings)
    while portfolios.tick(portfolio_id, "ACME")[-1].status is TickStatus.PROCESSED:
        pass
    assert backtest.bars == len(services.data.get_bars("ACME", "1d"))
    assert len(backtest.fills) >= 4
    assert [(f.ts, f.price, f.quantity) for f in portfolios.fills(portfolio_id)] == [
        (f.ts, f.price, f.quantity) for f in backtest.fills
    ]


def test_an_imported_file_of_a_bundled_symbol_answers_for_backtests_too(
    database: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from paperdesk.service import Services
    from paperdesk.settings import Settings

    monkeypatch.setenv("PAPERDESK_HOME", str(tmp_path / "home"))
    services = Services(Settings(), database=database)
    csv = tmp_path / "spy.csv"
    write_wave_csv(csv, 120)
    report = services.market_data.import_file(csv, "SPY", "1d")
    result = services.backtests.run(
        RunConfig(strategy="sma-cross", params={"fast": 3, "slow": 8}, symbol="SPY")
    )
    assert result.bars == report.rows_written  # the imported bars, not the bundled 5,849
    assert services.data.get_bars("SPY", "1d").attrs["origin"] != "bundled"
