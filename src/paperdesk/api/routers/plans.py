"""Trade plans and the intraday simulator over the API (issue 13 item 8; docs/api-plans.md):
filter a plan, execute it into a portfolio, reconcile a portfolio, simulate a plan (at once, or
as a background job), and read a job. Transport only: every operation is the service's (the
same calls as ``paperdesk plan``, ``paperdesk simulate`` and ``paperdesk reconcile``)."""

from __future__ import annotations

import logging
from typing import Annotated

from fastapi import APIRouter, Header, Path, Query, Request
from fastapi.responses import JSONResponse

from paperdesk.api.dependencies import (
    PortfolioId,
    Reader,
    ServicesDep,
    Trader,
    active_portfolio,
)
from paperdesk.api.errors import ApiError, api_words, domain_error_body, not_found
from paperdesk.api.idempotency import request_hash, run_once
from paperdesk.api.plan_schemas import (
    JobError,
    JobOut,
    PlanErrorOut,
    PlanExecuteIn,
    PlanExecutionOut,
    PlanFilterIn,
    PlanFilterOut,
    ReconcileOut,
    SimulationIn,
    SimulationOut,
)
from paperdesk.api.query_parameters import QueryCheckedRoute
from paperdesk.api.schemas import ErrorOut
from paperdesk.domain import UnknownNameError
from paperdesk.domain.errors import PaperdeskError
from paperdesk.service.jobs import JobsBusyError, JobView, Progress
from paperdesk.service.plans import EntryType, FitRule, PlanSettings
from paperdesk.service.simulations import SimulationLimits, SimulationRequest

log = logging.getLogger(__name__)
router = APIRouter(tags=["plans"], route_class=QueryCheckedRoute)
IdempotencyKey = Annotated[str | None, Header(alias="Idempotency-Key")]
JobId = Annotated[str, Path(min_length=1, max_length=64)]
ERRORS: dict[int | str, dict[str, object]] = {
    **{status: {"model": ErrorOut} for status in (401, 403, 404, 409, 429)},
    422: {"model": PlanErrorOut},
}
# A request's simulation: bounded so no request can take the server down (docs/api-plans.md).
LIMITS = SimulationLimits()
# A plan of more rows than this is simulated as a background job (202 and a job id).
BACKGROUND_ROWS = 100


def _settings(body: PlanFilterIn | PlanExecuteIn) -> PlanSettings:
    return PlanSettings(
        exposure_cap=body.exposure_cap,
        max_position_fraction=body.max_position,
        fit=FitRule.TRIM if body.trim else FitRule.KEEP,
        entry_type=body.entry if isinstance(body, PlanExecuteIn) else EntryType.LIMIT,
    )


@router.post("/plans/filter", response_model=PlanFilterOut, responses=ERRORS)
def filter_plan(body: PlanFilterIn, container: ServicesDep, key: Reader) -> PlanFilterOut:
    """Filter a plan by an execution mode under the exposure cap (``paperdesk plan filter``):
    the kept rows in rank order and the audit. Writes nothing."""
    result = container.plans.filter(
        body.plan_text(),
        mode=body.mode,
        capital=body.capital,
        settings=_settings(body),
        skip_bad_rows=body.skip_bad_rows,
    )
    return PlanFilterOut.of(result)


