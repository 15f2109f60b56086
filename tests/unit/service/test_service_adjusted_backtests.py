"""Backtests on adjusted prices (``--adjust``): fills, fees and marks on the bundled Lean data
computed by hand from the raw CSV rows and the factor file's rows, to the last digit."""

from __future__ import annotations

import csv
import threading
from datetime import date
from decimal import Decimal, getcontext, localcontext
from pathlib import Path

import pytest

from paperdesk import MONEY_PRECISION
from paperdesk.analysis.strategies.registry import create_strategy
from paperdesk.config import (
    Adjustment,
    ExecutionConfig,
    RiskConfig,
    RunConfig,
    SizingConfig,
    SourceConfig,
)
from paperdesk.data import instrument_for
from paperdesk.data.corporate_actions import ledger_actions_for
from paperdesk.domain import Side
from paperdesk.domain.errors import OptionError
from paperdesk.engine.backtest import simulate
from paperdesk.service.backtests import load_run_bars, run_backtest

BUNDLED = Path(__file__).resolve().parents[3] / "src" / "paperdesk" / "data" / "bundled"
D = Decimal
QUANTITY = D(300)
BPS = D("0.0005")  # the default 5 bps of slippage
# aapl.csv rows in force: 20140606,0.9011818,0.03571430,645.57 (up to the 7:1 split of
# 2014-06-09) and 20140806,0.9011818,0.25,94.97 (from the split to 2014-08-06)
BEFORE_SPLIT = D("0.9011818") * D("0.03571430")
AFTER_SPLIT = D("0.9011818") * D("0.25")


def raw_row(name: str, day: str) -> dict[str, str]:
    """One row of a bundled Lean file, as text (the raw prices Lean ships)."""
    with (BUNDLED / name).open(newline="") as handle:
        for row in csv.DictReader(handle):
            if row["timestamp"].startswith(day):
                return row
    raise AssertionError(f"no {day} row in {name}")


def across_the_aapl_split(adjust: Adjustment | None = None) -> RunConfig:
    """Bundled AAPL daily around the 7:1 split of 2014-06-09: buy-and-hold signals at the
    2014-06-05 close, buys at the 06-06 open (the last raw day before the split) and leaves
    after two bars, selling at the 06-11 open."""
    return RunConfig(
        strategy="buy-and-hold",
        symbol="AAPL",
        start=date(2014, 6, 5),
        end=date(2014, 6, 11),
        sizing=SizingConfig(method="fixed", quantity=QUANTITY),
        risk=RiskConfig(max_holding_bars=2),
        execution=ExecutionConfig(commission="per-share:0.005:min=1"),
        source=SourceConfig(adjust=adjust),
    )


def test_fills_across_the_7_for_1_split_are_the_raw_price_times_the_factor_exactly() -> None:
    result = run_backtest(across_the_aapl_split())  # the default for a US equity
    buy, sell = result.fills

    raw_buy = D(raw_row("lean_AAPL_1d.csv", "2014-06-06")["open"])  # 650.0
    raw_sell = D(raw_row("lean_AAPL_1d.csv", "2014-06-11")["open"])  # 94.13
    assert (buy.side, buy.ts.date(), sell.side, sell.ts.date()) == (
        Side.BUY,
        date(2014, 6, 6),
        Side.SELL,
        date(2014, 6, 11),
    )
    # no rounding to the raw cent grid: the adjusted series is not on it
    assert buy.price == raw_buy * BEFORE_SPLIT * (1 + BPS)
    assert sell.price == raw_sell * AFTER_SPLIT * (1 - BPS)
    assert buy.price == D("20.9307603039079155")  # 650.0 x 0.9011818 x 0.0357143 x 1.0005
    assert sell.price == D("21.19645717814575")
    # fees on the adjusted quantity: 300 shares x $0.005 = 1.50 each way (above the $1 minimum)
    assert buy.fee == sell.fee == D("1.5")
    expected_cash = D(10000) - QUANTITY * buy.price - buy.fee + QUANTITY * sell.price - sell.fee
    assert result.final_cash == result.final_equity == expected_cash
    assert result.final_cash == D("10076.70906227135035")  # a gain, not a split-sized loss
    (trade,) = result.trades
    assert trade.pnl == QUANTITY * (sell.price - buy.price) - 2 * D("1.5")
    assert result.adjust == "split-dividend"
    assert result.prices == (
        "adjusted for splits and dividends (Lean factor file aapl.csv, bundled); "
        "--adjust raw for raw prices"
    )


def test_raw_prices_fill_on_the_cent_grid_and_the_ledger_books_the_split() -> None:
    result = run_backtest(across_the_aapl_split(Adjustment.RAW))
    buy, sell = result.fills
    assert buy.price == D("650.33")  # 650.0 x 1.0005 = 650.325, rounded up to the cent
    assert sell.price == D("94.08")  # 94.13 x 0.9995 = 94.082935, rounded down
    assert buy.quantity < QUANTITY  # 300 raw shares cost more than the cash
    assert sell.quantity == 7 * buy.quantity  # the 7:1 split of 2014-06-09 booked in between
    paid, received = buy.quantity * buy.price + buy.fee, sell.quantity * sell.price - sell.fee
    assert result.final_cash == D(10000) - paid + received
    assert result.final_cash > D(9900)  # the split is not a loss of most of the money
    assert result.adjust == "raw"


