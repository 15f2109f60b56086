"""A whole paper-trading session through the command line, on SQLite in a temp home:
create, trade DRY and LIVE (seed 004's commands as written), show, run on a schedule,
manual orders, export the seed 002 files and import them back."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import Result
from typer.testing import CliRunner

from paperdesk.cli import app
from paperdesk.service.state_schema import validate_state

runner = CliRunner()


def paperdesk(*args: str) -> Result:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, (args, result.stdout, result.stderr)
    return result


def document(*args: str) -> dict[str, object]:
    loaded: dict[str, object] = json.loads(paperdesk(*args, "--json").stdout)
    return loaded


@pytest.fixture(autouse=True)
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("PAPERDESK_HOME", str(tmp_path))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    return tmp_path


def test_a_paper_trading_session(tmp_path: Path) -> None:
    # seed 004 as written: the bundled source trades the latest closed bar exactly once
    assert paperdesk("create-portfolio", "My RSI Bot", "10000").stdout == "1\n"
    assert "DRY RUN" in paperdesk("trade", "1", "SPY", "DRY").stdout
    assert "SPY bar" in paperdesk("trade", "1", "SPY", "LIVE").stdout
    assert "Already processed" in paperdesk("trade", "1", "SPY", "LIVE").stdout

    # a replayed portfolio with two strategies, fees and a risk limit
    replay = paperdesk(
        "create-portfolio",
        "Replay",
        "25000",
        "--symbol",
        "SPY",
        "--source",
        "replay",
        "--replay-from",
        "2020-01-02",
        "--strategy",
        "macd-cross",
        "--strategy",
        "sma-cross",
        "--commission",
        "percent:0.1",
        "--max-position-pct",
        "60",
    ).stdout.strip()
    paperdesk("run", replay, "--every", "0.01s", "--max-ticks", "40")
    dry = document("trade", replay, "SPY", "DRY")
    live = document("trade", replay, "SPY", "LIVE")
    assert dry["ticks"][0]["candle_at"] == live["ticks"][0]["candle_at"]  # type: ignore[index]
    assert dry["ticks"][0]["signals"] == live["ticks"][0]["signals"]  # type: ignore[index]

    shown = document("portfolio", "show", replay)
    summary = shown["portfolio"]
    assert isinstance(summary, dict)
    cash, equity = Decimal(summary["cash"]), Decimal(summary["equity"])
    positions = shown["positions"]
    assert isinstance(positions, list)
    value = sum((Decimal(p["market_value"]) for p in positions), Decimal(0))
    assert equity == cash + value
    trades = document("trades", replay)["trades"]
    assert isinstance(trades, list)
    assert trades
    realized = Decimal(summary["realized_pnl"]) - Decimal(summary["fees_paid"])
    open_fees = realized - sum((Decimal(t["pnl"]) for t in trades), Decimal(0))
    assert open_fees <= 0  # closed trades' net P&L plus the open position's entry fees

    # export the seed 002 files and restore them as a new portfolio
    out = tmp_path / "paper_state"
    paperdesk("export", replay, "--to", str(out))
    assert sorted(p.name for p in out.iterdir()) == [
        "MANIFEST.json",
        "fills.csv",
        "orders.csv",
        "pnl_ledger.csv",
        "positions.csv",
        "state.json",
    ]
    validate_state(json.loads((out / "state.json").read_text()))
    restored = document("import", str(out), "--name", "Restored")["id"]
    copy = document("portfolio", "show", str(restored))
    assert copy["positions"] == shown["positions"]
    assert copy["portfolio"]["cash"] == summary["cash"]  # type: ignore[index]
    assert document("fills", str(restored))["fills"] == document("fills", replay)["fills"]

    listed = document("portfolio", "list")["portfolios"]
    assert [p["name"] for p in listed] == ["My RSI Bot", "Replay", "Restored"]  # type: ignore[union-attr]
    kinds = {entry["kind"] for entry in document("audit", str(restored))["audit"]}  # type: ignore[union-attr]
    assert "portfolio.imported" in kinds
