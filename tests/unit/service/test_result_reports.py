"""The result report document (issue 13 item 7) of a real walk-forward over the bundled SPY
and AAPL hours of March 2021 and of a real backtest on the bundled SPY days: the summary
matches the trades read back independently, the monthly returns compound to the total return,
the histogram holds every closed trade, the outcome counts match, and a bad folder is refused
naming the file."""

from __future__ import annotations

import csv
import json
import math
import re
import shutil
from collections import Counter
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from test_service_walk_forward import request_for, write_plans

from paperdesk.domain import InvalidInputError
from paperdesk.engine.result import BacktestResult
from paperdesk.plans.settings import ExecutionMode
from paperdesk.service import Services
from paperdesk.service.backtests import run_backtest
from paperdesk.service.result_parts import pnl_distribution
from paperdesk.service.result_reports import (
    backtest_report,
    render_result_report,
    walk_forward_report,
)
from paperdesk.service.run_files import build_config
from paperdesk.settings import Settings
from paperdesk.store import Database

CLOSED = {"TP", "SL", "TIMEOUT", "EOD"}


@pytest.fixture(scope="module")
def evidence(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A walk-forward of the first two weeks of March 2021 (balanced mode: trades held over
    days, some timing out), written once for the module."""
    folder = tmp_path_factory.mktemp("walk-forward")
    with pytest.MonkeyPatch.context() as patch:
        for variable in Settings.environment_variables().values():
            patch.delenv(variable, raising=False)
        patch.setenv("PAPERDESK_HOME", str(folder / "home"))
        database = Database(f"sqlite:///{folder / 'ledger.db'}")
        try:
            services = Services(Settings(), database=database)
            plans = write_plans(folder / "plans", "2021-03-01", "2021-03-12")
            request = request_for(
                folder, plans, "2021-03-01", "2021-03-12", mode=ExecutionMode.BALANCED
            )
            services.walk_forward.run(request, None)
        finally:
            database.close()
        yield request.out


@pytest.fixture(scope="module")
def backtest() -> BacktestResult:
    """MACD crossings on the bundled SPY days with ATR stops and targets and a holding limit:
    trades closed by each of the four ways."""
    config = build_config(
        {"strategy": "macd-cross", "symbol": "SPY", "timeframe": "1d", "max_holding_bars": 15},
        ["stop_atr=2", "target_atr=3"],
    )
    return run_backtest(config)


def rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def compounded(document: dict[str, Any]) -> float:
    growth = 1.0
    for month in document["monthly_returns"]:
        growth *= 1 + float(month["return"]) / 100
    return (growth - 1) * 100


def deepest_drawdown(document: dict[str, Any]) -> float:
    return min(float(point["drawdown"]) for point in document["equity"])


def test_the_walk_forward_document_matches_the_evidence_read_back(evidence: Path) -> None:
    document = walk_forward_report(evidence)
    trades = rows(evidence / "all_trades.csv")
    equity = rows(evidence / "daily_equity.csv")
    summary = json.loads((evidence / "summary.json").read_text(encoding="utf-8"))
    closed = [row for row in trades if row["outcome"] in CLOSED]
    assert document["kind"] == "walk_forward"
    assert document["period"]["start"] == "2021-03-01T00:00:00+00:00"
    assert closed, "the fixture must close trades"
    figures = document["summary"]
    assert figures["trades"] == len(closed) == summary["trades"]
    assert figures["rows"] == len(trades) == len(document["trades"])
    assert Decimal(figures["pnl"]) == sum(Decimal(row["pnl"]) for row in closed)
    assert Decimal(figures["pnl"]) == Decimal(summary["pnl"])
    assert figures["wins"] == sum(1 for row in closed if Decimal(row["pnl"]) > 0)
    assert math.isclose(float(figures["win_rate_pct"]), summary["win_rate_pct"], abs_tol=1e-6)
    assert document["outcomes"] == summary["outcomes"]
    assert {k: n for k, n in document["outcomes"].items() if n} == Counter(
        row["outcome"] for row in trades
    )
    assert figures["take_profit"] == summary["outcomes"]["TP"]
    assert figures["stop_loss"] == summary["outcomes"]["SL"]
    assert figures["timeout"] == summary["outcomes"]["TIMEOUT"] > 0
    # the curve is daily_equity.csv's, its deepest point the summary's maximum drawdown
    assert [p["equity"] for p in document["equity"]] == [row["equity"] for row in equity]
    assert figures["final_equity"] == equity[-1]["equity"] == summary["final_equity"]
    assert math.isclose(deepest_drawdown(document), summary["max_drawdown_pct"], abs_tol=1e-6)
    assert Decimal(figures["max_drawdown_pct"]) == Decimal(str(summary["max_drawdown_pct"]))
    assert figures["sharpe"] == (
        None if summary["sharpe"] is None else str(Decimal(str(summary["sharpe"])).normalize())
    )
    total = (Decimal(summary["final_equity"]) / Decimal(summary["start_equity"]) - 1) * 100
    assert math.isclose(compounded(document), float(total), abs_tol=1e-5)
    assert sum(b["count"] for b in document["pnl_distribution"]) == len(closed)
    # each trade as all_trades.csv holds it, exact
    for shown, row in zip(document["trades"], trades, strict=True):
        assert (shown["symbol"], shown["outcome"]) == (row["ticker"], row["outcome"])
        assert shown["pnl"] == (row["pnl"] if row["outcome"] in CLOSED else None)
        assert shown["entry_price"] == (row["entry_price"] or None)


def test_the_backtest_document_matches_the_result(backtest: BacktestResult) -> None:
    document = backtest_report(backtest)
    trades = backtest.trades
    assert document["kind"] == "backtest"
    figures = document["summary"]
    assert figures["trades"] == len(trades) == backtest.stats.trades > 20
    assert Decimal(figures["pnl"]) == sum((t.pnl for t in trades), Decimal(0))
    reasons = Counter(t.exit_reason for t in trades)
    outcomes = document["outcomes"]
    assert outcomes["TP"] == reasons["take-profit"] > 0
    assert outcomes["SL"] == reasons["stop-loss"] > 0
    assert outcomes["TIMEOUT"] == sum(
        n for reason, n in reasons.items() if reason.startswith("max holding period")
    )
    assert outcomes["TIMEOUT"] > 0
    assert outcomes["SIGNAL"] > 0
    assert sum(outcomes.values()) == len(trades)
    assert sum(b["count"] for b in document["pnl_distribution"]) == len(trades)
    assert len(document["equity"]) == backtest.bars
    assert figures["final_equity"] == str(backtest.final_equity)
    # the curve's last point is the final equity (the open position marked at the last close)
    assert math.isclose(float(document["equity"][-1]["equity"]), float(backtest.final_equity))
    total = (backtest.final_equity / backtest.config.cash - 1) * 100
    assert math.isclose(compounded(document), float(total), abs_tol=1e-4)
    assert math.isclose(deepest_drawdown(document), backtest.stats.max_drawdown_pct, abs_tol=1e-5)
    first, last = document["monthly_returns"][0], document["monthly_returns"][-1]
    assert Decimal(first["start_equity"]) == backtest.config.cash
    assert (first["month"], last["month"]) == (
        backtest.equity_curve.index[0].strftime("%Y-%m"),
        backtest.equity_curve.index[-1].strftime("%Y-%m"),
    )


def test_the_histogram_holds_every_pnl_in_one_bin_between_its_edges() -> None:
    pnls = [Decimal(v) for v in ("-10.005", "-3", "0", "0.01", "4.5", "12.34", "12.34")]
    bins = pnl_distribution(pnls)
    assert len(bins) == 3  # ceil(sqrt(7))
    assert bins[0]["low"] == "-10.01"  # rounded down to the cent
    assert Decimal(bins[-1]["high"]) >= Decimal("12.34")
    edges = [(Decimal(b["low"]), Decimal(b["high"])) for b in bins]
    assert [b["count"] for b in bins] == [
        sum(1 for p in pnls if low <= p < high or (index == 2 and p == high))
        for index, (low, high) in enumerate(edges)
    ]
    assert [b["count"] for b in bins] == [2, 3, 2]
    assert pnl_distribution([Decimal(5)] * 3) == [{"low": "5", "high": "5", "count": 3}]
    assert pnl_distribution([]) == []


@pytest.mark.parametrize(
    "name", ["manifest.json", "summary.json", "daily_equity.csv", "all_trades.csv"]
)
def test_a_folder_missing_a_period_file_is_refused_naming_it(
    evidence: Path, tmp_path: Path, name: str
) -> None:
    copy = shutil.copytree(evidence, tmp_path / "copy")
    (copy / name).unlink()
    with pytest.raises(InvalidInputError, match=re.escape(f"has no {name}")):
        walk_forward_report(copy)


def test_bad_files_are_refused_naming_the_file_the_line_and_the_column(
    evidence: Path, tmp_path: Path
) -> None:
    copy = shutil.copytree(evidence, tmp_path / "copy")
    with pytest.raises(InvalidInputError, match="not found"):
        walk_forward_report(tmp_path / "nowhere")
    trades = (copy / "all_trades.csv").read_text(encoding="utf-8").splitlines()
    header = trades[0].split(",")
    cells = trades[1].split(",")
    cells[header.index("qty")] = "many"
    (copy / "all_trades.csv").write_text(
        "\n".join([trades[0], ",".join(cells), *trades[2:]]) + "\n", encoding="utf-8"
    )
    with pytest.raises(InvalidInputError, match=r"all_trades.csv line 2: qty 'many'"):
        walk_forward_report(copy)
    (copy / "all_trades.csv").write_text("day,ticker\n", encoding="utf-8")
    with pytest.raises(InvalidInputError, match=re.escape("all_trades.csv: missing column")):
        walk_forward_report(copy)
    shutil.copy(evidence / "all_trades.csv", copy / "all_trades.csv")
    summary = json.loads((copy / "summary.json").read_text(encoding="utf-8"))
    summary["pnl"] = "1000000"
    (copy / "summary.json").write_text(json.dumps(summary), encoding="utf-8")
    with pytest.raises(InvalidInputError, match=re.escape("summary.json says a P&L of 1000000")):
        walk_forward_report(copy)
    (copy / "summary.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(InvalidInputError, match=re.escape("summary.json: not readable JSON")):
        walk_forward_report(copy)
    (copy / "daily_equity.csv").write_text(
        "date,close_time,equity,open_trades\n2021-03-01,yesterday,1,0\n", encoding="utf-8"
    )
    shutil.copy(evidence / "summary.json", copy / "summary.json")
    with pytest.raises(InvalidInputError, match=re.escape("daily_equity.csv line 2: close_time")):
        walk_forward_report(copy)


def test_a_backtest_without_a_closed_trade_has_undefined_trade_figures_and_a_page() -> None:
    config = build_config(
        {"strategy": "buy-and-hold", "symbol": "SPY", "timeframe": "1d", "from": "2020-01-01"}
    )
    result = run_backtest(config)
    document = backtest_report(result, title="held <b>all</b> along")
    figures = document["summary"]
    assert result.trades == ()
    assert figures["trades"] == 0
    assert figures["pnl"] == "0"
    assert figures["win_rate_pct"] is None
    assert figures["profit_factor"] is None
    assert figures["best_trade"] is None
    assert document["pnl_distribution"] == []
    assert document["outcomes"] == {"TP": 0, "SL": 0, "TIMEOUT": 0, "SIGNAL": 0}
    # the open position is in the curve: the total return is the final equity's
    total = (result.final_equity / result.config.cash - 1) * 100
    assert math.isclose(compounded(document), float(total), abs_tol=1e-4)
    page = render_result_report(document)
    assert "No closed trades." in page
    assert "held &lt;b&gt;all&lt;/b&gt; along" in page