def test_split_only_scales_by_the_split_factor() -> None:
    result = run_backtest(across_the_aapl_split(Adjustment.SPLIT))
    buy, sell = result.fills
    assert buy.price == D("650.0") * D("0.03571430") * (1 + BPS)
    assert sell.price == D("94.13") * D("0.25") * (1 - BPS)
    assert result.prices.startswith("adjusted for splits (Lean factor file aapl.csv")


def test_a_spy_fill_is_leans_adjusted_price_at_full_precision() -> None:
    """MANIFEST section A: Lean fills SPY at 167.45 raw x 0.8646266 = 144.781724170."""
    config = RunConfig(
        strategy="buy-and-hold",
        symbol="SPY",
        start=date(2013, 10, 7),
        end=date(2013, 10, 11),
        execution=ExecutionConfig(slippage_bps=D(0), commission="per-share:0.005:min=1"),
    )
    result = run_backtest(config)
    (buy,) = result.fills
    assert raw_row("lean_SPY_1d.csv", "2013-10-08")["open"] == "167.45"
    assert buy.price == D("144.781724170")
    assert buy.fee == max(D(1), buy.quantity * D("0.005"))
    last_close = D(raw_row("lean_SPY_1d.csv", "2013-10-11")["close"]) * D("0.8646266")
    assert result.last_close == last_close
    assert result.final_equity == result.final_cash + buy.quantity * last_close


def test_adjust_raw_reproduces_the_unadjusted_engine_run() -> None:
    config = RunConfig(
        strategy="macd-cross",
        symbol="SPY",
        start=date(2018, 1, 1),
        end=date(2019, 12, 31),
        execution=ExecutionConfig(commission="per-share:0.005:min=1"),
        source=SourceConfig(adjust="raw"),
    )
    spy = instrument_for("SPY")  # raw prices: the ledger books SPY's dividends
    today = simulate(
        load_run_bars(config), create_strategy("macd-cross", {}), config, spy,
        corporate_actions=ledger_actions_for(spy),
    )  # fmt: skip
    result = run_backtest(config)
    assert len(result.fills) >= 4
    assert result.fills == today.fills
    assert result.final_equity == today.final_equity


def test_a_data_file_of_a_symbol_without_a_factor_file_stays_raw() -> None:
    config = RunConfig(strategy="sma-cross", data=BUNDLED / "btpy_GOOG_1d.csv")
    result = run_backtest(config)
    assert result.adjust == "raw"
    assert result.prices == "raw (not adjusted for splits or dividends)"
    assert all(fill.price == fill.price.quantize(D("0.01")) for fill in result.fills)


def test_an_adjustment_without_a_factor_file_is_refused_naming_the_fix() -> None:
    config = RunConfig(
        strategy="sma-cross", data=BUNDLED / "btpy_GOOG_1d.csv", source=SourceConfig(adjust="split")
    )
    with pytest.raises(OptionError, match=r"--adjust split: no factor file is bundled for GOOG; "):
        run_backtest(config)


def test_a_given_factor_file_replaces_the_bundled_one(tmp_path: Path) -> None:
    # the 7:1 split only (no dividends): the rows of aapl.csv's split factors
    path = tmp_path / "aapl_splits.csv"
    path.write_text("20140606,1,0.142857,645.57\n20501231,1,1,0\n")
    config = across_the_aapl_split().with_changes(
        source=SourceConfig(adjust="split-dividend", factor_file=path)
    )
    buy, sell = run_backtest(config).fills
    assert buy.price == D("650.0") * D("0.142857") * (1 + BPS)
    assert sell.price == D("94.13") * (1 - BPS)


def test_a_long_adjusted_run_with_fees_and_slippage_keeps_its_cash_exact() -> None:
    """Bundled AAPL (prices up to 17 decimals) with 1 bp of slippage and a 0.1 % fee: the cash
    needs more than Python's default 28 significant digits, where the ledger rounded and its
    books stopped balancing (the run ended in an AssertionError); the cash is now the exact sum
    of the fills' flows."""
    config = RunConfig(
        strategy="tsi-momentum",
        symbol="AAPL",
        execution=ExecutionConfig(slippage_bps=D(1), commission="percent:0.1"),
    )
    result = run_backtest(config)
    with localcontext(prec=200):  # the check's own sums cannot round
        flows = sum(
            (
                (-1 if fill.side is Side.BUY else 1) * fill.quantity * fill.price - fill.fee
                for fill in result.fills
            ),
            config.cash,
        )
    assert len(result.fills) > 100
    assert len(result.final_cash.as_tuple().digits) > 28  # beyond the default context
    assert result.final_cash == flows


def test_threads_compute_money_with_the_platforms_precision() -> None:
    seen: list[int] = []
    worker = threading.Thread(target=lambda: seen.append(getcontext().prec))
    worker.start()
    worker.join()
    assert getcontext().prec >= MONEY_PRECISION
    assert seen[0] >= MONEY_PRECISION
