"""Walk-forward runs as background jobs (``paperdesk.service.walk_forward_runs``) on the bundled
SPY hours of March 2021: a run's state after the process that ran it is gone (read from its
folder), a failure found only while running (a row entering on another day) kept with its
problems, and the runs kept per key."""

from __future__ import annotations

import time
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from paperdesk.service.jobs import JobRegistry
from paperdesk.service.walk_forward import WalkForwardRequest, WalkForwardService
from paperdesk.service.walk_forward_runs import (
    DayPlan,
    WalkForwardLimits,
    WalkForwardRuns,
    WalkForwardTooLargeError,
)

WAIT = 300  # seconds: a bound on waiting for a job, never an assertion about speed
OWNER, OTHER = 7, 8
# SPY closed at 383.63 on Friday 2021-03-05 (lean_SPY_1d.csv): Monday's plan
PLAN = (
    "ticker,side,qty,entry_price,take_profit,stop_loss,strength,etth_days\n"
    "SPY,buy,10,383.63,386,381,0.6,1\n"
)
REQUEST = WalkForwardRequest(out=Path(), first=date(2021, 3, 8), last=date(2021, 3, 8))


@pytest.fixture
def root(tmp_path: Path, clean_environment: pytest.MonkeyPatch) -> Path:
    clean_environment.setenv("PAPERDESK_HOME", str(tmp_path / "home"))  # the bar cache's home
    return tmp_path / "runs"


def runs_of(root: Path, **limits: int) -> WalkForwardRuns:
    return WalkForwardRuns(root, WalkForwardService(), JobRegistry(), WalkForwardLimits(**limits))


def finished(runs: WalkForwardRuns, plan: str = PLAN, owner: int = OWNER) -> str:
    started = runs.start(REQUEST, [DayPlan("2021-03-08.csv", plan)], owner)
    deadline = time.monotonic() + WAIT
    while runs.get(started.run_id, owner).state in ("queued", "running"):
        assert time.monotonic() < deadline, "the run did not end"
        time.sleep(0.05)
    return started.run_id


def test_a_finished_run_is_read_from_its_folder_after_a_restart(root: Path) -> None:
    run_id = finished(runs_of(root))
    restarted = runs_of(root)  # a new process: its registry knows no job
    view = restarted.get(run_id, OWNER)
    assert view.state == "succeeded"
    assert view.evidence == root / run_id / "evidence"
    assert (view.done, view.total) == (1, 1)
    assert restarted.evidence(view)["summary"]["rows"] == 1
    with pytest.raises(LookupError):
        restarted.get(run_id, OTHER)


def test_a_failure_found_while_running_is_kept_with_its_problems(root: Path) -> None:
    another_day = PLAN.replace("etth_days\n", "etth_days,entry_datetime\n").replace(
        ",1\n", ",1,2021-03-09T14:30:00Z\n"
    )
    runs = runs_of(root)
    run_id = finished(runs, another_day)  # readable, but the row enters on the 9th
    view = runs.get(run_id, OWNER)
    assert view.state == "failed"
    assert view.evidence is None
    after = runs_of(root).get(run_id, OWNER)
    assert after.state == "failed"
    assert after.failure_document is not None
    assert after.failure_document["code"] == "invalid_plan"
    assert "refused, the walk-forward stopped before simulating 2021-03-" in str(
        after.failure_document["message"]
    )
    assert [(p["row"], p["field"]) for p in after.failure_document["problems"]] == [
        (1, "entry_datetime")
    ]


def test_an_unfinished_run_without_its_job_is_stopped(root: Path) -> None:
    run_id = finished(runs_of(root))
    (root / run_id / "evidence" / "summary.json").unlink()  # as if killed before the end
    assert runs_of(root).get(run_id, OWNER).state == "stopped"


def test_each_key_keeps_its_newest_runs(root: Path) -> None:
    runs = runs_of(root, runs_kept=2)
    first, second = finished(runs), finished(runs)
    others = finished(runs, owner=OTHER)
    third = finished(runs)
    assert [view.run_id for view in runs.runs(OWNER)] == [third, second]
    assert not (root / first).exists()
    assert [view.run_id for view in runs.runs(OTHER)] == [others]


def test_limits_refuse_before_any_folder(root: Path) -> None:
    runs = runs_of(root, max_trading_days=1)
    week = replace(REQUEST, first=date(2021, 3, 8), last=date(2021, 3, 12))
    with pytest.raises(WalkForwardTooLargeError, match="5 trading days"):
        runs.start(week, [DayPlan("2021-03-08.csv", PLAN)], OWNER)
    assert not root.exists() or list(root.iterdir()) == []
    with pytest.raises(WalkForwardTooLargeError, match="plans: 2 files"):
        runs_of(root, max_plan_files=1).start(
            week, [DayPlan("2021-03-08.csv", PLAN), DayPlan("2021-03-09.csv", PLAN)], OWNER
        )
