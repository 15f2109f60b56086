"""The asset class a series is imported with is stored with it: a new process (a new
``Services`` on the same database) reads the series on its calendar and trades its instrument."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from paperdesk.config import RunConfig, StrategySpec
from paperdesk.data.instruments import UnknownSymbolError, forget_asset_classes, instrument_for
from paperdesk.domain import AssetClass
from paperdesk.service import Services
from paperdesk.settings import Settings
from paperdesk.store import Database


def _fx_bars(path: Path, weeks: int) -> None:
    rows = ["timestamp,open,high,low,close,volume"]
    monday = datetime(2024, 1, 8, tzinfo=UTC)
    for week in range(weeks):
        for hour in range(4 * 24 + 21):
            ts = monday + timedelta(weeks=week, hours=hour)
            price = 1.1 + 0.001 * ((hour % 11) - 5)
            rows.append(f"{ts:%Y-%m-%dT%H:%M:%SZ},{price},{price + 0.0005},{price - 0.0005},"
                        f"{price},0")  # fmt: skip
    path.write_text("\n".join(rows) + "\n")


def test_the_stored_class_survives_a_new_process(
    database: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PAPERDESK_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("REDIS_URL", raising=False)
    csv = tmp_path / "eurusd2.csv"
    _fx_bars(csv, weeks=3)
    first = Services(Settings(), database=database)
    with pytest.raises(UnknownSymbolError):
        first.market_data.import_file(csv, "EURUSD2", "1h")
    assert "EURUSD2" not in {series.symbol for series in first.market_data.list_series()}
    first.market_data.import_file(csv, "EURUSD2", "1h", asset_class="forex")

    forget_asset_classes()  # a new process remembers nothing
    second = Services(Settings(), database=database)
    report = second.market_data.check("EURUSD2", "1h")
    assert (report.calendar, len(report.off_session)) == ("FX", 0)
    strategy = StrategySpec("sma-cross", {"fast": 3, "slow": 8})
    result = second.backtests.run(
        RunConfig(strategies=(strategy,), symbols=("EURUSD2",), timeframe="1h")
    )
    assert result.bars == 3 * (4 * 24 + 21)
    instrument = instrument_for("EURUSD2")
    assert (instrument.asset_class, instrument.currency) == (AssetClass.FOREX, "USD")