@router.post("/portfolios/{portfolio_id}/plans", response_model=PlanExecutionOut, responses=ERRORS)
def execute_plan(
    portfolio_id: PortfolioId,
    body: PlanExecuteIn,
    request: Request,
    container: ServicesDep,
    key: Trader,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    """Place a plan into the portfolio as bracket orders (``paperdesk plan execute``), in one
    transaction, once per (plan date, row): a row placed before is ``already placed``. A bad
    plan is 422 ``invalid_plan`` listing every problem (row, field), and nothing is placed."""
    active_portfolio(container, key, portfolio_id)

    def execute() -> tuple[int, PlanExecutionOut]:
        execution = container.plans.execute(
            portfolio_id,
            body.plan_text(),
            mode=body.mode,
            settings=_settings(body),
            plan_date=body.plan_date,
            skip_bad_rows=body.skip_bad_rows,
        )
        return 200, PlanExecutionOut.of(execution)

    fingerprint = request_hash("POST", request.url.path, body)
    return run_once(container, key, idempotency_key, fingerprint, execute)


@router.post("/portfolios/{portfolio_id}/reconcile", response_model=ReconcileOut, responses=ERRORS)
def reconcile(
    portfolio_id: PortfolioId,
    request: Request,
    container: ServicesDep,
    key: Trader,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    """Mark the portfolio to market at its latest prices and append the point to its equity
    ledger (``paperdesk reconcile``)."""
    active_portfolio(container, key, portfolio_id)

    def mark() -> tuple[int, ReconcileOut]:
        return 200, ReconcileOut.of(container.plans.reconcile(portfolio_id))

    fingerprint = request_hash("POST", request.url.path, None)
    return run_once(container, key, idempotency_key, fingerprint, mark)


SIMULATION_RESPONSES: dict[int | str, dict[str, object]] = {
    **ERRORS,
    202: {"model": JobOut, "description": "started as a background job"},
}


@router.post("/simulations", response_model=SimulationOut, responses=SIMULATION_RESPONSES)
def simulate(
    body: SimulationIn,
    container: ServicesDep,
    key: Reader,
    background: Annotated[bool, Query(description="run as a background job (202)")] = False,
) -> JSONResponse:
    """Walk a plan over real candles (``paperdesk simulate``): each trade's outcome and the
    summary. The plan and options are checked first (a bad one is 422 at once); a plan of more
    than 100 rows, or ``?background=true``, runs as a job: 202 with the job to poll at
    ``GET /api/v1/jobs/{job_id}``. Bounded: see docs/api-plans.md for the limits."""
    simulations = container.simulations
    prepared = simulations.prepare(
        SimulationRequest(
            plan=body.plan_text(),
            timeframe=body.timeframe,
            mode=body.mode,
            max_hold_days=body.max_hold_days,
            resolve_with=body.resolve_with,
            entry=body.entry,
            slippage_bps=body.slippage_bps,
            commission=body.commission,
            spread_pips=body.spread_pips,
            plan_date=body.plan_date,
            skip_bad_rows=body.skip_bad_rows,
            stop_loss_priority=body.stop_loss_priority,
            eod_close=body.eod_close,
        ),
        LIMITS,
    )
    if not background and prepared.rows <= BACKGROUND_ROWS:
        document = simulations.run(prepared).document()
        return JSONResponse(SimulationOut.model_validate(document).model_dump(mode="json"))

    def work(progress: Progress) -> dict[str, object]:
        report = simulations.run(prepared, progress=progress)
        return SimulationOut.model_validate(report.document()).model_dump(mode="json")

    try:
        job = container.jobs.submit("simulation", key.id, work, total=prepared.steps)
    except JobsBusyError as error:
        raise ApiError(429, "too_many_jobs", api_words(error), {"Retry-After": "5"}) from None
    return JSONResponse(
        JobOut.of(job).model_dump(mode="json"),
        202,
        {"Location": f"/api/v1/jobs/{job.job_id}"},
    )


@router.get(
    "/jobs/{job_id}",
    response_model=JobOut,
    responses={status: {"model": ErrorOut} for status in (401, 403, 404, 422, 429)},
)
def read_job(job_id: JobId, container: ServicesDep, key: Reader) -> JobOut:
    """A background job's state, progress (steps done of total) and, once finished, its
    result or its error. Another key's job is 404, as a job that does not exist."""
    try:
        job = container.jobs.get(job_id, key.id)
    except UnknownNameError:
        raise not_found("job", job_id) from None
    return JobOut.of(job, _job_error(job))


def _job_error(job: JobView) -> JobError | None:
    failure = job.failure
    if failure is None:
        return None
    if isinstance(failure, PaperdeskError):
        _, body = domain_error_body(failure)
        return JobError.model_validate(body)
    return JobError(code="internal_error", message="internal error (logged)")
