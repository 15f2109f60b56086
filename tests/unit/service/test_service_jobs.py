"""The background job registry (service layer): a job's states, its progress, its result or its
error, its owner (another key sees no such job), and the bound on jobs waiting at once."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest

from paperdesk.domain import InvalidInputError, UnknownNameError
from paperdesk.service.jobs import JobRegistry, JobsBusyError, JobState, Progress

WAIT = 60  # seconds: a bound on a wait, never an assertion about speed


@pytest.fixture
def registry() -> Iterator[JobRegistry]:
    jobs = JobRegistry(workers=1, max_pending=2, keep=2)
    yield jobs
    jobs.close()


def test_a_job_reports_progress_then_its_result(registry: JobRegistry) -> None:
    release = threading.Event()
    halfway = threading.Event()

    def work(progress: Progress) -> dict[str, object]:
        progress(1, 3)
        halfway.set()
        assert release.wait(WAIT)
        progress(3, 3)
        return {"answer": "42"}

    job = registry.submit("test", 7, work, total=3)
    assert job.state in (JobState.QUEUED, JobState.RUNNING)
    assert halfway.wait(WAIT)
    running = registry.get(job.job_id, 7)
    assert (running.state, running.done, running.total, running.result) == (
        JobState.RUNNING, 1, 3, None,
    )  # fmt: skip
    release.set()
    assert registry.wait(job.job_id, WAIT)
    done = registry.get(job.job_id, 7)
    assert (done.state, done.done, done.total) == (JobState.SUCCEEDED, 3, 3)
    assert done.result == {"answer": "42"}
    assert done.failure is None
    assert done.started is not None
    assert done.finished is not None


def test_a_failing_job_keeps_its_error(registry: JobRegistry) -> None:
    def work(progress: Progress) -> dict[str, object]:
        raise InvalidInputError("the plan is too large")

    job = registry.submit("test", 7, work)
    assert registry.wait(job.job_id, WAIT)
    failed = registry.get(job.job_id, 7)
    assert failed.state is JobState.FAILED
    assert isinstance(failed.failure, InvalidInputError)
    assert str(failed.failure) == "the plan is too large"
    assert failed.result is None


def test_another_owner_sees_no_such_job(registry: JobRegistry) -> None:
    job = registry.submit("test", 7, lambda progress: {})
    assert registry.wait(job.job_id, WAIT)
    with pytest.raises(UnknownNameError, match="no job with id"):
        registry.get(job.job_id, 8)
    with pytest.raises(UnknownNameError, match="no job with id"):
        registry.get("0" * 32, 7)


def test_jobs_waiting_at_once_are_bounded(registry: JobRegistry) -> None:
    release = threading.Event()

    def blocked(progress: Progress) -> dict[str, object]:
        assert release.wait(WAIT)
        return {}

    first = registry.submit("test", 7, blocked)
    second = registry.submit("test", 7, blocked)
    with pytest.raises(JobsBusyError, match="2 jobs are waiting or running"):
        registry.submit("test", 7, blocked)
    release.set()
    assert registry.wait(first.job_id, WAIT)
    assert registry.wait(second.job_id, WAIT)
    third = registry.submit("test", 7, lambda progress: {})  # room again
    assert registry.wait(third.job_id, WAIT)
    assert registry.get(third.job_id, 7).state is JobState.SUCCEEDED


def test_only_the_newest_finished_jobs_are_kept(registry: JobRegistry) -> None:
    finished = []
    for _ in range(4):
        job = registry.submit("test", 7, lambda progress: {})
        assert registry.wait(job.job_id, WAIT)
        finished.append(job.job_id)
    # keep=2: each submit forgets the oldest finished beyond two, the newest stays
    with pytest.raises(UnknownNameError):
        registry.get(finished[0], 7)
    assert registry.get(finished[-1], 7).state is JobState.SUCCEEDED
