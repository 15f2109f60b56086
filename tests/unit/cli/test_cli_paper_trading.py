"""trade DRY|LIVE, manual orders, position close, mark and run."""

from __future__ import annotations

import signal
from decimal import Decimal
from pathlib import Path

import pytest
from paper_cli_helpers import create_replay, fails, invoke, json_of, ledger_state, ok

from paperdesk.cli import run as run_module
from paperdesk.service.scheduler import Scheduler


@pytest.fixture(autouse=True)
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("PAPERDESK_HOME", str(tmp_path))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    return tmp_path


def test_the_seed_commands_dry_then_live_then_the_guard() -> None:
    ok("create-portfolio", "My RSI Bot", "10000")
    before = ledger_state()
    dry = ok("trade", "1", "SPY", "DRY").stdout
    assert "DRY RUN (nothing written)" in dry
    assert "macd-cross" in dry
    assert "cash 10,000" in dry
    assert ledger_state() == before  # DRY writes nothing
    live = ok("trade", "1", "SPY", "LIVE").stdout
    assert "DRY" not in live
    assert "SPY bar" in live
    after_live = ledger_state()
    assert after_live["1.ticks"] == 1
    again = ok("trade", "1", "SPY", "LIVE").stdout  # the same (latest closed) bar
    assert "Already processed (idempotency guard)" in again
    assert ledger_state() == after_live


def test_dry_says_it_once_in_one_wording() -> None:
    """A dry tick's line says it (``DRY RUN (nothing written): ...``) and nothing repeats it
    in other words; when no tick was processed (the bar already was), the last line says it."""
    ok("create-portfolio", "My RSI Bot", "10000")
    dry = ok("trade", "1", "SPY", "DRY").stdout
    assert dry.count("DRY RUN (nothing written)") == 1
    assert dry.upper().count("DRY") == 1
    assert dry.startswith("DRY RUN (nothing written): SPY bar ")
    ok("trade", "1", "SPY", "LIVE")
    again = ok("trade", "1", "SPY", "DRY").stdout.splitlines()
    assert again[0].startswith("Already processed (idempotency guard)")
    assert again[1:] == ["DRY RUN (nothing written)."]


def test_dry_shows_signals_decisions_and_would_be_orders_and_writes_nothing() -> None:
    pid = create_replay()
    ticks = [json_of("trade", str(pid), "SPY", "DRY")]  # a replay: DRY peeks at the next bar
    assert ticks[0]["ticks"][0]["candle_at"].startswith("2020-01-02")
    before = ledger_state()
    document = json_of("trade", str(pid), "SPY", "dry")
    assert ledger_state() == before
    tick = document["ticks"][0]
    assert document["mode"] == "DRY"
    assert tick["dry_run"] is True
    assert tick["signals"][0]["decision"] == "accepted"  # macd-cross goes long on 2020-01-02
    assert tick["orders"][0]["side"] == "buy"
    assert tick["orders"][0]["status"] == "accepted"
    text = ok("trade", str(pid), "SPY", "Dry").stdout
    assert "Orders it would place" in text
    assert "accepted" in text
    assert ledger_state() == before


def test_live_commits_once_per_candle_and_reports_fills_cash_and_equity() -> None:
    pid = create_replay()
    first = json_of("trade", str(pid), "SPY", "LIVE")["ticks"][0]
    assert first["status"] == "processed"
    assert len(first["orders"]) == 1
    second = json_of("trade", str(pid), "SPY", "live")["ticks"][0]  # next bar: the order fills
    assert second["candle_at"] > first["candle_at"]
    assert len(second["fills"]) == 1
    fill = second["fills"][0]
    spent = Decimal(fill["quantity"]) * Decimal(fill["price"]) + Decimal(fill["fee"])
    assert Decimal(second["cash"]) == Decimal(10000) - spent
    assert isinstance(second["equity"], str)
    assert len(json_of("fills", str(pid))["fills"]) == 1
    text = ok("trade", str(pid), "SPY", "LIVE").stdout
    assert "cash" in text
    assert "equity" in text


@pytest.mark.parametrize("mode", ["PAPER", "", "d", "livee"])
def test_a_bad_mode_names_the_allowed_modes(mode: str) -> None:
    pid = create_replay()
    before = ledger_state()
    line = fails("trade", str(pid), "SPY", mode, code=2)
    assert "DRY or LIVE" in line
    assert ledger_state() == before


