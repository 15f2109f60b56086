"""A raw-price backtest's trade table says that some trades' gross P&L holds the dividends
booked while they were open (it showed a gross 93.84 above quantity x (exit - entry) with no
word why)."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

from typer.testing import CliRunner

from paperdesk.cli import app
from paperdesk.data import instrument_for
from paperdesk.data.corporate_actions import ledger_actions_for

RUN = ["backtest", "--strategy", "macd-cross", "-p", "stop_atr=2", "-p", "target_atr=3",
       "--symbol", "SPY", "--cash", "25000", "--from", "2019-01-01",
       "--to", "2020-12-31"]  # fmt: skip


def invoke(*args: str) -> str:
    outcome = CliRunner().invoke(app, [*RUN, *args], env={"COLUMNS": "400"})
    assert outcome.exit_code == 0, outcome.output
    return outcome.stdout


def test_the_dividends_held_over_are_named_under_the_trades(paper_home: Path) -> None:
    trades = json.loads(invoke("--adjust", "raw", "--json"))["trades"]
    dividends = [a for a in ledger_actions_for(instrument_for("SPY")) if a.kind == "dividend"]
    paid = []  # booked at the ex-date's first bar, before its fills: entry < ex-date <= exit
    for trade in trades:
        entry, exit_ = (trade[key][:10] for key in ("entry_time", "exit_time"))
        held = [a for a in dividends if entry < a.ex_date.isoformat() <= exit_]
        if held:
            paid.append(Decimal(trade["quantity"]) * sum(a.distribution for a in held))
    assert paid
    [line] = [line for line in invoke("--adjust", "raw").splitlines() if "dividends booked" in line]
    assert line.startswith(
        "Gross P&L includes the dividends booked while trades were open (raw prices): "
        f"{sum(paid):,.2f} on {len(paid)} of {len(trades)} trades (the first "
    ), line
    assert "so their gross is not quantity x (exit - entry)" in line


def test_adjusted_prices_have_no_such_line(paper_home: Path) -> None:
    assert "dividends booked" not in invoke()
