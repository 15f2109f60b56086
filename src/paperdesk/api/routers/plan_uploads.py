"""The plan endpoints with the plan as a multipart file upload (``curl -F file=@plan.csv``)
instead of text in a JSON body: ``.../upload`` beside each, the other options as one form
field ``options`` holding the JSON object the JSON endpoint takes (without ``plan``). The file
is read by the same reader (``PlanText.of_upload``: UTF-8, the size bound, ``.json`` is JSON
unless ``options.format`` says otherwise) and the JSON endpoint's code runs on the result."""

from __future__ import annotations

import json
import re
from pathlib import PurePath
from typing import Annotated, TypeVar

from fastapi import APIRouter, File, Form, Query, Request, UploadFile
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import ValidationError

from paperdesk.api.dependencies import PortfolioId, Reader, ServicesDep, Trader
from paperdesk.api.plan_schemas import (
    PlanExecuteIn,
    PlanExecutionOut,
    PlanFilterIn,
    PlanFilterOut,
    PlanUpload,
    SimulationIn,
    SimulationOut,
)
from paperdesk.api.query_parameters import QueryCheckedRoute
from paperdesk.api.routers import plans
from paperdesk.service.plan_sources import MAX_PLAN_BYTES, PlanText

M = TypeVar("M", bound=PlanUpload)
router = APIRouter(tags=["plans"], route_class=QueryCheckedRoute)
_SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]")
PlanFile = Annotated[UploadFile, File(description="the plan: CSV, or JSON when named .json")]
Options = Annotated[
    str,
    Form(
        max_length=10_000,
        description="the JSON endpoint's options as a JSON object, e.g. "
        '{"mode": "fast", "capital": "50000"}',
    ),
]


def _body(model: type[M], upload: UploadFile, options: str) -> M:
    """The JSON endpoint's request from the uploaded file and the options; a bad option is a
    validation error naming it, as in the JSON endpoint."""
    try:
        document = json.loads(options)
    except ValueError as error:
        raise RequestValidationError(
            [{"loc": ("body", "options"), "msg": f"a JSON object: {error}", "type": "json"}]
        ) from None
    if not isinstance(document, dict):
        raise RequestValidationError(
            [{"loc": ("body", "options"), "msg": "a JSON object", "type": "json"}]
        )
    name = _safe_name(upload.filename)
    chosen = document.get("format")
    json_format = None if chosen not in ("csv", "json") else chosen == "json"
    text = PlanText.of_upload(upload.file.read(MAX_PLAN_BYTES + 1), name, json_format)
    fields = {
        **document,
        "plan": text.text,
        "name": name,
        "format": "json" if text.json_format else "csv",
    }
    try:
        return model.model_validate(fields)
    except ValidationError as error:
        problems = [{**item, "loc": ("body", "options", *item["loc"])} for item in error.errors()]
        raise RequestValidationError(problems) from None


def _safe_name(name: str | None) -> str:
    """The upload's own file name, reduced to safe characters (it names the plan in messages)."""
    base = _SAFE_NAME.sub("_", PurePath(name or "").name)[:100].lstrip(".")
    return base or "upload.csv"


@router.post("/plans/filter/upload", response_model=PlanFilterOut, responses=plans.ERRORS)
def filter_upload(
    file: PlanFile, container: ServicesDep, key: Reader, options: Options = "{}"
) -> PlanFilterOut:
    """``POST /plans/filter`` with the plan as a file."""
    return plans.filter_plan(_body(PlanFilterIn, file, options), container, key)


@router.post(
    "/portfolios/{portfolio_id}/plans/upload",
    response_model=PlanExecutionOut,
    responses=plans.ERRORS,
)
def execute_upload(
    portfolio_id: PortfolioId,
    file: PlanFile,
    request: Request,
    container: ServicesDep,
    key: Trader,
    options: Options = "{}",
    idempotency_key: plans.IdempotencyKey = None,
) -> JSONResponse:
    """``POST /portfolios/{id}/plans`` with the plan as a file."""
    body = _body(PlanExecuteIn, file, options)
    return plans.execute_plan(portfolio_id, body, request, container, key, idempotency_key)


@router.post(
    "/simulations/upload", response_model=SimulationOut, responses=plans.SIMULATION_RESPONSES
)
def simulate_upload(
    file: PlanFile,
    container: ServicesDep,
    key: Reader,
    options: Options = "{}",
    background: Annotated[bool, Query(description="run as a background job (202)")] = False,
) -> JSONResponse:
    """``POST /simulations`` with the plan as a file (``options`` holds ``timeframe``)."""
    return plans.simulate(_body(SimulationIn, file, options), container, key, background)
