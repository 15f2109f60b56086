"""Background jobs for long work started through the API (a big simulation now, the
walk-forward later): a small registry in the service layer running each job in a thread pool of
the process that started it.

Why this shape: a request must answer in seconds, and long work must not hold a request thread
(the API serves a bounded number at once). ``submit`` checks nothing itself: the caller has
already validated the input (a bad plan is a 422 at once, never a failed job), so a job fails
only on what could not be known before running it. A job belongs to the API key that started
it: ``get`` with another owner answers as for no job (ids do not leak). Jobs live in memory:
a restart forgets them (their work wrote nothing to the ledger, so nothing is lost but the
answer). Finished jobs are kept up to ``keep`` (the oldest finished go first), and at most
``max_pending`` jobs may wait or run at once, so a client cannot grow the process without bound.
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from enum import StrEnum

from paperdesk.domain.errors import PaperdeskError, UnknownNameError

log = logging.getLogger(__name__)

__all__ = ["JobRegistry", "JobState", "JobView", "JobsBusyError", "Progress"]

# progress(done, total): called by the work as it goes
Progress = Callable[[int, int], None]
Work = Callable[[Progress], dict[str, object]]


class JobState(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


class JobsBusyError(PaperdeskError):
    """Too many jobs waiting or running: try again when one has finished."""

    code = "too_many_jobs"


@dataclass(frozen=True, slots=True)
class JobView:
    """A job as its owner sees it: ``result`` once it succeeded (a JSON document), ``failure``
    (the exception) once it failed; ``done``/``total`` count its steps."""

    job_id: str
    kind: str
    owner: int
    state: JobState
    created: datetime
    done: int = 0
    total: int = 0
    result: dict[str, object] | None = None
    failure: BaseException | None = None
    started: datetime | None = None
    finished: datetime | None = None

    @property
    def is_finished(self) -> bool:
        return self.state in (JobState.SUCCEEDED, JobState.FAILED)


def _now() -> datetime:
    return datetime.now(UTC)


class JobRegistry:
    """Runs submitted work in ``workers`` threads and keeps each job's state (module
    docstring)."""

    def __init__(
        self,
        *,
        workers: int = 2,
        max_pending: int = 16,
        keep: int = 200,
        now: Callable[[], datetime] = _now,
    ) -> None:
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="paperdesk-job")
        self._max_pending = max_pending
        self._keep = keep
        self._now = now
        self._lock = threading.Lock()
        self._jobs: OrderedDict[str, JobView] = OrderedDict()
        self._finished_events: dict[str, threading.Event] = {}

    def submit(self, kind: str, owner: int, work: Work, *, total: int = 0) -> JobView:
        """Queue ``work`` (called with a ``Progress``); the job's id is random, unguessable."""
        with self._lock:
            pending = sum(1 for job in self._jobs.values() if not job.is_finished)
            if pending >= self._max_pending:
                raise JobsBusyError(
                    f"{pending} jobs are waiting or running (the limit); retry when one has "
                    "finished"
                )
            job = JobView(uuid.uuid4().hex, kind, owner, JobState.QUEUED, self._now(), 0, total)
            self._jobs[job.job_id] = job
            self._finished_events[job.job_id] = threading.Event()
            self._forget_old()
        self._pool.submit(self._run, job.job_id, work)
        return job

    def get(self, job_id: str, owner: int) -> JobView:
        """The job, if ``owner`` started it; ``UnknownNameError`` otherwise (no such job, or
        another key's: the same answer)."""
        with self._lock:
            job = self._jobs.get(job_id)
        if job is None or job.owner != owner:
            raise UnknownNameError(f"no job with id {job_id}")
        return job

    def wait(self, job_id: str, timeout: float | None = None) -> bool:
        """Block until the job has finished (True) or ``timeout`` seconds passed (False)."""
        with self._lock:
            event = self._finished_events.get(job_id)
        return True if event is None else event.wait(timeout)

    def close(self) -> None:
        """Stop taking jobs; queued ones are canceled, running ones finish in their thread."""
        self._pool.shutdown(wait=False, cancel_futures=True)

    def _update(self, job_id: str, **changes: object) -> None:
        with self._lock:
            job = self._jobs.get(job_id)
            if job is not None:
                self._jobs[job_id] = replace(job, **changes)  # type: ignore[arg-type]

    def _run(self, job_id: str, work: Work) -> None:
        self._update(job_id, state=JobState.RUNNING, started=self._now())

        def progress(done: int, total: int) -> None:
            self._update(job_id, done=done, total=total)

        try:
            result = work(progress)
        except Exception as error:
            if not isinstance(error, PaperdeskError):
                log.error("job %s failed", job_id, exc_info=error)
            self._update(job_id, state=JobState.FAILED, failure=error, finished=self._now())
        else:
            self._update(job_id, state=JobState.SUCCEEDED, result=result, finished=self._now())
        finally:
            with self._lock:
                event = self._finished_events.pop(job_id, None)
            if event is not None:
                event.set()

    def _forget_old(self) -> None:
        """Drop the oldest finished jobs beyond ``keep`` (under the lock)."""
        finished = [job_id for job_id, job in self._jobs.items() if job.is_finished]
        for job_id in finished[: max(0, len(finished) - self._keep)]:
            del self._jobs[job_id]
