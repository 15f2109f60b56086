"""``--adjust`` and ``--factor-file`` at the doors: the backtest says which prices it used, run
files and portfolios keep the option, and every bad value is one clear line that changes
nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
from paper_cli_helpers import fails, invoke, json_of, ledger_state

BUNDLED = Path(__file__).resolve().parents[3] / "src" / "paperdesk" / "data" / "bundled"
GOOG = str(BUNDLED / "btpy_GOOG_1d.csv")
SPY_2019 = ("backtest", "-s", "sma-cross", "--symbol", "SPY", "--from", "2019-01-01",
            "--to", "2019-12-31")  # fmt: skip
SPY_NOTE = (
    "adjusted for splits and dividends (Lean factor file spy.csv, bundled); "
    "--adjust raw for raw prices"
)


@pytest.fixture(autouse=True)
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("PAPERDESK_HOME", str(tmp_path))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    return tmp_path


def test_a_bundled_spy_backtest_is_adjusted_by_default_and_says_so() -> None:
    document = json_of(*SPY_2019)
    assert (document["adjust"], document["prices"]) == ("split-dividend", SPY_NOTE)
    text = invoke(*SPY_2019).stdout
    assert "Prices: adjusted for splits and dividends (Lean factor file spy.csv," in text
    assert "--adjust raw for raw prices" in text


def test_adjust_raw_gives_raw_prices_and_other_numbers() -> None:
    adjusted = json_of(*SPY_2019)
    raw = json_of(*SPY_2019, "--adjust", "raw")
    assert raw["adjust"] == "raw"
    assert raw["prices"] == "raw (not adjusted for splits or dividends)"
    entry = raw["trades"][0]["entry_price"]
    assert entry == f"{float(entry):.2f}"  # on the cent grid
    assert adjusted["trades"][0]["entry_price"] != entry


def test_a_run_file_takes_adjust_and_a_factor_file_beside_it(tmp_path: Path) -> None:
    (tmp_path / "spy_splits_only.csv").write_text("20501231,1,1,0\n")
    run_file = tmp_path / "run.toml"
    run_file.write_text(
        'strategy = "sma-cross"\nsymbol = "SPY"\nfrom = "2019-01-01"\nto = "2019-12-31"\n'
        'adjust = "split"\nfactor_file = "spy_splits_only.csv"\nslippage_bps = 0\n'
    )
    document = json_of("backtest", "--config", str(run_file))
    assert document["adjust"] == "split"
    assert document["prices"] == (
        "adjusted for splits (Lean factor file spy_splits_only.csv); --adjust raw for raw prices"
    )
    # factors of 1 and no slippage to round: the same run as on the raw prices of a --data file
    # (which books no dividends: its prices may be adjusted already)
    raw = json_of(
        "backtest", "-s", "sma-cross", "--data", str(BUNDLED / "lean_SPY_1d.csv"),
        "--symbol", "SPY", "--from", "2019-01-01", "--to", "2019-12-31", "--slippage-bps", "0",
    )  # fmt: skip
    assert raw["adjust"] == "raw"
    assert document["final_equity"] == raw["final_equity"]


def test_a_portfolio_trades_raw_prices_unless_told_and_stores_the_choice() -> None:
    raw = json_of("create-portfolio", "raw", "10000", "--symbol", "SPY")["id"]
    adjusted = json_of(
        "create-portfolio", "adj", "10000", "--symbol", "AAPL", "--adjust", "split-dividend"
    )["id"]
    assert json_of("portfolio", "show", str(raw))["settings"]["source"]["adjust"] == "raw"
    stored = json_of("portfolio", "show", str(adjusted))["settings"]["source"]
    assert (stored["adjust"], stored["factor_file"]) == ("split-dividend", None)


def bad_factor_file(tmp_path: Path) -> str:
    path = tmp_path / "aapl.csv"
    path.write_text("20140606,0.9011818,0.03571430,645.57\n20140806;0.9011818;0.25\n")
    return str(path)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--symbol", "SPY", "--adjust", "splits"],
         "invalid value for --adjust: 'splits' (expected raw or split or split-dividend)"),
        (["--data", GOOG, "--adjust", "split"],
         "--adjust split: no factor file is bundled for GOOG; give its Lean factor file with "
         "--factor-file FILE, or use --adjust raw"),
        (["--symbol", "AAPL", "--adjust", "split", "--factor-file", "{bad}"],
         "--factor-file {bad}: aapl.csv line 2: not a factor row: '20140806;0.9011818;0.25'"),
        (["--symbol", "AAPL", "--factor-file", "{absent}"],
         "--factor-file: file not found: {absent}"),
        (["--symbol", "SPY", "--adjust", "raw", "--factor-file", "{bad}"],
         "--factor-file {bad} is used only for adjusted prices, and this run trades raw ones"),
        (["--symbol", "EURUSD", "--timeframe", "1h", "--adjust", "split"],
         "--adjust split applies to equities; EURUSD is forex (use --adjust raw)"),
    ],
)  # fmt: skip
def test_a_bad_adjustment_is_one_clear_line(tmp_path: Path, args: list[str], message: str) -> None:
    names = {"bad": bad_factor_file(tmp_path), "absent": str(tmp_path / "absent.csv")}
    filled = [argument.format(**names) for argument in args]
    error = fails("backtest", "-s", "sma-cross", *filled)
    assert message.format(**names) in error


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--symbol", "GOOG", "--adjust", "split-dividend"],
         "--adjust split-dividend: no factor file is bundled for GOOG"),
        (["--symbol", "AAPL", "--adjust", "split", "--factor-file", "{bad}"],
         "aapl.csv line 2: not a factor row"),
        (["--symbol", "AAPL", "--factor-file", "{bad}"],  # a portfolio's default is raw
         "is used only for adjusted prices, and this run trades raw ones"),
        (["--symbol", "AAPL", "--symbol", "SPY", "--adjust", "split", "--factor-file", "{bad}"],
         "is the factor file of one symbol; this run trades AAPL, SPY"),
        (["--symbol", "SPY", "--adjust", "dividends"],
         "invalid value for --adjust: 'dividends' (expected raw or split or split-dividend)"),
        # no watch list: the factor file is still read before anything is stored
        (["--adjust", "split", "--factor-file", "{bad}"], "aapl.csv line 2: not a factor row"),
        (["--adjust", "split", "--factor-file", "{absent}"], "--factor-file: file not found"),
    ],
)  # fmt: skip
def test_a_bad_adjustment_creates_no_portfolio(
    tmp_path: Path, args: list[str], message: str
) -> None:
    json_of("create-portfolio", "first", "10000", "--symbol", "SPY")
    before = ledger_state()
    absent = str(tmp_path / "absent.csv")
    filled = [argument.format(bad=bad_factor_file(tmp_path), absent=absent) for argument in args]
    assert message in fails("create-portfolio", "X", "10000", *filled)
    assert ledger_state() == before


def test_a_portfolio_changes_its_prices_only_while_it_holds_nothing() -> None:
    pid = str(json_of("create-portfolio", "X", "10000", "--symbol", "SPY")["id"])
    changed = json_of("portfolio", "edit", pid, "--adjust", "split-dividend")["changes"]
    assert list(changed) == ["source.adjust"]
    assert json_of("portfolio", "show", pid)["settings"]["source"]["adjust"] == "split-dividend"
    json_of("order", "place", pid, "SPY", "buy", "1", "--type", "limit", "--limit-price", "1")
    before = ledger_state()
    error = fails("portfolio", "edit", pid, "--adjust", "raw")
    assert f"invalid value for --adjust: 'raw': portfolio {pid} still has positions or open " in (
        error
    )
    assert ledger_state() == before
