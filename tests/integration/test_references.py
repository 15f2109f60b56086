"""Independent references reproduced to the cent through the shipped run files."""

from __future__ import annotations

import json
import warnings
from decimal import Decimal
from pathlib import Path

import pytest
from typer.testing import CliRunner

from paperdesk.cli import app
from paperdesk.domain import Side
from paperdesk.engine.result import BacktestResult
from paperdesk.service import BacktestService
from paperdesk.service.run_files import build_config

D = Decimal
CENT = D("0.01")
REFERENCES = Path(__file__).resolve().parents[2] / "examples" / "references"


def run_reference(name: str) -> BacktestResult:
    config = build_config({}, (), REFERENCES / name)
    return BacktestService().run(config)


def test_backtrader_sma_crossover_final_value_cash_and_every_fill_price() -> None:
    """mementum/backtrader tests/test_strategy_unoptimized.py, stocklike variant."""
    result = run_reference("backtrader_sma_cross.toml")
    assert result.final_equity.quantize(CENT) == D("10284.10")
    assert result.final_cash.quantize(CENT) == D("6164.16")
    buys = [f.price for f in result.fills if f.side is Side.BUY]
    sells = [f.price for f in result.fills if f.side is Side.SELL]
    assert buys == [
        D(p)
        for p in [
            "3643.35",
            "3801.03",
            "3872.37",
            "3863.57",
            "3845.32",
            "3656.43",
            "3542.65",
            "3639.65",
            "3799.86",
            "3840.20",
            "4047.63",
            "4052.55",
        ]
    ]
    assert sells == [
        D(p)
        for p in [
            "3763.95",
            "3811.85",
            "3822.35",
            "3822.57",
            "3829.82",
            "3598.58",
            "3545.92",
            "3766.80",
            "3782.15",
            "3979.73",
            "4045.05",
        ]
    ]
    assert all(f.quantity == 1 and f.fee == 0 for f in result.fills)


def test_backtesting_py_readme_example_on_goog() -> None:
    """backtesting 0.6.6 README SmaCross(10, 20), cash 10,000, commission 0.2%, exclusive."""
    result = run_reference("backtesting_py_goog.toml")
    assert len(result.trades) == 93
    assert result.final_equity.quantize(CENT) == D("56263.52")
    # backtesting.py counts the commissions of closed trades (the open long's entry fee is not)
    assert sum((t.fees for t in result.trades), D(0)).quantize(CENT) == D("10563.95")
    assert round(result.stats.total_return_pct, 2) == 462.64
    assert round(result.stats.max_drawdown_pct, 2) == -33.93
    wins = sum(1 for t in result.trades if t.pnl > 0)
    assert round(100 * wins / 93, 2) == 52.69
    [open_fill] = [f for f in result.fills if f.ts == result.fills[-1].ts][-1:]
    assert (open_fill.side, open_fill.quantity, open_fill.price) == (Side.BUY, D(69), D("702.24"))


def test_backtesting_py_goog_trades_match_the_library_trade_by_trade() -> None:
    backtesting = pytest.importorskip("backtesting", reason="pip install backtesting==0.6.6")
    from backtesting.lib import crossover
    from backtesting.test import GOOG, SMA

    class SmaCross(backtesting.Strategy):  # type: ignore[misc, name-defined]
        def init(self) -> None:
            self.fast = self.I(SMA, self.data.Close, 10)
            self.slow = self.I(SMA, self.data.Close, 20)

        def next(self) -> None:
            if crossover(self.fast, self.slow):
                self.buy()
            elif crossover(self.slow, self.fast):
                self.sell()

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        stats = backtesting.Backtest(
            GOOG, SmaCross, cash=10_000, commission=0.002, exclusive_orders=True
        ).run()
    theirs = stats._trades
    ours = run_reference("backtesting_py_goog.toml")
    assert len(ours.trades) == len(theirs)
    for mine, row in zip(ours.trades, theirs.itertuples(), strict=True):
        size = int(mine.quantity) if mine.side is Side.BUY else -int(mine.quantity)
        assert size == row.Size
        assert float(mine.entry_price) == row.EntryPrice
        assert float(mine.exit_price) == row.ExitPrice
        assert mine.ts_entry.date() == row.EntryTime.date()
        assert float(mine.pnl) == pytest.approx(row.PnL, abs=1e-6)
    assert float(ours.final_equity) == pytest.approx(stats["Equity Final [$]"], abs=1e-6)


@pytest.mark.parametrize("name", ["backtrader_sma_cross.toml", "backtesting_py_goog.toml"])
def test_reference_run_files_work_from_the_command_line(name: str) -> None:
    outcome = CliRunner().invoke(app, ["backtest", "--config", str(REFERENCES / name), "--json"])
    assert outcome.exit_code == 0, outcome.output
    document = json.loads(outcome.stdout)
    expected = {"backtrader_sma_cross.toml": "10284.10", "backtesting_py_goog.toml": "56263.52"}
    assert D(document["final_equity"]).quantize(CENT) == D(expected[name])


def test_lean_basic_template_algorithm_on_spy_minutes_to_the_cent() -> None:
    """QuantConnect Lean's BasicTemplateAlgorithm (MANIFEST section A): End Equity 101691.92,
    Total Fees 3.44, one order; reproduced with quotes, the regular session, split-dividend
    adjustment and target-percent sizing, each an ordinary option of the run file."""
    result = run_reference("lean_basic_template.toml")
    (fill,) = result.fills
    assert (fill.side, fill.quantity) == (Side.BUY, D(688))
    # the 09:30-09:31 New York bar of 2013-10-07 (13:30Z), filled at its close: the ask, 167.45
    # raw, times SPY's factor 0.8646266 (Lean keeps every digit of the adjusted price)
    assert fill.ts.isoformat() == "2013-10-07T13:31:00+00:00"
    assert fill.price == D("167.45") * D("0.8646266") == D("144.781724170")
    assert fill.fee == D("3.44")  # 688 x 0.005, above the 1.00 minimum
    assert len(result.orders) == 1
    # held to the end and marked at the last regular-session trade, 170.30 raw (15:59 bar)
    last_mark = D("170.30") * D("0.8646266")
    assert result.final_cash == D(100000) - 688 * fill.price - fill.fee
    assert result.final_equity == result.final_cash + 688 * last_mark
    assert result.final_equity.quantize(CENT) == D("101691.92")
    net_profit = (result.final_equity / D(100000) - 1) * 100
    assert net_profit.quantize(D("0.001")) == D("1.692")
    assert result.adjust == "split-dividend"
