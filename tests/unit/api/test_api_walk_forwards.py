"""Walk-forwards over the API (issue 13 item 8) on the bundled SPY and AAPL hours of March
2021: a run is a background job whose progress reaches the period's trading days, its evidence
is byte for byte what ``paperdesk walkforward`` writes for the same plans and options, runs
belong to their key, and a bad body is 422 and starts nothing."""

from __future__ import annotations

import csv
import json
from decimal import Decimal
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
from api_fixtures import Harness, api
from typer.testing import CliRunner

from paperdesk.cli import app as cli
from paperdesk.service.jobs import JobRegistry
from paperdesk.service.walk_forward_runs import WalkForwardRuns, evidence_document, runs_root

__all__ = ["api"]

WAIT = 300  # seconds: a bound on waiting for a job, never an assertion about speed
DAYS = ("2021-03-02", "2021-03-03", "2021-03-04")
PLAN_HEADER = "ticker,side,qty,entry_price,take_profit,stop_loss,strength,etth_days\n"


@pytest.fixture(autouse=True)
def home(clean_environment: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    folder = tmp_path / "home"
    clean_environment.setenv("PAPERDESK_HOME", str(folder))
    return folder


def daily_closes(symbol: str) -> dict[str, str]:
    name = f"lean_{symbol}_1d.csv"
    with resources.files("paperdesk.data.bundled").joinpath(name).open(encoding="utf-8") as f:
        return {row["timestamp"][:10]: row["close"] for row in csv.DictReader(f)}


def day_plans() -> dict[str, str]:
    """A hand-made plan per day: SPY and AAPL long at the previous session's close, target
    +0.6% / +1%, stop -0.6% / -1% (the plans of tests/unit/service/test_service_walk_forward)."""
    spy, aapl = daily_closes("SPY"), daily_closes("AAPL")
    sessions = sorted(spy)
    cent = Decimal("0.01")
    plans: dict[str, str] = {}
    for day in DAYS:
        before = sessions[sessions.index(day) - 1]
        s, a = Decimal(spy[before]), Decimal(aapl[before])
        plans[f"{day}.csv"] = (
            PLAN_HEADER + f"SPY,buy,50,{s},{(s * Decimal('1.006')).quantize(cent)},"
            f"{(s * Decimal('0.994')).quantize(cent)},0.6,1\n"
            + f"AAPL,buy,100,{a},{(a * Decimal('1.01')).quantize(cent)},"
            f"{(a * Decimal('0.99')).quantize(cent)},0.5,1.5\n"
        )
    return plans


def body(**changes: Any) -> dict[str, Any]:
    document: dict[str, Any] = {
        "plans": [{"name": name, "plan": text} for name, text in day_plans().items()],
        "start": DAYS[0],
        "end": DAYS[-1],
        "mode": "balanced",
        "capital": "100000",
    }
    document.update(changes)
    return {key: value for key, value in document.items() if value is not None}


def run_folders(api: Harness) -> list[Path]:
    root = runs_root(api.services.settings.home, api.services.database.url)
    return sorted(root.iterdir()) if root.is_dir() else []


def started(api: Harness, document: dict[str, Any], token: str | None = None) -> dict[str, Any]:
    response = api.post("/walkforwards", document, token=token)
    assert response.status_code == 202, response.text
    answer: dict[str, Any] = response.json()
    assert response.headers["Location"] == f"/api/v1/walkforwards/{answer['run_id']}"
    assert api.services.jobs.wait(answer["job_id"], WAIT)
    return answer


def test_a_run_is_a_job_whose_evidence_is_the_commands(api: Harness, tmp_path: Path) -> None:
    answer = started(api, body())
    assert answer["progress"]["total"] == 3  # the period's trading days
    job = api.get(f"/jobs/{answer['job_id']}", token=api.trader).json()
    assert job["kind"] == "walkforward"
    assert job["state"] == "succeeded", job
    assert job["progress"] == {"done": 3, "total": 3}
    run = api.get(f"/walkforwards/{answer['run_id']}", token=api.trader).json()
    assert run["state"] == "succeeded"
    assert run["progress"] == {"done": 3, "total": 3}
    # the same plans and options through the command
    plans = tmp_path / "plans"
    plans.mkdir()
    for name, text in day_plans().items():
        (plans / name).write_text(text, encoding="utf-8")
    out = tmp_path / "cli-evidence"
    args = ["walkforward", "--plans", str(plans), "--from", DAYS[0], "--to", DAYS[-1]]
    result = CliRunner().invoke(cli, [*args, "--mode", "balanced", "--out", str(out), "--json"])
    assert result.exit_code == 0, (result.stdout, result.stderr)
    (folder,) = run_folders(api)
    served = folder / "evidence"
    written = sorted(p.relative_to(out) for p in out.rglob("*") if p.is_file())
    assert written == sorted(p.relative_to(served) for p in served.rglob("*") if p.is_file())
    for relative in written:
        assert (served / relative).read_bytes() == (out / relative).read_bytes(), relative
    # the answer is the evidence document of the command's folder
    expected = evidence_document(out)
    trades = expected.pop("trades")
    assert run["evidence"] == json.loads(json.dumps(expected))
    assert run["trades"]["total"] == len(trades) == 6  # two rows a day
    assert run["trades"]["items"] == json.loads(json.dumps(trades))
    assert run["evidence"]["summary"]["rows"] == 6
    assert "folder" not in run["evidence"]["details"]  # no server path in an answer
    assert sum(run["evidence"]["outcomes"].values()) == 6
    assert [point["time"][:10] for point in run["evidence"]["equity"]] == list(DAYS)
    paged = api.get(
        f"/walkforwards/{answer['run_id']}?trades_offset=4&trades_limit=5", token=api.reader
    )
    assert paged.status_code == 404  # the reader is another key


def test_trades_are_paged(api: Harness) -> None:
    answer = started(api, body())
    path = f"/walkforwards/{answer['run_id']}"
    first = api.get(f"{path}?trades_limit=4", token=api.trader).json()
    assert first["trades"]["total"] == 6
    assert len(first["trades"]["items"]) == 4
    rest = api.get(f"{path}?trades_offset=4&trades_limit=4", token=api.trader).json()
    assert rest["trades"]["offset"] == 4
    all_trades = api.get(path, token=api.trader).json()["trades"]["items"]
    assert first["trades"]["items"] + rest["trades"]["items"] == all_trades


def test_a_run_belongs_to_the_key_that_started_it(api: Harness) -> None:
    answer = started(api, body(), token=api.admin)
    path = f"/walkforwards/{answer['run_id']}"
    assert api.get(path, token=api.admin).status_code == 200
    for token in (api.trader, api.reader):
        response = api.get(path, token=token)
        assert response.status_code == 404, response.text
        assert response.json()["code"] == "not_found"
        assert api.get("/walkforwards", token=token).json() == {"runs": []}
    listed = api.get("/walkforwards", token=api.admin).json()["runs"]
    assert [run["run_id"] for run in listed] == [answer["run_id"]]
    assert api.get("/walkforwards/" + "0" * 32).status_code == 404
    assert api.get("/walkforwards/..%2F..%2Fetc").status_code == 404


def test_a_read_key_may_read_but_not_start(api: Harness) -> None:
    response = api.post("/walkforwards", body(), token=api.reader)
    assert response.status_code == 403, response.text
    assert run_folders(api) == []
    assert api.get("/walkforwards", token=api.reader).status_code == 200


BAD_ROW = PLAN_HEADER + "SPY,buy,-5,389.58,392,387,0.6,1\n"
REFIT_TWICE = {
    "plans": None,
    "strategy": "sma-cross",
    "fit_window": 60,
    "fit_params": {"fast": ["5", "5"]},
}
NOT_RUN = "trade plan 2021-03-02.csv refused, nothing run (1 problem): row 1, qty"


@pytest.mark.parametrize(
    ("changes", "code", "named"),
    [
        ({"strategy": "sma-cross"}, "validation_error", "either plans"),
        ({"plans": None}, "validation_error", "either plans"),
        ({"month": "2021-03"}, "validation_error", "either month"),
        ({"start": None}, "validation_error", "give the period"),
        ({"plans": [{"name": "../x.csv", "plan": PLAN_HEADER}]}, "validation_error", "plans.0"),
        ({"plans": [{"name": "2021-03-02.csv", "plan": BAD_ROW}]}, "invalid_plan", NOT_RUN),
        ({"timeframe": "1d"}, "invalid_option", "timeframe"),
        (REFIT_TWICE, "invalid_input", "parameter 'fast': '5' is listed twice"),
        ({"resolve_with": "1h"}, "invalid_option", "resolve_with"),
        ({"capital": "0"}, "validation_error", "capital"),
        ({"capital": 1.5}, "validation_error", "capital"),
        ({"commission": "lots"}, "invalid_input", "commission"),
        ({"mode": "scalping"}, "validation_error", "mode"),
        ({"start": "2021-03-05", "end": "2021-03-01"}, "invalid_option", "before start"),
        ({"start": "2021-01-04", "end": "2021-04-13"}, "walk_forward_too_large", "69 trading"),
        ({"start": "2021-01-01", "end": "2021-06-30"}, "walk_forward_too_large", "181 calendar"),
        ({"start": "0001-01-01", "end": "0001-01-05"}, "validation_error", "start: a date"),
        ({"start": "9999-12-01", "end": "9999-12-31"}, "validation_error", "start: a date"),
        ({"start": None, "end": None, "month": "0001-01"}, "validation_error", "month: a month"),
        ({"max_hold_days": "31"}, "walk_forward_too_large", "max_hold_days"),
        ({"folder": "/tmp/x"}, "validation_error", "folder"),
    ],
)
def test_a_bad_body_is_422_and_starts_nothing(
    api: Harness, changes: dict[str, Any], code: str, named: str
) -> None:
    response = api.post("/walkforwards", body(**changes))
    assert response.status_code == 422, response.text
    answer = response.json()
    assert answer["code"] == code, answer
    assert named in answer["message"], answer
    assert run_folders(api) == []
    assert api.get("/walkforwards", token=api.trader).json() == {"runs": []}


def test_an_unknown_strategy_is_422_and_starts_nothing(api: Harness) -> None:
    response = api.post("/walkforwards", body(plans=None, strategy="no-such-strategy"))
    assert response.status_code == 422, response.text
    assert "no-such-strategy" in response.json()["message"]
    assert run_folders(api) == []


def test_a_busy_job_pool_is_429_and_leaves_no_folder(api: Harness) -> None:
    services = api.services
    services.__dict__["walk_forward_runs"] = WalkForwardRuns(
        runs_root(services.settings.home, services.database.url),
        services.walk_forward,
        JobRegistry(max_pending=0),
    )
    response = api.post("/walkforwards", body())
    assert response.status_code == 429, response.text
    assert response.json()["code"] == "too_many_jobs"
    assert response.headers["Retry-After"] == "5"
    assert run_folders(api) == []


def test_a_strategy_run_makes_its_plans(api: Harness) -> None:
    document = body(plans=None, strategy="sma-cross", params={"mode": "level"}, symbols=["SPY"])
    answer = started(api, document)
    run = api.get(f"/walkforwards/{answer['run_id']}", token=api.trader).json()
    assert run["state"] == "succeeded", run
    assert run["inputs"]["strategy"] == "sma-cross"
    assert run["evidence"]["details"]["plans"] == "strategy sma-cross"


def test_the_same_candle_priority_and_eod_close_are_options_of_a_run(api: Harness) -> None:
    answer = started(api, body(mode="intraday", stop_loss_priority=False, eod_close=False))
    run = api.get(f"/walkforwards/{answer['run_id']}", token=api.trader).json()
    assert run["state"] == "succeeded", run
    (folder,) = run_folders(api)
    manifest = json.loads((folder / "evidence" / "manifest.json").read_text(encoding="utf-8"))
    assert (manifest["stop_loss_priority"], manifest["eod_close"]) == (False, False)
    # no EOD close in INTRADAY mode: no trade of the run ends as EOD
    assert run["evidence"]["outcomes"].get("EOD", 0) == 0


def test_plans_outside_the_period_are_422_without_the_server_s_folder(
    api: Harness, home: Path
) -> None:
    # the plans are for 03-02..03-04; a period in April finds none of them
    response = api.post("/walkforwards", body(start="2021-04-05", end="2021-04-07"))
    assert response.status_code == 422, response.text
    message = response.json()["message"]
    assert "plans: the upload holds no daily plan" in message
    assert str(home) not in message
    assert "/" not in message.split("holds no daily plan")[0]
    assert run_folders(api) == []
