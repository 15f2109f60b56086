"""The intraday simulator over the API (issue 13 item 8): a plan simulated at once or as a
background job (202, progress, result), against the service's result and the hand-checked
trades of tests/unit/plans/test_simulator.py; its bounds; jobs belong to their key."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from api_fixtures import Harness, api

from paperdesk.api.routers import plans as plans_router
from paperdesk.service.simulations import (
    EntryType,
    ExecutionMode,
    SimulationLimits,
    SimulationRequest,
)

__all__ = ["api"]

WAIT = 120  # seconds: a bound on waiting for a job, never an assertion about speed
# Bundled SPY hours and minutes of October 2013 (hand-checked in test_simulator.py): row 1
# takes profit at 168.00 at 10-10 14:00Z (+6.80 on 10 shares from 167.32), row 2 touches both
# levels in one hour and the minutes resolve it to the target at 15:03Z (+2.00), row 3 is
# closed at the session's end in INTRADAY mode (20:00Z, 167.42: -0.10).
PLAN = """ticker,side,qty,entry_price,take_profit,stop_loss,entry_datetime
SPY,buy,10,167.32,168.00,166.50,2013-10-10T13:00:00Z
SPY,buy,10,165.00,165.20,164.60,2013-10-09T15:00:00Z
SPY,buy,10,167.43,170,166,2013-10-07T13:00:00Z
"""
OPTIONS = {
    "timeframe": "1h",
    "mode": "intraday",
    "resolve_with": "1m",
    "entry": "market",
    "slippage_bps": "0",
}


@pytest.fixture(autouse=True)
def home(clean_environment: pytest.MonkeyPatch, tmp_path: Path) -> None:
    clean_environment.setenv("PAPERDESK_HOME", str(tmp_path / "home"))


def body(text: str = PLAN, **options: Any) -> dict[str, Any]:
    return {"plan": text, **OPTIONS, **options}


def test_a_simulation_gives_the_hand_checked_trades(api: Harness, tmp_path: Path) -> None:
    response = api.post("/simulations", body(), token=api.reader)
    assert response.status_code == 200, response.text
    answer = response.json()
    trades = answer["trades"]
    assert [t["outcome"] for t in trades] == ["TP", "TP", "EOD"]
    assert (trades[0]["exit_time"], trades[0]["exit_price"], trades[0]["pnl"]) == (
        "2013-10-10T14:00:00+00:00", "168.00", "6.80",
    )  # fmt: skip
    assert (trades[1]["exit_time"], trades[1]["resolution"]) == (
        "2013-10-09T15:03:00+00:00", "lower-timeframe",
    )  # fmt: skip
    assert (trades[2]["exit_price"], trades[2]["pnl"]) == ("167.42", "-0.10")
    assert answer["summary"]["pnl"] == "8.70"  # 6.80 + 2.00 - 0.10
    assert answer["summary"]["win_rate_pct"] == 66.666667  # 2 of 3: a percent, never 0.6667
    # the same plan through the service, from a file as the CLI reads it
    path = tmp_path / "plan.csv"
    path.write_text(PLAN, encoding="utf-8")
    request = SimulationRequest(
        path, "1h", mode=ExecutionMode.INTRADAY, resolve_with="1m",
        entry=EntryType.MARKET, slippage_bps=Decimal(0),
    )  # fmt: skip
    expected = api.services.simulations.simulate(request).document()
    assert answer["plan"] == "upload"
    del expected["files"]  # the CLI's written files; the API writes none
    assert {**answer, "plan": None} == {**expected, "plan": None}


def test_the_guardrails_are_options_of_a_simulation(api: Harness) -> None:
    # without finer bars the second row's candle is ambiguous: the stop by default, the target
    # with stop_loss_priority off; eod_close off keeps row 3 open past 10-07's close (EOD at
    # 20:00Z by default) until SPY falls through its stop 166 later in the week
    options = {"resolve_with": None, "stop_loss_priority": False, "eod_close": False}
    response = api.post("/simulations", body(**options), token=api.reader)
    assert response.status_code == 200, response.text
    answer = response.json()
    trades = answer["trades"]
    assert (trades[1]["outcome"], trades[1]["resolution"]) == ("TP", "take-profit-first")
    assert trades[2]["outcome"] == "SL"
    assert trades[2]["exit_time"] > "2013-10-08"
    assert (answer["stop_loss_priority"], answer["eod_close"]) == (False, False)
    default = api.post("/simulations", body(resolve_with=None), token=api.reader).json()
    assert [t["outcome"] for t in default["trades"]][1:] == ["SL", "EOD"]


def test_a_background_simulation_is_a_job_with_progress_and_the_same_result(
    api: Harness,
) -> None:
    direct = api.post("/simulations", body()).json()
    started = api.client.post(
        "/api/v1/simulations?background=true", json=body(), headers=api.headers(api.reader)
    )
    assert started.status_code == 202, started.text
    job = started.json()
    assert started.headers["Location"] == f"/api/v1/jobs/{job['job_id']}"
    assert job["state"] == "queued"
    assert job["progress"] == {"done": 0, "total": 2}  # SPY's bars, then the walk
    assert api.services.jobs.wait(job["job_id"], WAIT)
    read = api.get(f"/jobs/{job['job_id']}", token=api.reader)
    assert read.status_code == 200, read.text
    finished = read.json()
    assert finished["state"] == "succeeded"
    assert finished["progress"] == {"done": 2, "total": 2}
    assert finished["error"] is None
    assert finished["result"] == direct


def test_a_job_belongs_to_the_key_that_started_it(api: Harness) -> None:
    started = api.client.post(
        "/api/v1/simulations?background=true", json=body(), headers=api.headers(api.reader)
    )
    job_id = started.json()["job_id"]
    assert api.services.jobs.wait(job_id, WAIT)
    for token in (api.admin, api.trader):  # even an admin key: the job is another key's
        response = api.get(f"/jobs/{job_id}", token=token)
        assert response.status_code == 404, response.text
        assert response.json()["code"] == "not_found"
    assert api.get("/jobs/" + "0" * 32, token=api.reader).status_code == 404


def test_a_plan_of_many_rows_runs_as_a_job(api: Harness) -> None:
    row = "SPY,buy,1,167.43,170,166,2013-10-07T13:00:00Z\n"
    many = PLAN.splitlines()[0] + "\n" + row * 101  # above the 100 rows answered at once
    started = api.post("/simulations", body(many))
    assert started.status_code == 202, started.text
    job_id = started.json()["job_id"]
    assert api.services.jobs.wait(job_id, WAIT)
    result = api.get(f"/jobs/{job_id}", token=api.trader).json()["result"]
    assert result["summary"]["rows"] == 101
    assert {t["outcome"] for t in result["trades"]} == {"EOD"}  # row 3 above, 101 times


def test_a_bad_plan_is_refused_at_once_even_in_the_background(api: Harness) -> None:
    bad = PLAN + "SPY,buy,-5,167.43,170,166,2013-10-07\nSPY,sell,1,167,170,166,\n"
    response = api.client.post(
        "/api/v1/simulations?background=true", json=body(bad), headers=api.headers(api.reader)
    )
    assert response.status_code == 422, response.text
    problems = response.json()["problems"]
    assert [(p["row"], p["field"]) for p in problems] == [
        (4, "qty"), (5, "stop_loss"), (5, "take_profit"),
    ]  # fmt: skip
    assert "refused, nothing simulated (3 problems): row 4, qty" in response.json()["message"]


@pytest.mark.parametrize(
    ("options", "code", "named"),
    [
        ({"timeframe": "1d"}, "invalid_option", "intraday"),
        ({"resolve_with": "1h"}, "invalid_option", "finer"),
        ({"commission": "free"}, "invalid_input", "commission"),
        ({"max_hold_days": "31"}, "simulation_too_large", "30 days"),
        ({"slippage_bps": "-1"}, "validation_error", "slippage_bps"),
    ],
)
def test_bad_options_are_refused(
    api: Harness, options: dict[str, str], code: str, named: str
) -> None:
    response = api.post("/simulations", body(**options), token=api.reader)
    assert response.status_code == 422, response.text
    assert response.json()["code"] == code, response.text
    assert named in response.json()["message"], response.text


def test_a_simulation_is_bounded(api: Harness) -> None:
    # SPY entries from 2013-10-07 to 2021-04-05: years of candles in one request
    far = PLAN + "SPY,buy,10,400,410,390,2021-04-05T13:30:00Z\n"
    response = api.post("/simulations", body(far))
    assert response.status_code == 422, response.text
    assert response.json()["code"] == "simulation_too_large"
    assert "more than 366 days" in response.json()["message"]
    header = PLAN.splitlines()[0] + "\n"
    rows = "".join(f"T{n},buy,1,10,11,9,2013-10-07\n" for n in range(21))
    tickers = api.post("/simulations", body(header + rows))
    assert tickers.status_code == 422, tickers.text
    assert "21 tickers" in tickers.json()["message"]
    too_many = api.post("/simulations", body(header + "SPY,buy,1,10,11,9,2013-10-07\n" * 1001))
    assert too_many.status_code == 422, too_many.text
    assert "1001 rows" in too_many.json()["message"]


def test_simulations_need_a_key(api: Harness) -> None:
    response = api.client.post("/api/v1/simulations", json=body())
    assert response.status_code == 401


def test_an_uploaded_plan_is_simulated_as_the_json_body(api: Harness) -> None:
    response = api.client.post(
        "/api/v1/simulations/upload",
        files={"file": ("oct.csv", PLAN.encode(), "text/csv")},
        data={"options": json.dumps(OPTIONS)},
        headers=api.headers(api.reader),
    )
    assert response.status_code == 200, response.text
    direct = api.post("/simulations", body(name="oct.csv"), token=api.reader).json()
    assert response.json() == direct
    assert [t["outcome"] for t in direct["trades"]] == ["TP", "TP", "EOD"]


def test_a_job_that_fails_reports_its_error(api: Harness, monkeypatch: pytest.MonkeyPatch) -> None:
    # the candle bound is checked while the bars load, so it fails the job, not the request:
    # the 1h candles of 2013-10-07..10-15 and their 1m bars are far more than 10
    monkeypatch.setattr(plans_router, "LIMITS", SimulationLimits(max_candles=10))
    started = api.client.post(
        "/api/v1/simulations?background=true", json=body(), headers=api.headers(api.reader)
    )
    assert started.status_code == 202, started.text
    job_id = started.json()["job_id"]
    assert api.services.jobs.wait(job_id, WAIT)
    failed = api.get(f"/jobs/{job_id}", token=api.reader).json()
    assert failed["state"] == "failed"
    assert failed["result"] is None
    assert failed["error"]["code"] == "simulation_too_large"
    assert "more than 10 candles" in failed["error"]["message"]
