"""A simulated or walk-forward row whose trade opened and was still open when the candles ended
is named in the summary beside the P&L that leaves it out (it showed only `NO_DATA 1`, the
outcome of a row that never started too, and a P&L without its entry fee)."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from paper_cli_helpers import ok

pytestmark = pytest.mark.usefixtures("paper_home")

# the bundled AAPL hours end on 2021-03-31: a buy limit above the price fills and stays open
PLAN = """ticker,side,qty,entry_price,take_profit,stop_loss,entry_datetime
AAPL,buy,20,150.00,170.00,100.00,2021-03-30
SPY,buy,10,100.00,,,2021-03-30
"""


def opened_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    return [row for row in rows if row["outcome"] == "NO_DATA" and row["entry_time"]]


def summary_line(stdout: str) -> str:
    lines = stdout.splitlines()
    return next(line for line in lines if line.startswith("Open at the data's end"))


def test_simulate_names_the_row_still_open(tmp_path: Path) -> None:
    plan, out = tmp_path / "plan.csv", tmp_path / "out"
    plan.write_text(PLAN, encoding="utf-8")
    stdout = ok(
        "simulate", str(plan), "--timeframe", "1h", "--commission", "per-share:0.005:min=1",
        "--out", str(out), "--wide",
    ).stdout  # fmt: skip
    [row] = opened_rows(out / "sim_trades.csv")
    assert row["entry_fee"] == "1"  # paid, and in no figure of the summary
    moment = row["entry_time"].replace("T", " ")[:16]
    assert f"1: AAPL 20 at {row['entry_price']} ({moment}) (NO_DATA counts them" in summary_line(
        stdout
    )


def test_walkforward_names_the_row_still_open(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "300")  # the summary's lines unwrapped
    out = tmp_path / "evidence"
    stdout = ok(
        "walkforward", "--strategy", "macd-cross", "--symbol", "SPY", "--from", "2021-03-22",
        "--to", "2021-03-31", "--out", str(out),
    ).stdout  # fmt: skip
    opened = opened_rows(out / "all_trades.csv")
    assert opened, "the period's last plan should still be open at the candles' end"
    line = summary_line(stdout)
    for row in opened:
        moment = row["entry_time"].replace("T", " ")[:16]
        assert f"{row['ticker']} {row['qty']} at {row['entry_price']} ({moment})" in line
    assert f"{len(opened)}: " in line
