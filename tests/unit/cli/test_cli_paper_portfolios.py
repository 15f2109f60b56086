"""create-portfolio, portfolio list|show|archive, the record listings and db upgrade|status."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from paper_cli_helpers import create_replay, fails, invoke, json_of, ledger_state, ok, run_ticks

SPY_CSV = Path(__file__).parents[3] / "src/paperdesk/data/bundled/lean_SPY_1d.csv"


@pytest.fixture(autouse=True)
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("PAPERDESK_HOME", str(tmp_path))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    return tmp_path


def test_the_seed_command_prints_the_new_id(home: Path) -> None:
    result = ok("create-portfolio", "My RSI Bot", "10000")
    assert result.stdout == "1\n"
    assert "My RSI Bot" in result.stderr
    assert (home / "paperdesk.db").exists()
    assert ok("create-portfolio", "Second", "500").stdout == "2\n"


def test_create_with_options_and_json() -> None:
    document = json_of(
        "create-portfolio",
        "Multi",
        "25000.50",
        "--currency",
        "usd",  # the books' currency must be the symbols' (a EUR book of SPY is refused below)
        "--strategy",
        "sma-cross",
        "--strategy",
        "rsi-divergence",
        "--param",
        "sma-cross.fast=5",
        "--param",
        "rsi-divergence.period=10",
        "--symbol",
        "spy",
        "--timeframe",
        "1d",
        "--data",
        f"AAPL={SPY_CSV}",
        "--exposure-cap",
        "50",
        "--max-position-pct",
        "25",
        "--max-open-positions",
        "2",
        "--sizer",
        "fixed",
        "--quantity",
        "3",
        "--commission",
        "percent:0.1",
        "--slippage-bps",
        "2",
        "--allow-short",
    )
    assert document["id"] == 1
    portfolio, settings = document["portfolio"], document["settings"]
    assert portfolio["starting_cash"] == "25000.50"
    assert portfolio["base_currency"] == "USD"
    assert settings["strategies"] == [
        {"name": "sma-cross", "params": {"fast": 5}},
        {"name": "rsi-divergence", "params": {"period": 10}},
    ]
    assert settings["symbols"] == ["SPY", "AAPL"]
    assert settings["source"]["files"] == {"AAPL": str(SPY_CSV.resolve())}
    assert settings["risk"]["exposure_cap_percent"] == "50"
    assert settings["risk"]["max_position_percent"] == "25"
    assert settings["risk"]["max_open_positions"] == 2
    assert settings["risk"]["allow_short"] is True
    assert settings["sizing"]["method"] == "fixed"
    assert settings["execution"]["commission"] == "percent:0.1"
    assert document["positions"] == []
    assert document["open_orders"] == []


def test_a_book_in_another_currency_than_its_symbols_is_refused() -> None:
    error = fails("create-portfolio", "Euro desk", "25000", "--currency", "eur", "--symbol", "spy")
    assert "'SPY' is quoted in USD but the portfolio keeps its books in EUR" in error
    assert "give the portfolio --currency USD" in error


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["Bot", "0"], "CASH"),
        (["Bot", "--", "-5"], "CASH"),
        (["Bot", "lots"], "CASH"),
        (["Bot", "NaN"], "CASH"),
        (["", "100"], "name"),
        (["Bot", "100", "--currency", "dollars"], "currency"),
        (["Bot", "100", "--strategy", "nope"], "nope"),
        (["Bot", "100", "--symbol", "NOPE"], "NOPE"),
        (["Bot", "100", "--source", "feed"], "--source"),
        (["Bot", "100", "--replay-from", "2020-01-01"], "--replay-from"),
        (["Bot", "100", "--source", "replay", "--replay-from", "yesterday"], "--replay-from"),
        (["Bot", "100", "--timeframe", "7x"], "--timeframe"),
        (["Bot", "100", "--data", "SPY"], "--data"),
        (["Bot", "100", "--data", "SPY=/no/such.csv"], "not found"),
        (["Bot", "100", "-s", "sma-cross", "-s", "macd-cross", "-p", "fast=3"], "strategy.key"),
        (["Bot", "100", "-p", "other.fast=3"], "other"),
        (["Bot", "100", "--exposure-cap", "-1"], "--exposure-cap"),
        (["Bot", "100", "--sizer", "all-in"], "--sizer"),
    ],
)
def test_bad_create_options_give_one_line_and_create_nothing(args: list[str], message: str) -> None:
    line = fails("create-portfolio", *args)
    assert message in line
    assert ledger_state() == {}


def test_portfolio_list_show_and_archive() -> None:
    ok("create-portfolio", "Alpha", "10000")
    ok("create-portfolio", "Beta", "2000")
    listing = ok("portfolio", "list").stdout
    assert "Alpha" in listing
    assert "Beta" in listing
    document = json_of("portfolio", "list")
    assert [p["name"] for p in document["portfolios"]] == ["Alpha", "Beta"]
    assert document["portfolios"][0]["cash"] == "10000"
    assert document["portfolios"][0]["created_at"].endswith("+00:00")

    shown = ok("portfolio", "show", "2").stdout
    assert "Beta" in shown
    assert "2,000" in shown
    assert "No positions." in shown
    detail = json_of("portfolio", "show", "2")
    assert set(detail) == {"portfolio", "settings", "positions", "open_orders"}
    assert detail["portfolio"]["equity"] == "2000"

    assert "archived portfolio 2" in ok("portfolio", "archive", "2").stdout
    assert [p["name"] for p in json_of("portfolio", "list")["portfolios"]] == ["Alpha"]
    everything = json_of("portfolio", "list", "--all")["portfolios"]
    assert [p["status"] for p in everything] == ["active", "archived"]
    before = ledger_state()
    assert "already archived" in fails("portfolio", "archive", "2")
    assert ledger_state() == before


def test_an_empty_list_says_how_to_start() -> None:
    assert "create-portfolio" in ok("portfolio", "list").stdout
    assert json_of("portfolio", "list") == {"portfolios": []}


@pytest.mark.parametrize(
    "command",
    [
        ["portfolio", "show"],
        ["portfolio", "archive"],
        ["orders"],
        ["fills"],
        ["trades"],
        ["signals"],
        ["audit"],
        ["mark"],
        ["export", "", "--to", "out"],
    ],
)
def test_an_unknown_portfolio_id_is_one_line(command: list[str]) -> None:
    ok("create-portfolio", "Alpha", "10000")
    before = ledger_state()
    at = command.index("") if "" in command else len(command)
    assert "no portfolio with id 7" in fails(*command[:at], "7", *command[at + 1 :])
    assert ledger_state() == before


def test_a_non_numeric_id_is_a_usage_error() -> None:
    assert "PORTFOLIO_ID" in fails("portfolio", "show", "abc", code=2)


def test_record_listings_with_limit_and_json() -> None:
    pid = create_replay()
    run_ticks(pid, 12)
    orders = json_of("orders", str(pid))["orders"]
    fills = json_of("fills", str(pid))["fills"]
    trades = json_of("trades", str(pid))["trades"]
    signals = json_of("signals", str(pid))["signals"]
    audit = json_of("audit", str(pid))["audit"]
    assert orders
    assert fills
    assert trades
    assert signals
    assert audit
    assert {"order_id", "status", "quantity", "submitted_at"} <= set(orders[0])
    assert {"price", "fee", "filled_at"} <= set(fills[0])
    assert {"entry_price", "exit_price", "pnl", "exit_reason"} <= set(trades[0])
    assert {"strategy", "direction", "status", "rejection"} <= set(signals[0])
    assert {"kind", "message", "at", "recorded_at"} <= set(audit[0])
    assert all(isinstance(f["price"], str) for f in fills)
    last_two = json_of("audit", str(pid), "--limit", "2")["audit"]
    assert last_two == audit[-2:]
    for command in ("orders", "fills", "trades", "signals", "audit"):
        assert ok(command, str(pid)).stdout.strip()
    assert "--limit" in fails("orders", str(pid), "--limit", "0", code=2)


def test_listings_of_a_fresh_portfolio_say_they_are_empty() -> None:
    ok("create-portfolio", "Alpha", "10000")
    assert "No orders" in ok("orders", "1").stdout
    assert json_of("fills", "1") == {"portfolio_id": 1, "fills": []}


def test_db_status_and_upgrade(home: Path) -> None:
    status = json_of("db", "status")
    assert status["current"] is None
    assert status["head"]
    assert not status["up_to_date"]
    assert str(home) in status["database"]
    upgraded = ok("db", "upgrade").stdout
    assert "upgraded from (empty database) to" in upgraded
    assert json_of("db", "upgrade") == {
        "database": status["database"],
        "before": status["head"],
        "after": status["head"],
        "changed": False,
    }
    assert "up to date" in ok("db", "status").stdout


def test_db_upgrade_hides_the_password(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgresql://user:s3cret@127.0.0.1:1/none")
    line = fails("db", "status")
    assert "cannot use the database postgresql+psycopg://user:***@127.0.0.1:1/none" in line
    assert "s3cret" not in line
    assert "s3cret" not in fails("portfolio", "list")


def test_no_traceback_for_an_unusable_database_url(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "mysql://localhost/x")
    assert "sqlite or postgresql" in fails("portfolio", "list")


def test_help_lists_the_paper_commands() -> None:
    text = invoke("--help").stdout
    for name in ("create-portfolio", "trade", "portfolio", "order", "run", "export", "import"):
        assert name in text


def test_portfolio_performance_table_and_json() -> None:
    portfolio_id = create_replay("perf")
    run_ticks(portfolio_id, 40)
    document = json_of("portfolio", "performance", str(portfolio_id))
    equity = Decimal(document["portfolio"]["equity"])  # money statistics: decimal strings
    assert document["stats"]["final_equity"] == str(equity.quantize(Decimal("0.01")))
    assert document["stats"]["start_equity"] == "10000.00"  # as the API and the report say
    assert document["stats"]["start"].startswith("2020-01-02")
    table = ok("portfolio", "performance", str(portfolio_id)).stdout
    assert "Max drawdown" in table
    assert "Sharpe" in table
    message = fails("portfolio", "performance", "999")
    assert "no portfolio with id 999" in message


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["create-portfolio", "Big", "1e200000"], "below 1e15"),
        (["create-portfolio", "Tiny", "1e-30"], "at most 12 decimals"),
        (["run", "1", "--every", "99999999999d"], "longer than the longest"),
        (["data", "check", "SPY", "--timeframe", "1d", "--from", "2020-03-01", "--to",
          "2020-01-01"], "is after"),
    ],
)  # fmt: skip
def test_out_of_range_values_are_one_clear_error(args: list[str], message: str) -> None:
    create_replay("existing")
    before = ledger_state()
    assert message in fails(*args)
    assert ledger_state() == before
