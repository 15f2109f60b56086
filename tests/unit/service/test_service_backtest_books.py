"""A backtest's money adds up to the last digit on forex and crypto (docs/statistics.md,
Audit): the cash rebuilt from its fills is its final cash, the fills' fees are its statistics'
fees, cash plus the position at the last close is its final equity and the curve's last point;
on 24/7 and FX calendars the annualisation counts their own periods."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from paperdesk.config import ExecutionConfig, RunConfig
from paperdesk.domain import ZERO, Side
from paperdesk.service import Services
from paperdesk.settings import Settings
from paperdesk.store import Database

RUNS = {
    # fractional quantities (0.48468264 BTC), a percent fee, 24/7 minutes of 2016-2018
    "BTCUSD": (
        RunConfig(strategy="sma-cross", symbol="BTCUSD", timeframe="1m", cash=Decimal(10000),
                  execution=ExecutionConfig(commission="percent:0.1")),
        (527_040 + 525_600 + 525_600) / 3,
    ),
    # a fee per lot of 100,000 units and a 1-pip spread, the FX week's hours of 2018
    "EURUSD": (
        RunConfig(strategy="sma-cross", symbol="EURUSD", timeframe="1h", cash=Decimal(10000),
                  start=date(2018, 1, 1),
                  execution=ExecutionConfig(commission="per-lot:7", spread_pips=Decimal(1))),
        6216.0,
    ),
}  # fmt: skip


@pytest.mark.parametrize("symbol", sorted(RUNS))
def test_the_books_add_up_to_the_last_digit(
    symbol: str, database: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PAPERDESK_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("REDIS_URL", raising=False)
    config, periods = RUNS[symbol]
    result = Services(Settings(), database=database).backtests.run(config)
    assert result.trades
    cash, held, fees = config.cash, ZERO, ZERO
    for fill in result.fills:
        signed = fill.quantity if fill.side is Side.BUY else -fill.quantity
        cash -= signed * fill.price + fill.fee
        held += signed
        fees += fill.fee
    assert cash == result.final_cash
    assert result.stats.fees == float(fees)
    (position,) = result.open_positions
    assert (position.quantity if position.side is Side.BUY else -position.quantity) == held
    assert cash + held * position.mark == result.final_equity
    assert result.equity_curve.iloc[-1] == pytest.approx(float(result.final_equity), rel=1e-12)
    assert result.stats.periods_per_year == periods
