"""Walk-forwards over the API (issue 13 item 8; docs/api-plans.md): start one as a background
job (``paperdesk walkforward``'s options in a JSON body, the daily plans inline), follow its
progress in days, and read its evidence once finished. Transport only: the run is the
service's (``Services.walk_forward_runs``), the same walk-forward as the command's."""

from __future__ import annotations

import logging
import re
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Path, Query
from fastapi.responses import JSONResponse

from paperdesk.api.dependencies import Reader, ServicesDep, Trader
from paperdesk.api.errors import ApiError, api_words, domain_error_body, not_found
from paperdesk.api.plan_schemas import JobError, JobProgress, PlanErrorOut
from paperdesk.api.query_parameters import QueryCheckedRoute
from paperdesk.api.schemas import ErrorOut
from paperdesk.api.walk_forward_schemas import (
    TradesPage,
    WalkForwardIn,
    WalkForwardListOut,
    WalkForwardOut,
    WalkForwardStartedOut,
)
from paperdesk.domain import UnknownNameError
from paperdesk.domain.errors import OptionError, PaperdeskError
from paperdesk.domain.fields import as_field, named
from paperdesk.service.jobs import JobsBusyError
from paperdesk.service.walk_forward import WalkForwardRequest, month_period
from paperdesk.service.walk_forward_runs import DayPlan, WalkForwardRunView

log = logging.getLogger(__name__)
router = APIRouter(tags=["walk-forward"], route_class=QueryCheckedRoute)
RunId = Annotated[str, Path(min_length=1, max_length=64)]
ERRORS: dict[int | str, dict[str, object]] = {
    **{status: {"model": ErrorOut} for status in (401, 403, 404, 429)},
    422: {"model": PlanErrorOut},
}
MAX_TRADES_PAGE = 1000
# The server's folder of the uploaded plans: never in an answer.
_PLANS_FOLDER = re.compile(r"\bplans: '[^']*'")


def _field_names(message: str) -> str:
    return _PLANS_FOLDER.sub("plans: the upload", message)


def _request(body: WalkForwardIn) -> WalkForwardRequest:
    from pathlib import Path as FilePath

    if body.month is not None:
        first, last = month_period(body.month)
    else:
        first, last = body.start or date.min, body.end or date.min  # the model requires both
    return WalkForwardRequest(
        out=FilePath(),  # the service chooses the run's folder
        first=first,
        last=last,
        strategy=body.strategy,
        params=tuple(body.params.items()),
        symbols=tuple(symbol.strip().upper() for symbol in body.symbols),
        mode=body.mode,
        capital=body.capital,
        exposure_cap=body.exposure_cap,
        timeframe=body.timeframe,
        resolve_with=body.resolve_with,
        entry=body.entry,
        max_hold_days=body.max_hold_days,
        slippage_bps=body.slippage_bps,
        commission=body.commission,
        spread_pips=body.spread_pips,
        skip_bad_rows=body.skip_bad_rows,
        fit_window=f"{body.fit_window}d" if body.fit_window is not None else None,
        fit_params=tuple((key, ",".join(values)) for key, values in body.fit_params.items()),
        refit_every=body.refit_every,
        stop_loss_priority=body.stop_loss_priority,
        eod_close=body.eod_close,
    )


@router.post(
    "/walkforwards",
    status_code=202,
    response_model=WalkForwardStartedOut,
    responses=ERRORS,
)
def start_walk_forward(body: WalkForwardIn, container: ServicesDep, key: Trader) -> JSONResponse:
    """Start a walk-forward (``paperdesk walkforward``) as a background job: 202 with the run
    and its job (``Location: /api/v1/walkforwards/{run_id}``). Everything is checked first (a
    bad option or plan row is 422 and starts nothing); bounded (docs/api-plans.md)."""
    plans = [DayPlan(plan.name, plan.plan) for plan in body.plans or ()]
    try:
        started = container.walk_forward_runs.start(_request(body), plans, key.id)
    except JobsBusyError as error:
        raise ApiError(429, "too_many_jobs", api_words(error), {"Retry-After": "5"}) from None
    except OptionError as error:
        raise OptionError(_field_names(api_words(error))) from None
    job = started.job
    answer = WalkForwardStartedOut(
        run_id=started.run_id,
        job_id=job.job_id,
        state=job.state.value,
        progress=JobProgress(done=job.done, total=job.total),
        created=job.created,
    )
    return JSONResponse(
        answer.model_dump(mode="json"),
        202,
        {"Location": f"/api/v1/walkforwards/{started.run_id}"},
    )


@router.get("/walkforwards", response_model=WalkForwardListOut, responses=ERRORS)
def list_walk_forwards(container: ServicesDep, key: Reader) -> WalkForwardListOut:
    """The key's runs, newest first: state and progress (read one for its evidence)."""
    views = container.walk_forward_runs.runs(key.id)
    return WalkForwardListOut(runs=[WalkForwardOut.of(view, _error(view)) for view in views])


@router.get("/walkforwards/{run_id}", response_model=WalkForwardOut, responses=ERRORS)
def read_walk_forward(
    run_id: RunId,
    container: ServicesDep,
    key: Reader,
    trades_offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
    trades_limit: Annotated[int, Query(ge=1, le=MAX_TRADES_PAGE)] = 100,
) -> WalkForwardOut:
    """A run's state and progress (days done of total) and, once it succeeded, its evidence:
    the summary, the daily equity with its drawdown, the monthly returns, the outcome counts,
    and a page of its trades (``trades_offset``, ``trades_limit``). Another key's run is 404,
    as a run that does not exist."""
    runs = container.walk_forward_runs
    try:
        view = runs.get(run_id, key.id)
    except UnknownNameError:
        raise not_found("walk-forward run", run_id[:64]) from None
    if view.evidence is None:
        return WalkForwardOut.of(view, _error(view))
    document = runs.evidence(view)
    trades = list(document.pop("trades", []))
    page = TradesPage(
        total=len(trades),
        offset=trades_offset,
        limit=trades_limit,
        items=trades[trades_offset : trades_offset + trades_limit],
    )
    return WalkForwardOut.of(view, None, document, page)


def _error(view: WalkForwardRunView) -> JobError | None:
    failure = view.failure
    if failure is not None:
        if isinstance(failure, PaperdeskError):
            _, body = domain_error_body(failure)
            return JobError.model_validate(body)
        return JobError(code="internal_error", message="internal error (logged)")
    if view.failure_document is not None:
        document = view.failure_document
        return JobError.model_validate(
            {**document, "message": named(document["message"], as_field)}
        )
    return None
