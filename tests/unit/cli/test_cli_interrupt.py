"""Ctrl-C in any command: one line saying what was committed, exit code 130, a consistent
ledger (every tick is its own transaction)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from paperdesk.cli import app
from paperdesk.service.backtests import BacktestService
from paperdesk.service.portfolios import PortfolioService

runner = CliRunner()


@pytest.fixture(autouse=True)
def home(clean_environment: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    clean_environment.setenv("PAPERDESK_HOME", str(tmp_path))
    return tmp_path


REAL_TICK = PortfolioService.tick


def interrupt_tick_number(monkeypatch: pytest.MonkeyPatch, number: int) -> None:
    """Ctrl-C arrives during the ``number``-th tick, before it commits."""
    real_tick = REAL_TICK
    calls = {"n": 0}

    def tick(self: PortfolioService, *args: Any, **kwargs: Any) -> Any:
        calls["n"] += 1
        if calls["n"] == number:
            raise KeyboardInterrupt
        return real_tick(self, *args, **kwargs)

    monkeypatch.setattr(PortfolioService, "tick", tick)


def test_demo_interrupted_says_how_many_ticks_were_committed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    interrupt_tick_number(monkeypatch, 4)  # 2 bars of SPY and AAPL: ticks 1-3 commit
    result = runner.invoke(app, ["demo", "--bars", "2"])
    assert result.exit_code == 130
    assert result.stderr.strip().splitlines()[-1] == (
        "interrupted: 3 of 4 ticks committed, each in its own transaction; the ledger is consistent"
    )
    assert "Traceback" not in result.output
    monkeypatch.setattr(PortfolioService, "tick", REAL_TICK)
    audit = runner.invoke(app, ["audit", "1", "--json"])
    assert audit.exit_code == 0, audit.stderr
    assert json.loads(audit.stdout)["audit"]
    portfolio = runner.invoke(app, ["portfolio", "show", "1", "--json"])
    assert portfolio.exit_code == 0, portfolio.stderr


def test_any_command_interrupted_ends_with_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    def run(self: BacktestService, *args: Any, **kwargs: Any) -> Any:
        raise KeyboardInterrupt

    monkeypatch.setattr(BacktestService, "run", run)
    result = runner.invoke(
        app, ["backtest", "--strategy", "sma-cross", "--symbol", "SPY", "--json"]
    )
    assert result.exit_code == 130
    assert result.stdout == ""
    assert result.stderr == (
        "interrupted: the transaction in progress was rolled back; the ledger is consistent\n"
    )