def test_trade_bad_input_is_one_line_and_changes_nothing() -> None:
    pid = create_replay()
    ok("create-portfolio", "Closed", "100")
    ok("portfolio", "archive", "2")
    ok("create-portfolio", "Any symbol", "100")
    before = ledger_state()
    assert "no portfolio with id 99" in fails("trade", "99", "SPY", "LIVE")
    assert "does not watch QQQ" in fails("trade", str(pid), "QQQ", "LIVE")
    assert "no bundled data for 'NOPE'" in fails("trade", "3", "NOPE", "DRY")
    assert "archived" in fails("trade", "2", "SPY", "LIVE")
    assert "does not run strategy" in fails("trade", str(pid), "SPY", "DRY", "-s", "sma-cross")
    assert ledger_state() == before


def test_manual_orders_place_modify_cancel_and_close() -> None:
    # no exposure cap: the strategy's entry, still working, takes 80% of the equity, which the
    # cap counts (a person's order beside it is refused under the default 80%)
    pid = create_replay("manual", "--commission", "percent:0.1", "--exposure-cap", "none")
    ok("trade", str(pid), "SPY", "LIVE")
    placed = json_of(
        "order",
        "place",
        str(pid),
        "SPY",
        "buy",
        "2",
        "--type",
        "limit",
        "--limit-price",
        "150.25",
        "--tif",
        "gtc",
        "--stop-loss",
        "140",
        "--take-profit",
        "400",
        "--client-id",
        "mine-1",
    )["orders"]
    assert [o["role"] for o in placed] == ["entry", "stop_loss", "take_profit"]
    assert placed[0]["client_order_id"] == "mine-1"
    assert placed[0]["limit_price"] == "150.25"
    order_id = placed[0]["order_id"]
    modified = json_of(
        "order", "modify", str(pid), order_id, "--limit-price", "151", "--quantity", "3"
    )
    assert modified["orders"][0]["limit_price"] == "151"
    assert modified["orders"][0]["quantity"] == "3"
    open_ids = [o["order_id"] for o in json_of("portfolio", "show", str(pid))["open_orders"]]
    assert order_id in open_ids
    canceled = json_of("order", "cancel", str(pid), order_id)["orders"][0]
    assert canceled["status"] == "canceled"
    ok("trade", str(pid), "SPY", "LIVE")  # the strategy's entry fills: a position
    shown = json_of("portfolio", "show", str(pid))
    assert shown["positions"][0]["symbol"] == "SPY"
    assert "unrealized_pnl" in shown["positions"][0]
    closing = json_of("position", "close", str(pid), "SPY")["orders"]
    assert closing[-1]["role"] == "exit"
    before = ledger_state()  # run again, the close order standing: shown, nothing changed
    assert "Closing order already standing" in ok("position", "close", str(pid), "SPY").stdout
    assert json_of("position", "close", str(pid), "SPY")["orders"] == [closing[-1]]
    assert ledger_state() == before
    ok("trade", str(pid), "SPY", "LIVE")
    assert json_of("portfolio", "show", str(pid))["positions"] == []
    marked = json_of("mark", str(pid))
    assert marked["equity"] == marked["cash"]
    assert "equity" in ok("mark", str(pid)).stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["SPY", "buy", "0"], "QTY"),
        (["SPY", "buy", "--", "-3"], "QTY"),
        (["SPY", "buy", "-3"], "invalid value for QTY: '-3'"),
        (["SPY", "buy", "abc"], "QTY"),
        (["SPY", "hold", "1"], "SIDE"),
        (["SPY", "buy", "1", "--type", "iceberg"], "--type"),
        (["SPY", "buy", "1", "--type", "limit"], "--limit-price is required for a limit order"),
        (["SPY", "buy", "1", "--tif", "forever"], "--tif"),
        (["SPY", "buy", "1", "--limit-price", "0"], "--limit-price"),
        (["SPY", "buy", "1000"], "insufficient cash"),
        (["SPY", "sell", "1"], "holds 0"),
        (["QQQ", "buy", "1"], "does not trade QQQ"),
    ],
)
def test_bad_orders_are_refused_in_one_line(args: list[str], message: str) -> None:
    pid = create_replay()
    before = ledger_state()
    assert message in fails("order", "place", str(pid), *args)
    assert ledger_state() == before


def test_bad_order_changes_are_refused() -> None:
    pid = create_replay()
    before = ledger_state()
    assert "O42" in fails("order", "cancel", str(pid), "O42")
    assert "nothing to modify" in fails("order", "modify", str(pid), "O42", code=2)
    assert "holds no SPY position" in fails("position", "close", str(pid), "SPY")
    assert "no portfolio with id 9" in fails("order", "place", "9", "SPY", "buy", "1")
    assert ledger_state() == before


