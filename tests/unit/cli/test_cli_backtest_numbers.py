"""``paperdesk backtest``'s numbers: cents, n/a for undefined statistics, null in JSON, and the
trades' gross, fees and net side by side (the engine is replaced by a fixed result)."""

from __future__ import annotations

import dataclasses
import json
import re
from decimal import Decimal

import pytest
from typer.testing import CliRunner

from paperdesk.cli import app
from paperdesk.config import RunConfig
from paperdesk.domain.currencies import money_text
from paperdesk.engine.result import BacktestResult
from paperdesk.service import backtests

runner = CliRunner()
ARGUMENTS = ["backtest", "-s", "sma-cross", "--symbol", "SPY"]


@pytest.fixture
def result(monkeypatch: pytest.MonkeyPatch) -> BacktestResult:
    from backtest_fakes import make_result

    made = make_result(RunConfig(strategy="sma-cross", symbol="SPY"))
    fixed = dataclasses.replace(
        made,
        final_equity=Decimal("61129.765"),
        stats=dataclasses.replace(
            made.stats,
            final_equity=61129.76000000001,
            sharpe=None,
            sortino=None,
            profit_factor=None,
            cagr_pct=None,
        ),
    )
    monkeypatch.setattr(backtests, "run_backtest", lambda *_, **__: fixed)
    return fixed


def test_undefined_statistics_print_n_a(result: BacktestResult) -> None:
    out = runner.invoke(app, ARGUMENTS, env={"COLUMNS": "80"}).stdout
    for label in ("Sharpe", "Sortino", "Profit factor", "CAGR"):
        line = next(line for line in out.splitlines() if line.startswith(label))
        assert line.split()[-1] == "n/a", line
    assert "61,129.765" in out  # money exactly: 61129.765, never rounded
    for line in out.splitlines():
        assert len(line.rstrip()) <= 80, line


def test_json_statistics_are_null_or_clean_numbers(result: BacktestResult) -> None:
    document = json.loads(runner.invoke(app, [*ARGUMENTS, "--json"]).stdout)
    stats = document["stats"]
    assert (stats["sharpe"], stats["sortino"], stats["profit_factor"], stats["cagr_pct"]) == (
        None,
        None,
        None,
        None,
    )
    assert stats["final_equity"] == 61129.76
    assert document["final_equity"] == "61129.765"  # money: exact string


def test_trades_show_gross_fees_and_net_that_reconcile(result: BacktestResult) -> None:
    out = runner.invoke(app, ARGUMENTS, env={"COLUMNS": "80"}).stdout
    rows = {
        label: line.split()[-1]
        for line in out.splitlines()
        for label in ("Realized P&L gross", "Fees of the trades", "Realized P&L net")
        if line.startswith(label)
    }
    gross = sum((t.gross_pnl for t in result.trades), Decimal(0))
    fees = sum((t.fees for t in result.trades), Decimal(0))
    assert rows == {
        "Realized P&L gross": money_text(gross, "USD"),
        "Fees of the trades": money_text(fees, "USD"),
        "Realized P&L net": money_text(gross - fees, "USD"),
    }
    shown = {label: Decimal(text.replace(",", "")) for label, text in rows.items()}
    assert shown["Realized P&L gross"] - shown["Fees of the trades"] == shown["Realized P&L net"]
    first = result.trades[0]  # 398.0000000001 net, 1.75 fees
    gross_text = re.escape(money_text(first.gross_pnl, "USD"))
    assert re.search(rf"{gross_text}\s+1\.75\s+398\.00\s", out), out  # 10 decimals: the cent
