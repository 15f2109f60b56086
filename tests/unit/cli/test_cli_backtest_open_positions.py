"""``paperdesk backtest`` shows the positions still open at the end (table and --json)."""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from typer.testing import CliRunner

from backtest_fakes import make_result
from paperdesk.cli import app
from paperdesk.config import RunConfig
from paperdesk.domain import Fill, Side
from paperdesk.engine.result import BacktestResult
from paperdesk.service import backtests

runner = CliRunner()
ARGUMENTS = ["backtest", "-s", "buy-and-hold", "--symbol", "SPY"]


def _holding(config: RunConfig) -> BacktestResult:
    entry = Fill(
        "o1",
        "SPY",
        Side.BUY,
        Decimal("7"),
        Decimal("321.5"),
        Decimal("1"),
        datetime(2020, 6, 1, 13, 30, tzinfo=UTC),
    )
    return dataclasses.replace(
        make_result(config), trades=(), fills=(entry,), last_close=Decimal("330.25")
    )


@pytest.fixture
def holding(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(backtests, "run_backtest", lambda config, *_, **__: _holding(config))


@pytest.mark.usefixtures("holding")
def test_table_shows_the_open_position_and_its_unrealized_pnl() -> None:
    result = runner.invoke(app, ARGUMENTS, env={"COLUMNS": "160"})
    assert result.exit_code == 0, result.output
    assert "Open at the end" in result.stdout
    row = next(line for line in result.stdout.splitlines() if line.strip().startswith("SPY"))
    assert row.split()[:3] == ["SPY", "long", "2020-06-01"]
    assert "330.25" in row
    assert "2,311.75" in row  # 7 x 330.25
    assert row.rstrip().endswith("61.25")  # 7 x (330.25 - 321.5)


@pytest.mark.usefixtures("holding")
def test_json_lists_the_open_position() -> None:
    result = runner.invoke(app, [*ARGUMENTS, "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["open_positions"] == [
        {
            "symbol": "SPY",
            "side": "long",
            "quantity": "7",
            "average_price": "321.5",
            "opened_at": "2020-06-01T13:30:00+00:00",
            "mark": "330.25",
            "market_value": "2311.75",
            "unrealized_pnl": "61.25",
        }
    ]
