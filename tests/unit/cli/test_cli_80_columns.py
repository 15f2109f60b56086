"""Every command that prints a table or amounts, at 80 columns, on a small seeded ledger: no
id or amount is dropped or cut, no line is wider than the terminal; money is printed exactly by
the money rule (``currencies.money_text``: at least its currency's decimals and every further one
it has) and prices to their instrument's tick."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result
from typer.testing import CliRunner

from paperdesk.cli import app
from paperdesk.domain.currencies import money_text

runner = CliRunner()
NARROW = {"COLUMNS": "80"}
LONG_NAME = "A rather long portfolio name that has to wrap"
NUMBER = re.compile(r"(?<![\w.:/-])-?\d[\d,]*\.(\d+)(?![\w.:])")
CUT = ("…", "...")


def cents(text: str, places: int = 2) -> str:
    """The expected display of a price on a tick of ``places`` decimals (an independent
    half-up rounding)."""
    rounded = Decimal(text).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    return f"{rounded:,.{places}f}"


def money(text: str, currency: str = "USD") -> str:
    """The expected display of an amount: exact, grouped, at least the currency's decimals."""
    return money_text(Decimal(text), currency)


@pytest.fixture(scope="module")
def ledger(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Portfolio 1 trades SPY with a 0.1% commission (fees of many decimals) for 45 replayed
    bars: one closed round trip, flat, one open order. Portfolio 2 is in JPY."""
    home = tmp_path_factory.mktemp("home")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PAPERDESK_HOME", str(home))
        patch.delenv("DATABASE_URL", raising=False)
        patch.delenv("REDIS_URL", raising=False)
        setup = (
            ["create-portfolio", LONG_NAME, "10000", "--symbol", "SPY", "--source", "replay",
             "--replay-from", "2020-01-02", "--strategy", "sma-cross", "--param",
             "sma-cross.fast=3", "--param", "sma-cross.slow=8", "--commission", "percent:0.1"],
            ["run", "--portfolio", "1", "--every", "0.001s", "--max-ticks", "45"],
            ["create-portfolio", "Yen", "1000000", "--currency", "JPY"],
        )  # fmt: skip
        for arguments in setup:
            result = runner.invoke(app, arguments)
            assert result.exit_code == 0, (result.stdout, result.stderr)
        yield home


def run(*arguments: str, columns: dict[str, str] = NARROW) -> Result:
    result = runner.invoke(app, list(arguments), env=columns)
    assert result.exit_code == 0, (result.stdout, result.stderr)
    assert "Traceback" not in result.output
    return result


def document(*arguments: str) -> Any:
    return json.loads(run(*arguments, "--json").stdout)


def assert_fits(
    out: str, *expected: str, decimals: int | None = None, width: int | None = 80
) -> None:
    """Every line within ``width`` cells, nothing cut short, every expected string shown
    whole, and (unless ``decimals`` is None) no number with more than ``decimals`` decimals."""
    for line in out.splitlines():
        assert width is None or len(line.rstrip()) <= width, line
    for mark in CUT:
        assert mark not in out, out
    for text in expected:
        assert text in out, (text, out)
    if decimals is not None:
        too_precise = [m.group(0) for m in NUMBER.finditer(out) if len(m.group(1)) > decimals]
        assert not too_precise, (too_precise, out)


def test_portfolio_list(ledger: Path) -> None:
    portfolios = document("portfolio", "list")["portfolios"]
    out = run("portfolio", "list").stdout
    usd, yen = portfolios
    assert_fits(
        out,
        *(f" {p['id']} " for p in portfolios),
        money(usd["equity"]),
        money(usd["fees_paid"]),
        money(usd["realized_pnl_net"]),
        money(yen["equity"], "JPY"),  # JPY has no minor unit
    )
    assert money(yen["equity"], "JPY") + ".00" not in out
    assert "not shown: Status, Cash" in out  # dropped deliberately, and said so
    wide = run("portfolio", "list", "--wide").stdout
    assert LONG_NAME in wide
    assert money(usd["cash"]) in wide
    assert "not shown" not in wide


def test_portfolio_show_and_performance(ledger: Path) -> None:
    portfolio = document("portfolio", "show", "1")["portfolio"]
    amounts = [
        money(portfolio[key])
        for key in ("starting_cash", "cash", "equity", "realized_pnl", "fees_paid",
                    "realized_pnl_net", "total_pnl")
    ]  # fmt: skip
    shown = run("portfolio", "show", "1").stdout
    assert_fits(shown, *amounts, "Open orders", "O3")
    performance = run("portfolio", "performance", "1").stdout
    assert_fits(performance, *amounts, "Sharpe", "Win rate")
    stats = document("portfolio", "performance", "1")["stats"]
    assert stats["average_win"] is None  # the one closed trade lost: undefined, not 0
    for value in stats.values():
        if isinstance(value, float):
            assert len(repr(value).partition(".")[2]) <= 6, stats


def test_record_listings(ledger: Path) -> None:
    trades = document("trades", "1")["trades"]
    out = run("trades", "1").stdout
    assert trades
    assert_fits(out, *(money(t[k]) for t in trades for k in ("gross_pnl", "fees", "pnl")))
    wide = run("trades", "1", "--wide").stdout
    assert_fits(wide, *(cents(t["entry_price"]) for t in trades), width=None)
    fills = document("fills", "1")["fills"]
    out = run("fills", "1").stdout
    assert_fits(out, *(f["order_id"] for f in fills), *(money(f["fee"]) for f in fills))
    orders = document("orders", "1")["orders"]
    assert_fits(run("orders", "1").stdout, *(o["order_id"] for o in orders))
    audit = document("audit", "1", "--limit", "12")["audit"]
    # audit messages and signal reasons are recorded text (exact prices and fees)
    assert_fits(
        run("audit", "1", "--limit", "12").stdout, *(str(e["id"]) for e in audit), decimals=None
    )
    assert_fits(run("signals", "1").stdout, "sma-cross", decimals=None)


def test_trade_mark_and_run_lines(ledger: Path) -> None:
    tick = document("trade", "1", "SPY", "DRY")["ticks"][0]
    out = run("trade", "1", "SPY", "DRY").stdout
    tables = "\n".join(line for line in out.splitlines() if "bar 20" not in line)  # the message
    fee = money(tick["fills"][0]["fee"])
    assert_fits(tables, "O3", fee, decimals=None)  # signal reasons are the strategy's text
    cash_line = next(line for line in out.splitlines() if line.startswith("cash "))
    assert cash_line == f"cash {money(tick['cash'])}  equity {money(tick['equity'])}"
    mark = run("mark", "1", "--json").stdout
    point = json.loads(mark)
    line = run("mark", "1").stdout
    assert money(point["cash"]) in line


def test_run_prints_cash_and_equity_exactly(ledger: Path) -> None:
    dry = document("trade", "1", "SPY", "DRY")["ticks"][0]
    out = run("run", "--portfolio", "1", "--every", "0.001s", "--max-ticks", "1").stdout
    fills_line = next(line for line in out.splitlines() if "fills" in line)
    assert f"cash {money(dry['cash'])}, equity {money(dry['equity'])}" in fills_line


def test_backtest_strategies_and_data(ledger: Path) -> None:
    backtest = ["backtest", "-s", "sma-cross", "--symbol", "SPY", "--from", "2019-01-01",
                "--to", "2019-12-31", "--commission", "percent:0.1"]  # fmt: skip
    result = document(*backtest)
    out = run(*backtest).stdout
    last = result["trades"][-1]
    assert_fits(out, money(result["final_equity"]), money(last["pnl"]), money(last["fees"]))
    assert_fits(run("strategies").stdout, "sma-cross", "macd-cross", "tsi-momentum")
    assert_fits(run("data", "list").stdout, "SPY", "EURUSD", "5,849", decimals=None)
    check = run("data", "check", "SPY", "--timeframe", "1d").stdout
    assert_fits(check, "Ends", " d ", "history")  # the bundled sample is no live feed
    assert "days," not in check  # the age reads "N d H h", not a raw timedelta
    providers = run("data", "providers").stdout
    assert_fits(providers, "PAPERDESK_TWELVEDATA_API_KEY", "PAPERDESK_POLYGON_API_KEY")


def test_forex_prices_keep_their_tick(ledger: Path) -> None:
    arguments = ["backtest", "-s", "sma-cross", "--symbol", "EURUSD", "--timeframe", "1h",
                 "--from", "2018-01-02", "--to", "2018-01-20", "--wide"]  # fmt: skip
    out = run(*arguments).stdout
    prices = re.findall(r"\b1\.\d{5}\b", out)
    assert prices, out  # entry and exit prices to the 0.00001 tick
    assert not re.search(r"\b1\.\d{6,}\b", out)
