"""``paperdesk simulate FILE``: the table, the JSON, the files, and one clear error line for bad
input (the outcomes themselves are checked by hand in tests/unit/plans/test_simulator.py)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from paper_cli_helpers import fails, json_of, ok

pytestmark = pytest.mark.usefixtures("paper_home")

PLAN = """ticker,side,qty,entry_price,take_profit,stop_loss,entry_datetime
SPY,buy,10,165.00,165.20,164.60,2013-10-09T15:00:00Z
SPY,buy,10,160,170,150,2013-10-07T13:00:00Z
"""


@pytest.fixture
def plan(tmp_path: Path) -> str:
    path = tmp_path / "plan.csv"
    path.write_text(PLAN, encoding="utf-8")
    return str(path)


def test_the_table_shows_each_trade_and_the_same_candle_counts(plan: str, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = ok("simulate", plan, "--timeframe", "1h", "--out", str(out), "--wide")
    assert "SL *" in result.stdout  # the same-candle row, stop-loss first without 1m bars
    assert "NOT_FILLED" in result.stdout  # a limit 160 the day never reached
    assert "1 ambiguous: 0 resolved from finer bars, 1 stop-loss first" in result.stdout
    with (out / "sim_trades.csv").open(encoding="utf-8", newline="") as handle:
        assert [row["outcome"] for row in csv.DictReader(handle)] == ["SL", "NOT_FILLED"]


def test_json_with_minute_resolution(plan: str, tmp_path: Path) -> None:
    document = json_of(
        "simulate", plan, "--timeframe", "1h", "--resolve-with", "1m", "--out",
        str(tmp_path / "out"),
    )  # fmt: skip
    first = document["trades"][0]
    assert (first["outcome"], first["exit_time"], first["resolution"]) == (
        "TP", "2013-10-09T15:03:00+00:00", "lower-timeframe",
    )  # fmt: skip
    assert document["summary"]["same_candle"]["resolved_lower_timeframe"] == 1
    assert document["files"]["trades"].endswith("sim_trades.csv")
    written = json.loads((tmp_path / "out" / "sim_summary.json").read_text(encoding="utf-8"))
    assert written["summary"] == document["summary"]


def test_take_profit_first_turns_the_stop_loss_priority_off(plan: str, tmp_path: Path) -> None:
    # the first row's candle touches both levels (tests/unit/plans/test_simulator.py): without
    # finer bars it is a stop by default, the target with --take-profit-first
    document = json_of(
        "simulate", plan, "--timeframe", "1h", "--take-profit-first", "--out",
        str(tmp_path / "out"),
    )  # fmt: skip
    first = document["trades"][0]
    assert (first["outcome"], first["exit_price"], first["resolution"]) == (
        "TP", "165.20", "take-profit-first",
    )  # fmt: skip
    assert document["stop_loss_priority"] is False
    assert document["summary"]["same_candle"]["take_profit_first"] == 1
    table = ok("simulate", plan, "--timeframe", "1h", "--take-profit-first", "--out",
               str(tmp_path / "again"), "--wide").stdout  # fmt: skip
    assert "0 stop-loss first, 1 take-profit first" in table


def test_no_eod_close_keeps_an_intraday_trade_open_past_the_session(tmp_path: Path) -> None:
    # 10-07 13:00Z SPY at 167.43 with levels never touched that day: INTRADAY closes it at the
    # session's last candle (EOD); --no-eod-close leaves it to the 3-day timeout
    path = tmp_path / "plan.csv"
    path.write_text(
        "ticker,side,qty,entry_price,take_profit,stop_loss,entry_datetime\n"
        "SPY,buy,10,167.43,175,160,2013-10-07T13:00:00Z\n",
        encoding="utf-8",
    )
    common = ("simulate", str(path), "--timeframe", "1h", "--mode", "intraday", "--entry",
              "market")  # fmt: skip
    closed = json_of(*common, "--out", str(tmp_path / "a"))
    kept = json_of(*common, "--no-eod-close", "--out", str(tmp_path / "b"))
    assert (closed["eod_close"], closed["trades"][0]["outcome"]) == (True, "EOD")
    assert (kept["eod_close"], kept["trades"][0]["outcome"]) == (False, "TIMEOUT")
    assert (closed["end_of_day_close"], kept["end_of_day_close"]) == (True, False)


def test_eod_close_is_the_option_as_set_and_end_of_day_close_what_it_did(tmp_path: Path) -> None:
    # outside INTRADAY mode the option (on by default) closes nothing: the answer says both, so
    # eod_close means what the request's field means, in a walk-forward's manifest too
    path = tmp_path / "plan.csv"
    path.write_text(
        "ticker,side,qty,entry_price,take_profit,stop_loss,entry_datetime\n"
        "SPY,buy,10,167.43,175,160,2013-10-07T13:00:00Z\n",
        encoding="utf-8",
    )
    common = ("simulate", str(path), "--timeframe", "1h", "--mode", "balanced")
    document = json_of(*common, "--out", str(tmp_path / "a"))
    assert (document["eod_close"], document["end_of_day_close"]) == (True, False)
    assert (document["mode"], document["max_hold_days"]) == ("balanced", "3")
    assert document["trades"][0]["outcome"] == "TIMEOUT"
    table = ok(*common, "--out", str(tmp_path / "b"), "--wide").stdout
    assert "EOD close off (not intraday mode)" in " ".join(table.split())


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--timeframe", "1d"], "the simulator walks intraday candles"),
        (["--timeframe", "1h", "--resolve-with", "2h"], "finer than --timeframe 1h"),
        (["--timeframe", "1h", "--mode", "scalping"], "expected one of intraday, fast"),
        (["--timeframe", "1h", "--entry", "stop"], "expected limit or market"),
        (["--timeframe", "1h", "--max-hold-days", "0"], "--max-hold-days: '0'"),
        (["--timeframe", "1h", "--plan-date", "2013-13-01"], "--plan-date"),
        (["--timeframe", "1h", "--commission", "lots"], "commission 'lots'"),
    ],
)
def test_bad_options_are_one_error_line(
    plan: str, tmp_path: Path, options: list[str], message: str
) -> None:
    error = fails("simulate", plan, *options, "--out", str(tmp_path / "out"))
    assert message in error
    assert not (tmp_path / "out" / "sim_trades.csv").exists()


def test_resolve_with_on_minute_candles_suggests_nothing_coarser(plan: str, tmp_path: Path) -> None:
    # nothing is finer than 1m: "e.g. 1m" would suggest the very timeframe it refuses
    error = fails(
        "simulate", plan, "--timeframe", "1m", "--resolve-with", "1h", "--out", str(tmp_path)
    )
    assert "finer than --timeframe 1m" in error
    assert "e.g. 1m" not in error


def test_a_missing_plan_file_is_one_error_line(tmp_path: Path) -> None:
    error = fails(
        "simulate", str(tmp_path / "none.csv"), "--timeframe", "1h", "--out", str(tmp_path)
    )
    assert "none.csv" in error


def test_money_is_printed_to_the_cent_from_the_exact_figures(tmp_path: Path) -> None:
    """A per-share fee of 0.005 on 10 shares is 0.050 exactly: the table shows 0.05 (the JSON
    keeps every digit)."""
    path = tmp_path / "plan.csv"
    path.write_text(
        "ticker,side,qty,entry_price,take_profit,stop_loss,entry_datetime\n"
        "SPY,buy,10,389.00,395,385,2021-03-02\n",
        encoding="utf-8",
    )
    arguments = ("simulate", str(path), "--timeframe", "1h", "--out", str(tmp_path / "out"),
                 "--commission", "per-share:0.005")  # fmt: skip
    text = ok(*arguments, "--wide").stdout
    assert "-42.10 (gross -42.00, fees 0.10)" in text
    row = next(line for line in text.splitlines() if line.lstrip().startswith("1 "))
    assert " 384.80  -42.10 " in row  # the exit and the P&L, to the cent
    summary = json_of(*arguments)["summary"]
    assert (summary["pnl"], summary["fees"]) == ("-42.100", "0.100")
