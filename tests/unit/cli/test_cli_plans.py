"""``paperdesk plan filter|execute`` and ``paperdesk reconcile`` on a SQLite ledger in a temp
home (the bundled SPY and AAPL daily bars)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from paper_cli_helpers import fails, json_of, ledger_state, ok

from quiet_strategy import QUIET_PATH

# FAST: etth <= 3.5, score = strength / etth
#   row 1 SPY 10 x 389.58 = 3,895.80, 0.8 / 1   = 0.8  -> first
#   row 2 AAPL 20 x 127.79 = 2,555.80, 0.6 / 1.5 = 0.4 -> second
#   row 3 SPY, etth 4 > 3.5                             -> dropped
PLAN = """ticker,side,qty,entry_price,take_profit,stop_loss,strength,etth_days,entry_datetime
SPY,buy,10,389.58,400,380,0.8,1,2021-03-02T14:30:00Z
AAPL,buy,20,127.79,135,120,0.6,1.5,2021-03-02T14:30:00Z
SPY,buy,20,389.58,400,380,0.9,4,2021-03-02T14:30:00Z
"""


@pytest.fixture(autouse=True)
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("PAPERDESK_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    return tmp_path


@pytest.fixture
def plan(tmp_path: Path) -> Path:
    path = tmp_path / "trade_plan.csv"
    path.write_text(PLAN, encoding="utf-8")
    return path


def read_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_filter_writes_the_filtered_plan_and_the_audit(plan: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = ok(
        "plan", "filter", str(plan), "--mode", "fast", "--capital", "10000", "--out", str(out)
    )
    assert "2 of 3 rows kept" in result.stdout
    assert "exposure used 6,451.60" in result.stdout  # 3,895.80 + 2,555.80
    assert "wrote " not in result.stdout  # a note, on stderr (README "Logs")
    assert result.stderr.startswith(f"wrote {out / 'trade_plan_filtered.csv'} and ")
    rows = read_rows(out / "trade_plan_filtered.csv")
    assert [(r["ticker"], r["qty"], r["source_row"]) for r in rows] == [
        ("SPY", "10", "1"),
        ("AAPL", "20", "2"),
    ]
    audit = json.loads((out / "audit.json").read_text(encoding="utf-8"))
    assert audit["mode"] == "fast"
    assert audit["cap"] == "8000.0"
    assert [(r["row"], r["decision"]) for r in audit["rows"]] == [
        (1, "kept"),
        (2, "kept"),
        (3, "dropped"),
    ]
    assert "beyond the fast limit 3.5" in audit["rows"][2]["reason"]


def test_filter_refuses_to_overwrite_without_force(plan: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    ok("plan", "filter", str(plan), "--mode", "fast", "--out", str(out))
    before = (out / "audit.json").read_bytes()
    error = fails("plan", "filter", str(plan), "--mode", "balanced", "--out", str(out), code=1)
    assert "--force" in error
    assert (out / "audit.json").read_bytes() == before
    ok("plan", "filter", str(plan), "--mode", "balanced", "--out", str(out), "--force")
    assert json.loads((out / "audit.json").read_text(encoding="utf-8"))["mode"] == "balanced"


def test_filter_refuses_a_bad_plan_saying_nothing_was_filtered(tmp_path: Path) -> None:
    # the filter places nothing, ever: its refusal says what it did not do
    bad = tmp_path / "bad.csv"
    bad.write_text(PLAN + "SPY,buy,-5,389.58,400,380,0.8,1,2021-03-02\n", encoding="utf-8")
    out = tmp_path / "out"
    error = fails("plan", "filter", str(bad), "--mode", "fast", "--out", str(out), code=1)
    assert f"trade plan {bad} refused, nothing filtered (1 problem): row 4, qty: '-5'" in error
    assert "placed" not in error
    assert not out.exists()


def test_filter_trims_at_the_cap_with_trim(plan: Path, tmp_path: Path) -> None:
    # capital 5,000: cap 4,000; SPY's 3,895.80 fits, then 104.20 is left: not one AAPL share
    # (127.79); with the cap at 0.9 (4,500) 604.20 is left: 4 AAPL shares (511.16)
    out = tmp_path / "out"
    document = json_of(
        "plan",
        "filter",
        str(plan),
        "--mode",
        "fast",
        "--capital",
        "5000",
        "--exposure-cap",
        "0.9",
        "--trim",
        "--out",
        str(out),
    )
    decisions = {row["row"]: (row["decision"], row["kept_qty"]) for row in document["rows"]}
    assert decisions == {1: ("kept", "10"), 2: ("trimmed", "4"), 3: ("dropped", "0")}
    assert document["exposure_used"] == "4406.96"  # 3,895.80 + 4 x 127.79
    assert document["files"] == [str(out / "trade_plan_filtered.csv"), str(out / "audit.json")]


def create_quiet_portfolio() -> int:
    document = json_of(
        "create-portfolio",
        "plans",
        "100000",
        "--symbol",
        "SPY",
        "--symbol",
        "AAPL",
        "--source",
        "replay",
        "--replay-from",
        "2021-03-01",
        "--strategy",
        "quiet",
        "--strategy-path",
        QUIET_PATH,
    )
    portfolio = str(document["id"])
    ok("trade", portfolio, "SPY", "LIVE")
    ok("trade", portfolio, "AAPL", "LIVE")
    return int(document["id"])


def test_execute_places_once_and_reconcile_marks(plan: Path) -> None:
    portfolio = str(create_quiet_portfolio())
    first = json_of("plan", "execute", portfolio, str(plan), "--mode", "fast")
    assert first["plan_date"] == "2021-03-02"
    assert first["placed"] == 2
    assert [(r["row"], r["status"]) for r in first["rows"]] == [
        (1, "placed"),
        (2, "placed"),
        (3, "not kept"),
    ]
    before = ledger_state()
    again = json_of("plan", "execute", str(plan), "--portfolio", portfolio, "--mode", "fast")
    assert again["placed"] == 0
    assert [r["status"] for r in again["rows"]][:2] == ["already placed", "already placed"]
    assert ledger_state() == before
    table = ok("plan", "execute", portfolio, str(plan), "--mode", "fast").stdout
    assert "already placed" in table

    ok("trade", portfolio, "SPY", "LIVE")  # 2021-03-02: low 386.0 fills the 389.58 limit
    document = json_of("reconcile", portfolio)
    assert document["marks"] == {"SPY": "386.54"}  # that day's close in lean_SPY_1d.csv
    assert document["positions_value"] == "3865.40"
    assert document["closed"] == []
    assert "reconciled" in ok("reconcile", portfolio).stdout
    ok("trade", portfolio, "SPY", "LIVE")  # 2021-03-03
    ok("trade", portfolio, "SPY", "LIVE")  # 2021-03-04: low 371.88 takes the stop 380
    document = json_of("reconcile", portfolio)
    [closed] = document["closed"]  # the row's hold ends with its trade; AAPL's still waits
    assert (closed["symbol"], closed["row"], closed["order_id"]) == ("SPY", 1, None)
    assert closed["reason"].startswith("exited by its bracket (stop_loss ")
    assert "row 1" not in ok("reconcile", portfolio).stdout  # ended once


def test_a_bad_plan_is_refused_and_nothing_is_placed(tmp_path: Path) -> None:
    portfolio = str(create_quiet_portfolio())
    bad = tmp_path / "bad.csv"
    bad.write_text(PLAN + "SPY,buy,-5,389.58,400,380,0.8,1,2021-03-02\n", encoding="utf-8")
    before = ledger_state()
    error = fails("plan", "execute", str(bad), "--portfolio", portfolio, code=1)
    assert "row 4, qty: '-5'" in error
    assert "nothing placed" in error
    assert ledger_state() == before


def test_execute_takes_the_portfolio_first_and_its_old_option_still(plan: Path) -> None:
    """``plan execute ID FILE`` as every other command takes the id; ``FILE --portfolio ID``
    (and ``--portfolio=ID``), the form scripts used before, answers the same."""
    portfolio = str(create_quiet_portfolio())
    forms = [
        [portfolio, str(plan)],
        [str(plan), "--portfolio", portfolio],
        ["--mode", "fast", str(plan), f"--portfolio={portfolio}"],
    ]
    answers = [json_of("plan", "execute", *form, "--mode", "fast") for form in forms[:2]]
    answers.append(json_of("plan", "execute", *forms[2]))
    assert [answer["placed"] for answer in answers] == [2, 0, 0]
    assert answers[1] == answers[2]
    assert [r["status"] for r in answers[1]["rows"]] == ["already placed"] * 2 + ["not kept"]
    assert "no portfolio with id 9" in fails("plan", "execute", "9", str(plan))
    assert "no portfolio with id 9" in fails("plan", "execute", str(plan), "--portfolio", "9")
    assert "PORTFOLIO_ID" in fails("plan", "execute", str(plan), code=2)
