"""``paperdesk walkforward --spread-pips N``: simulate's and the backtest's option, with their
meaning (a forex pair's fills on the ask or the bid) and their refusals; and the summary's money
in the currency of the run's instruments, as a backtest's is in its symbol's."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from paper_cli_helpers import fails, json_of, ok

from paperdesk.domain.currencies import money_text

pytestmark = pytest.mark.usefixtures("paper_home")

HEADER = "ticker,side,qty,entry_price,take_profit,stop_loss,strength,etth_days\n"
# Thursday 2018-03-01 enters at the previous NYSE close, 2018-02-28 21:00 UTC, when the bundled
# EURUSD hour opens at 1.220005 (a mid price); that hour's low takes the stop of 1.2200
EURUSD_ROW = "EURUSD,buy,50000,1.2300,1.2400,1.2200,0.6,1\n"
PERIOD = ("--from", "2018-03-01", "--to", "2018-03-01")
MARKET = ("--entry", "market", "--resolve-with", "none", "--slippage-bps", "0")


def _plans(tmp_path: Path, day: str, rows: str) -> str:
    folder = tmp_path / "plans"
    folder.mkdir(exist_ok=True)
    (folder / f"{day}.csv").write_text(HEADER + rows, encoding="utf-8")
    return str(folder)


def _trade(out: Path, day: str = "2018-03-01") -> dict[str, str]:
    lines = (out / "days" / day / "sim_trades.csv").read_text(encoding="utf-8").splitlines()
    header, row = lines[0].split(","), lines[1].split(",")
    return dict(zip(header, row, strict=True))


def test_a_forex_plan_pays_the_spread_as_simulate_charges_it(tmp_path: Path) -> None:
    plans = _plans(tmp_path, "2018-03-01", EURUSD_ROW)
    args = ("walkforward", "--plans", plans, *PERIOD, *MARKET)
    plain = json_of(*args, "--out", str(tmp_path / "plain"))
    spread = json_of(*args, "--spread-pips", "1", "--out", str(tmp_path / "spread"))
    assert (plain["summary"]["trades"], spread["summary"]["trades"]) == (1, 1)
    without, within = _trade(tmp_path / "plain"), _trade(tmp_path / "spread")
    assert Decimal(without["entry_price"]) == Decimal("1.220005")  # the hour's open
    assert Decimal(within["entry_price"]) == Decimal("1.22006")  # + half a pip, up to the tick
    # the same row simulated alone, entered at the same time, fills the same way
    plan = tmp_path / "plan.csv"
    plan.write_text(
        "ticker,side,qty,entry_price,take_profit,stop_loss,entry_datetime\n"
        "EURUSD,buy,50000,1.2300,1.2400,1.2200,2018-02-28T21:00:00Z\n",
        encoding="utf-8",
    )
    simulated = json_of(
        "simulate", str(plan), "--timeframe", "1h", "--spread-pips", "1", "--entry", "market",
        "--slippage-bps", "0", "--out", str(tmp_path / "sim"),
    )  # fmt: skip
    [trade] = simulated["trades"]
    assert (trade["entry_price"], trade["exit_price"], trade["pnl"]) == (
        within["entry_price"],
        within["exit_price"],
        within["pnl"],
    )
    manifest = json.loads((tmp_path / "spread" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["spread_pips"] == "1"
    assert "spread_pips" in fails(*args, "--out", str(tmp_path / "spread"))  # a changed input


@pytest.mark.parametrize("value", ["-1", "0", "abc", "nan"])
def test_a_bad_spread_is_refused_as_the_backtest_refuses_it(tmp_path: Path, value: str) -> None:
    plans = _plans(tmp_path, "2018-03-01", EURUSD_ROW)
    out = tmp_path / "evidence"
    walked = fails("walkforward", "--plans", plans, *PERIOD, "--spread-pips", value,
                   "--out", str(out))  # fmt: skip
    backtest = fails(
        "backtest", "-s", "sma-cross", "--symbol", "EURUSD", "--timeframe", "1h",
        "--spread-pips", value,
    )  # fmt: skip
    assert walked == backtest
    expected = "(expected a number greater than 0)"
    assert walked == f"error: invalid value for --spread-pips: '{value}' {expected}"
    assert not out.exists()


def test_a_spread_on_a_run_without_a_forex_pair_is_refused(tmp_path: Path) -> None:
    plans = _plans(tmp_path, "2021-03-08", "SPY,buy,10,383.63,386,381,0.6,1\n")
    out = tmp_path / "evidence"
    from_files = fails("walkforward", "--plans", plans, "--from", "2021-03-08", "--to",
                       "2021-03-08", "--spread-pips", "1", "--out", str(out))  # fmt: skip
    strategy = fails("walkforward", "--strategy", "sma-cross", "--symbol", "SPY", "--month",
                     "2021-03", "--spread-pips", "1", "--out", str(out))  # fmt: skip
    backtest = fails("backtest", "-s", "sma-cross", "--symbol", "SPY", "--spread-pips", "1")
    assert from_files == strategy == backtest
    assert "--spread-pips applies to forex pairs; SPY is equity (use --slippage-bps)" in backtest
    assert not out.exists()


def test_evidence_written_before_the_option_resumes(tmp_path: Path) -> None:
    plans = _plans(tmp_path, "2018-03-01", EURUSD_ROW)
    out = tmp_path / "evidence"
    args = ("walkforward", "--plans", plans, *PERIOD, *MARKET, "--out", str(out))
    assert json_of(*args)["simulated"] == ["2018-03-01"]
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["spread_pips"] is None
    del manifest["spread_pips"]  # as a manifest written before 2026-12-06
    (out / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    assert json_of(*args)["resumed"] == ["2018-03-01"]


def _usdjpy_hours(path: Path) -> Path:
    """USDJPY hours of the FX week of 2024-01-08, moving by a few ticks each hour."""
    rows = ["timestamp,open,high,low,close,volume"]
    for hour in range(4 * 24 + 21):
        ts = datetime(2024, 1, 8, tzinfo=UTC) + timedelta(hours=hour)
        price = 145 + 0.013 * ((hour % 5) - 2)
        rows.append(f"{ts:%Y-%m-%dT%H:%M:%SZ},{price:.3f},{price + 0.02:.3f},"
                    f"{price - 0.02:.3f},{price:.3f},0")  # fmt: skip
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def test_a_yen_walk_forward_prints_its_money_in_yen(tmp_path: Path) -> None:
    csv = _usdjpy_hours(tmp_path / "usdjpy.csv")
    ok("data", "import", str(csv), "--symbol", "USDJPY", "-t", "1h")
    plans = _plans(tmp_path, "2024-01-09", "USDJPY,buy,1000,145.1,145.5,144.9,0.6,1\n")
    args = ("walkforward", "--plans", plans, "--from", "2024-01-09", "--to", "2024-01-09",
            "--capital", "1000000", "--entry", "market", "--resolve-with", "none",
            "--max-hold-days", "1")  # fmt: skip
    document = json_of(*args, "--out", str(tmp_path / "json"))
    assert document["summary"]["currency"] == "JPY"
    assert document["summary"]["trades"] == 1
    summary = document["summary"]
    text = ok(*args, "--out", str(tmp_path / "text")).stdout
    cells = [re.split(r"\s{2,}", line.strip(), maxsplit=1) for line in text.splitlines()]
    lines = {cell[0]: cell[-1] for cell in cells}

    def yen(key: str) -> str:
        return money_text(Decimal(summary[key]), "JPY")

    assert lines["Equity"] == f"{yen('start_equity')} -> {yen('final_equity')}"
    assert lines["Equity"].startswith("1,000,000 -> ")  # no cents: the yen has none
    assert lines["P&L after fees"] == f"{yen('pnl')} (gross {yen('gross_pnl')}, fees {yen('fees')})"
    assert ".00" not in lines["Equity"] + lines["P&L after fees"]


def test_a_dollar_walk_forward_keeps_its_cents(tmp_path: Path) -> None:
    plans = _plans(tmp_path, "2018-03-01", EURUSD_ROW)
    document = json_of("walkforward", "--plans", plans, *PERIOD, *MARKET,
                       "--out", str(tmp_path / "evidence"))  # fmt: skip
    assert document["summary"]["currency"] == "USD"
