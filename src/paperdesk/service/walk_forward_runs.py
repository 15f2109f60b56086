"""Walk-forward runs started through the API (issue 13 item 8): each run a background job
(``Services.jobs``) writing its evidence into a folder the SERVER chooses, one per run id, under
``<home>/walkforwards/<ledger digest>/<run id>/``; never a path a client gives.

A run's folder holds ``run.json`` (its owner, the API key's id, its job and its inputs),
``plans/`` (the daily plan files uploaded, written as the files ``paperdesk walkforward --plans``
reads), ``evidence/`` (the walk-forward's evidence folder, exactly what the command writes for
the same inputs) and, when the run failed, ``failure.json``. Everything a run is refused for
(a bad option, a bad plan row, a limit) is refused before its folder stays on disk or a job is
started. A key sees only its own runs; the newest ``runs_kept`` of each key are kept (the
oldest finished ones go when a new one starts). docs/api-plans.md has the rules.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import shutil
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from paperdesk.domain.errors import InvalidInputError, PaperdeskError, UnknownNameError
from paperdesk.domain.fields import marked
from paperdesk.service.jobs import JobState, JobView, Progress
from paperdesk.service.walk_forward import WalkForwardRequest

if TYPE_CHECKING:
    from paperdesk.service.jobs import JobRegistry
    from paperdesk.service.walk_forward import WalkForwardService

__all__ = [
    "DayPlan",
    "RunState",
    "StartedRun",
    "WalkForwardLimits",
    "WalkForwardRunView",
    "WalkForwardRuns",
    "WalkForwardTooLargeError",
    "runs_root",
]

log = logging.getLogger(__name__)

RUN_FILE = "run.json"
FAILURE_FILE = "failure.json"
PLANS = "plans"
EVIDENCE = "evidence"
RUN_ID = re.compile(r"^[0-9a-f]{32}$")
PLAN_NAME = re.compile(r"^\d{4}-\d{2}-\d{2}\.(csv|json)$")
# run states beyond the job's: a run this process has no job for and that has no result
STOPPED = "stopped"
RunState = str  # queued, running, succeeded, failed, stopped


def runs_root(home: Path, database_url: str) -> Path:
    """Where the runs of the ledger at ``database_url`` live: one folder per ledger, so the
    key ids of two ledgers sharing a home never meet."""
    digest = hashlib.sha256(database_url.encode()).hexdigest()[:12]
    return home / "walkforwards" / digest


@dataclass(frozen=True, slots=True)
class WalkForwardLimits:
    """Bounds on one run started through the API, so no request can take the server down
    (the CLI, run by the machine's owner, applies none)."""

    max_trading_days: int = 65
    max_calendar_days: int = 100
    max_plan_files: int = 65
    max_plan_characters: int = 10_000_000
    max_symbols: int = 20
    max_fit_combinations: int = 64
    max_fit_window_days: int = 1000
    max_hold_days: Decimal = Decimal(30)
    runs_kept: int = 20

    def as_dict(self) -> dict[str, object]:
        return {
            "max_trading_days": self.max_trading_days,
            "max_calendar_days": self.max_calendar_days,
            "max_plan_files": self.max_plan_files,
            "max_plan_characters": self.max_plan_characters,
            "max_symbols": self.max_symbols,
            "max_fit_combinations": self.max_fit_combinations,
            "max_fit_window_days": self.max_fit_window_days,
            "max_hold_days": str(self.max_hold_days),
            "runs_kept": self.runs_kept,
        }


class WalkForwardTooLargeError(InvalidInputError):
    """A run beyond its ``WalkForwardLimits``: refused before anything is started."""

    code = "walk_forward_too_large"


@dataclass(frozen=True, slots=True)
class DayPlan:
    """One uploaded daily plan: its file name (``YYYY-MM-DD.csv`` or ``.json``) and text."""

    name: str
    text: str


@dataclass(frozen=True, slots=True)
class StartedRun:
    run_id: str
    job: JobView


@dataclass(frozen=True, slots=True)
class WalkForwardRunView:
    """A run as its owner sees it: its state (the job's while this process runs it), progress
    in days, the failure once failed, and the evidence folder once succeeded."""

    run_id: str
    state: RunState
    done: int
    total: int
    created: datetime
    started: datetime | None
    finished: datetime | None
    inputs: dict[str, Any]
    failure: BaseException | None = None
    failure_document: dict[str, Any] | None = None
    evidence: Path | None = None
    job_id: str | None = None


def _now() -> datetime:
    return datetime.now(UTC)


class WalkForwardRuns:
    """Starts walk-forwards as jobs and answers their state and evidence (module docstring)."""

    def __init__(
        self,
        root: Path,
        walk_forward: WalkForwardService,
        jobs: JobRegistry,
        limits: WalkForwardLimits | None = None,
        now: Callable[[], datetime] = _now,
    ) -> None:
        self._root = root
        self._walk_forward = walk_forward
        self._jobs = jobs
        self.limits = limits or WalkForwardLimits()
        self._now = now

    # ------------------------------------------------------------------------------ start

    def start(
        self, request: WalkForwardRequest, plans: Sequence[DayPlan], owner: int
    ) -> StartedRun:
        """Check ``request`` (its ``out`` and ``plans`` are ignored: the run's folder decides
        them) with ``plans`` (none for a strategy run), then start it as a job of ``owner``.
        A refusal raises before any folder is left or any job started."""
        self._check_limits(request, plans)
        self._check_plans(request, plans)
        run_id = uuid.uuid4().hex
        folder = self._root / run_id
        request = replace(
            request,
            out=folder / EVIDENCE,
            plans=folder / PLANS if plans else None,
            restart=False,
        )
        try:
            self._write_plans(folder, plans)
            total = self._walk_forward.check(request)
            if total > self.limits.max_trading_days:
                raise WalkForwardTooLargeError(
                    f"the period holds {total} trading days; a run through the API takes at "
                    f"most {self.limits.max_trading_days} (split it, or use paperdesk "
                    "walkforward)"
                )
            self._forget_old(owner)
            created = self._now()
            document = {
                "run_id": run_id,
                "owner": owner,
                "created": created.isoformat(),
                "job_id": None,
                "total": total,
                "inputs": request.inputs({}) | {"plans": [plan.name for plan in plans] or None},
            }
            _write_json(folder / RUN_FILE, document)
            job = self._jobs.submit("walkforward", owner, self._work(request, folder), total=total)
        except BaseException:
            shutil.rmtree(folder, ignore_errors=True)
            raise
        _write_json(folder / RUN_FILE, {**document, "job_id": job.job_id})
        return StartedRun(run_id, job)

    def _check_limits(self, request: WalkForwardRequest, plans: Sequence[DayPlan]) -> None:
        limits = self.limits
        problems: list[str] = []
        span = (request.last - request.first).days + 1
        if span > limits.max_calendar_days:
            problems.append(
                f"the period: {span} calendar days (at most {limits.max_calendar_days}; split "
                "it, or use paperdesk walkforward)"
            )
        if len(plans) > limits.max_plan_files:
            problems.append(f"plans: {len(plans)} files (at most {limits.max_plan_files})")
        characters = sum(len(plan.text) for plan in plans)
        if characters > limits.max_plan_characters:
            problems.append(
                f"plans: {characters} characters in all (at most {limits.max_plan_characters})"
            )
        if request.strategy is not None and len(request.symbols) > limits.max_symbols:
            problems.append(f"symbols: {len(request.symbols)} (at most {limits.max_symbols})")
        if request.fit_params:
            combinations = 1
            for _, values in request.fit_params:
                combinations *= len([v for v in values.split(",") if v.strip()])
            if combinations > limits.max_fit_combinations:
                problems.append(
                    f"fit_params: {combinations} combinations (at most "
                    f"{limits.max_fit_combinations})"
                )
        if request.fit_window is not None:
            days = request.fit_window.strip().lower().removesuffix("d")
            if days.isdigit() and int(days) > limits.max_fit_window_days:
                problems.append(f"fit_window: {days} days (at most {limits.max_fit_window_days})")
        if request.max_hold_days is not None and request.max_hold_days > limits.max_hold_days:
            problems.append(
                f"max_hold_days: {request.max_hold_days} (at most {limits.max_hold_days})"
            )
        if problems:
            raise WalkForwardTooLargeError(
                "walk-forward refused, beyond the API's limits: " + "; ".join(problems)
            )

    def _check_plans(self, request: WalkForwardRequest, plans: Sequence[DayPlan]) -> None:
        """Each plan's name, and its rows as the plans reader reads them (the checks that
        need the day's market, a ticker's bars then, are the run's)."""
        from paperdesk.plans.problems import refused_as
        from paperdesk.service.plan_sources import PlanText, read_plan_source

        names: set[str] = set()
        for plan in plans:
            if not PLAN_NAME.fullmatch(plan.name):
                raise InvalidInputError(
                    f"invalid value for plans.name: '{plan.name[:60]}' (expected a daily plan "
                    "file name, YYYY-MM-DD.csv or YYYY-MM-DD.json)"
                )
            if plan.name in names:
                raise InvalidInputError(f"invalid value for plans.name: '{plan.name}' (twice)")
            names.add(plan.name)
            text = PlanText(plan.text, json_format=plan.name.endswith(".json"), source=plan.name)
            with refused_as("nothing run"):
                read_plan_source(text, skip_bad_rows=request.skip_bad_rows)

    @staticmethod
    def _write_plans(folder: Path, plans: Sequence[DayPlan]) -> None:
        folder.mkdir(parents=True, exist_ok=False)
        if plans:
            (folder / PLANS).mkdir()
            for plan in plans:
                (folder / PLANS / plan.name).write_text(plan.text, encoding="utf-8", newline="")

    def _work(self, request: WalkForwardRequest, folder: Path) -> Callable[[Progress], Any]:
        walk_forward = self._walk_forward

        def work(progress: Progress) -> dict[str, object]:
            try:
                report = walk_forward.run(request, lambda done, total, _: progress(done, total))
            except Exception as error:
                _write_json(folder / FAILURE_FILE, failure_document(error))
                raise
            return {
                "run_id": folder.name,
                "days": report.days,
                "summary": report.summary,
            }

        return work

    def _forget_old(self, owner: int) -> None:
        """Make room for one more run of ``owner``: its oldest finished runs beyond
        ``runs_kept - 1`` are removed."""
        mine = sorted(
            (view for view in self._views() if view[1].get("owner") == owner),
            key=lambda view: str(view[1].get("created")),
        )
        excess = len(mine) - (self.limits.runs_kept - 1)
        for folder, document in mine:
            if excess <= 0:
                break
            state = self._view(folder, document).state
            if state in (JobState.QUEUED, JobState.RUNNING):
                continue
            shutil.rmtree(folder, ignore_errors=True)
            excess -= 1

    # ------------------------------------------------------------------------------- read

    def get(self, run_id: str, owner: int) -> WalkForwardRunView:
        """The run, if ``owner`` started it; ``UnknownNameError`` otherwise (no such run, or
        another key's: the same answer)."""
        missing = UnknownNameError(f"no walk-forward run with id {run_id[:64]}")
        if not RUN_ID.fullmatch(run_id):
            raise missing
        folder = self._root / run_id
        document = _read_json(folder / RUN_FILE)
        if document is None or document.get("owner") != owner:
            raise missing
        return self._view(folder, document)

    def runs(self, owner: int) -> list[WalkForwardRunView]:
        """The runs of ``owner``, newest first."""
        views = [
            self._view(folder, document)
            for folder, document in self._views()
            if document.get("owner") == owner
        ]
        return sorted(views, key=lambda view: view.created, reverse=True)

    def evidence(self, view: WalkForwardRunView) -> dict[str, Any]:
        """The evidence document of a run that succeeded (``view.evidence``)."""
        if view.evidence is None:
            raise UnknownNameError(f"walk-forward run {view.run_id} has no evidence yet")
        return evidence_document(view.evidence)

    def _views(self) -> list[tuple[Path, dict[str, Any]]]:
        if not self._root.is_dir():
            return []
        found: list[tuple[Path, dict[str, Any]]] = []
        for folder in self._root.iterdir():
            if RUN_ID.fullmatch(folder.name) and folder.is_dir():
                document = _read_json(folder / RUN_FILE)
                if document is not None:
                    found.append((folder, document))
        return found

    def _view(self, folder: Path, document: dict[str, Any]) -> WalkForwardRunView:
        owner = int(document["owner"])
        total = int(document.get("total") or 0)
        base = WalkForwardRunView(
            run_id=folder.name,
            state=STOPPED,
            done=0,
            total=total,
            created=datetime.fromisoformat(str(document["created"])),
            started=None,
            finished=None,
            inputs=dict(document.get("inputs") or {}),
            job_id=document.get("job_id"),
        )
        evidence = folder / EVIDENCE
        job = self._job(document.get("job_id"), owner)
        if job is not None:
            view = replace(
                base,
                state=job.state.value,
                done=job.done,
                total=job.total,
                started=job.started,
                finished=job.finished,
                failure=job.failure,
            )
            return replace(view, evidence=evidence) if job.state is JobState.SUCCEEDED else view
        # a job this process does not know (restarted): the folder tells
        from paperdesk.service.walk_forward_files import SUMMARY

        failure = _read_json(folder / FAILURE_FILE)
        if failure is not None:
            return replace(base, state=JobState.FAILED.value, failure_document=failure)
        if (evidence / SUMMARY).is_file():
            return replace(base, state=JobState.SUCCEEDED.value, done=total, evidence=evidence)
        return base

    def _job(self, job_id: object, owner: int) -> JobView | None:
        if not isinstance(job_id, str):
            return None
        try:
            return self._jobs.get(job_id, owner)
        except UnknownNameError:
            return None


def failure_document(error: BaseException) -> dict[str, Any]:
    """What ``failure.json`` keeps of a failed run: the error's code, message (its fields
    marked, for the API to name: ``domain.fields``) and, for a plan, its problems (an
    unexpected error: ``internal_error``, its text in the log only)."""
    from paperdesk.plans.problems import PlanError

    if isinstance(error, PlanError):
        return {
            "code": "invalid_plan",
            "message": marked(error),
            "problems": [problem.as_dict() for problem in error.problems],
        }
    if isinstance(error, PaperdeskError):
        code = getattr(error, "code", None)
        return {"code": code if isinstance(code, str) else "refused", "message": marked(error)}
    return {"code": "internal_error", "message": "internal error (logged)"}


def _write_json(path: Path, document: object) -> None:
    from paperdesk.service.walk_forward_files import json_bytes, replace_file

    replace_file(path, json_bytes(document))


def _read_json(path: Path) -> dict[str, Any] | None:
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return document if isinstance(document, dict) else None


def evidence_document(folder: Path) -> dict[str, Any]:
    """The evidence of the folder ``paperdesk walkforward`` wrote: the result report's
    document (``paperdesk.service.result_reports``: summary, equity with drawdown, monthly
    returns, trades, P&L distribution, outcome counts)."""
    from paperdesk.service.result_reports import walk_forward_report

    document = dict(walk_forward_report(folder))
    details = document.get("details")
    if isinstance(details, dict):  # the server's own path is no client's business
        document["details"] = {key: value for key, value in details.items() if key != "folder"}
    return document