def test_run_ticks_every_watched_symbol_each_round() -> None:
    pid = create_replay()
    result = ok("run", str(pid), "--every", "0.01s", "--max-ticks", "3")
    assert result.stdout.count("SPY bar") == 3
    assert "[3]" in result.stdout
    assert "done after 3 round(s)" in result.stderr
    assert len(json_of("audit", str(pid))["audit"]) >= 4


def test_run_stops_cleanly_on_sigterm_between_ticks(monkeypatch: pytest.MonkeyPatch) -> None:
    pid = create_replay()
    real_round = Scheduler._round

    def round_then_signal(self: Scheduler) -> None:
        real_round(self)
        signal.raise_signal(signal.SIGTERM)  # delivered between ticks, handled by paperdesk

    monkeypatch.setattr(Scheduler, "_round", round_then_signal)
    previous = signal.getsignal(signal.SIGTERM)
    result = ok("run", str(pid), "--every", "1h")
    assert "SIGTERM: stopping" in result.stderr
    assert "stopped after 1 round(s)" in result.stderr
    assert signal.getsignal(signal.SIGTERM) is previous  # the handler is put back
    kinds = [entry["kind"] for entry in json_of("audit", str(pid))["audit"]]
    assert kinds.count("tick") == 1  # the tick in progress finished; no second one started


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--every", "soon"], "invalid interval"),
        (["--every", "1m", "--max-ticks", "0"], "--max-ticks"),
    ],
)
def test_run_bad_options(args: list[str], message: str) -> None:
    pid = create_replay()
    assert message in fails("run", str(pid), *args, code=2)


def test_run_needs_symbols_and_a_live_portfolio() -> None:
    ok("create-portfolio", "No list", "100")
    assert "--symbol" in fails("run", "1", "--max-ticks", "1")
    assert "no portfolio with id 5" in fails("run", "5", "--max-ticks", "1")
    ok("portfolio", "archive", "1")
    assert "archived" in fails("run", "1", "--symbol", "SPY", "--max-ticks", "1")


def test_run_module_handler_restores_signals() -> None:
    scheduler = Scheduler(lambda s: [], ["SPY"], 1)
    before = signal.getsignal(signal.SIGINT)
    with run_module.stop_on_signals(scheduler):
        signal.raise_signal(signal.SIGINT)
    assert scheduler.stopped
    assert signal.getsignal(signal.SIGINT) is before
    assert invoke("run", "--help").exit_code == 0


def test_run_exits_non_zero_when_its_ticks_fail_and_says_each_error_once() -> None:
    pid = create_replay()
    result = invoke(
        "run", "--portfolio", str(pid), "--symbol", "QQQ", "--every", "0.01s", "--max-ticks", "3"
    )
    assert result.exit_code == 1, (result.stdout, result.stderr)
    assert result.stderr.count("does not watch QQQ") == 1
    assert "error: 3 tick(s) failed with 1 distinct error(s)" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout


def test_create_portfolio_takes_a_replay_interval_and_refuses_a_start_past_the_data() -> None:
    pid = create_replay("paced", "--replay-interval", "1m")
    settings = json_of("portfolio", "show", str(pid))["settings"]["source"]
    assert settings["replay_interval"] == "60"
    assert settings["replay_started_at"] is not None
    before = ledger_state()
    message = fails(
        "create-portfolio", "late", "100", "--symbol", "SPY", "--source", "replay",
        "--replay-from", "2099-01-01",
    )  # fmt: skip
    assert "--replay-from 2099-01-01 is after the last SPY 1d bar (" in message
    assert ledger_state() == before


def test_a_trade_names_the_bars_close_with_the_ticks_decimals(tmp_path: Path) -> None:
    """The stored close of a file's ``398`` is the float's ``398.0``: the message writes it as
    the prices API and every table do, ``398.00``."""
    path = tmp_path / "SPY.csv"
    path.write_text(
        "timestamp,open,high,low,close,volume\n"
        "2021-03-01,397.50,399.00,397.00,398,1000\n"
        "2021-03-02,398,399.25,397,398.5,1500\n"
    )
    ok("data", "import", str(path), "--symbol", "SPY", "--timeframe", "1d")
    portfolio = json_of("create-portfolio", "closes", "10000", "--symbol", "SPY", "--source",
                        "replay", "--replay-from", "2021-03-01")["id"]  # fmt: skip
    first = ok("trade", str(portfolio), "SPY", "LIVE").stdout
    assert "SPY bar 2021-03-01T00:00:00+00:00 close 398.00:" in first
    second = ok("trade", str(portfolio), "SPY", "DRY").stdout
    assert "close 398.50:" in second
