"""``paperdesk walkforward``: the table, the JSON, the evidence folder, a resumed rerun, and one
clear error line for bad input (the evidence itself is checked in
tests/unit/service/test_service_walk_forward.py)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from paper_cli_helpers import fails, json_of, ok

pytestmark = pytest.mark.usefixtures("paper_home")


@pytest.fixture
def plans(tmp_path: Path) -> str:
    folder = tmp_path / "plans"
    folder.mkdir()
    # SPY closed at 383.63 on Friday 2021-03-05 (lean_SPY_1d.csv); a plan for Monday 03-08
    (folder / "2021-03-08.csv").write_text(
        "ticker,side,qty,entry_price,take_profit,stop_loss,strength,etth_days\n"
        "SPY,buy,10,383.63,386,381,0.6,1\n",
        encoding="utf-8",
    )
    (folder / "2021-03-06.json").write_text("[]", encoding="utf-8")  # a Saturday: unused
    return str(folder)


def test_the_table_and_a_resumed_rerun(plans: str, tmp_path: Path) -> None:
    out = tmp_path / "evidence"
    args = ("walkforward", "--plans", plans, "--from", "2021-03-05", "--to", "2021-03-08")
    first = ok(*args, "--mode", "intraday", "--out", str(out))
    assert "2021-03-05 to 2021-03-08 (2 trading days)" in first.stdout
    assert "2 simulated now, 0 already done" in first.stdout
    assert (out / "days" / "2021-03-05" / "sim_trades.csv").is_file()  # a day without a plan
    document = json_of(*args, "--mode", "intraday", "--out", str(out))
    assert document["resumed"] == ["2021-03-05", "2021-03-08"]
    assert document["simulated"] == []
    assert document["summary"]["rows"] == 1
    assert document["summary"]["unused_plan_files"] == [
        "2021-03-06.json: 2021-03-06 is not a XNYS trading day"
    ]
    error = fails(*args, "--mode", "fast", "--out", str(out))
    assert "other inputs (changed: mode)" in error
    assert "--restart" in error
    # the same-candle priority and the EOD close are inputs too: changing them is refused
    error = fails(*args, "--mode", "intraday", "--take-profit-first", "--out", str(out))
    assert "changed: stop_loss_priority" in error
    error = fails(*args, "--mode", "intraday", "--no-eod-close", "--out", str(out))
    assert "changed: eod_close" in error
    # every assumption is recorded as it is in effect: asking for the default timeout is the
    # same run, and the manifest never says null for a default nor leaves one out
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert (manifest["max_hold_days"], manifest["stop_loss_priority"], manifest["eod_close"]) == (
        "3",
        True,
        True,
    )
    again = json_of(*args, "--mode", "intraday", "--max-hold-days", "3", "--out", str(out))
    assert again["simulated"] == []
    # evidence written before (the default as null, the two switches left out) still resumes
    del manifest["stop_loss_priority"], manifest["eod_close"]
    manifest["max_hold_days"] = None
    (out / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    assert json_of(*args, "--mode", "intraday", "--out", str(out))["simulated"] == []


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--month", "2021-13"], "--month: '2021-13'"),
        (["--month", "2021-03", "--from", "2021-03-01"], "either --month or --from"),
        (["--from", "2021-03-09"], "give the period"),
        (["--from", "2021-03-09", "--to", "2021-03-01"], "before --from"),
        (["--from", "0001-01-01", "--to", "0001-02-01"], "outside the dates the XNYS calendar"),
        (["--from", "9999-01-01", "--to", "9999-02-01"], "outside the dates the XNYS calendar"),
        (["--month", "2021-03", "--mode", "scalping"], "expected one of intraday"),
        (["--month", "2021-03", "--capital", "0"], "--capital: '0'"),
        (["--month", "2021-03", "--resolve-with", "1h"], "finer than --timeframe 1h"),
        (["--month", "2021-03", "--strategy", "sma-cross"], "either --plans DIR or --strategy"),
        (["--month", "2021-03", "--commission", "lots"], "commission 'lots'"),
        (["--month", "2021-03", "--exposure-cap", "2"], "--exposure-cap: '2'"),
        (["--month", "2021-03", "--max-hold-days", "0"], "--max-hold-days: '0'"),
        (["--month", "2021-03", "--fit-window", "60d", "--fit-param", "fast=5,10"], "re-fits a"),
    ],
)
def test_bad_options_are_one_error_line(
    plans: str, tmp_path: Path, options: list[str], message: str
) -> None:
    out = tmp_path / "evidence"
    error = fails("walkforward", "--plans", plans, *options, "--out", str(out))
    assert message in error
    assert not out.exists()  # nothing written


def test_an_unknown_strategy_is_one_error_line(tmp_path: Path) -> None:
    error = fails(
        "walkforward", "--strategy", "no-such", "--month", "2021-03", "--out", str(tmp_path / "e")
    )
    assert "no-such" in error


def test_a_strategy_symbol_without_daily_bars_is_one_error_line(tmp_path: Path) -> None:
    out = tmp_path / "e"
    error = fails(
        "walkforward", "--strategy", "sma-cross", "--symbol", "ZZZZ", "--month", "2021-03",
        "--out", str(out),
    )  # fmt: skip
    assert "--symbol: 'ZZZZ'" in error
    assert not out.exists()


def test_the_summary_prints_money_as_every_table_does(plans: str, tmp_path: Path) -> None:
    text = ok("walkforward", "--plans", plans, "--from", "2021-03-08", "--to", "2021-03-08",
              "--out", str(tmp_path / "evidence")).stdout  # fmt: skip
    cells = [re.split(r"\s{2,}", line.strip(), maxsplit=1) for line in text.splitlines()]
    lines = {cell[0]: cell[-1] for cell in cells}
    start, arrow, final = lines["Equity"].split()
    assert (start, arrow) == ("100,000.00", "->")  # the document's "100000"
    assert re.fullmatch(r"\d{2,3},\d{3}\.\d{2}", final)
    assert lines["P&L after fees"].endswith(", fees 0.00)")  # the document's "0"
