"""Errors as JSON (``{"code", "message"}``), mapped from the domain's exceptions in one place.

A refused request changes nothing (the service validates before it writes, in one transaction);
input never reaches the catch-all, which logs a genuine bug and answers a generic 500.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from starlette.exceptions import HTTPException

from paperdesk.api.request_fields import file_fields
from paperdesk.domain.errors import (
    DataError,
    InvalidInputError,
    LedgerUnavailableError,
    OptionError,
    OrderError,
    PaperdeskError,
    StateConflictError,
    StrategyLoadError,
    UnknownNameError,
)
from paperdesk.domain.fields import as_field
from paperdesk.service.plans import PlanError

log = logging.getLogger(__name__)

# Most specific first: (exception class, HTTP status, code).
DOMAIN_ERRORS: tuple[tuple[type[PaperdeskError], int, str], ...] = (
    (StrategyLoadError, 422, "invalid_strategy"),
    (OptionError, 422, "invalid_option"),
    (UnknownNameError, 422, "unknown_name"),
    (InvalidInputError, 422, "invalid_input"),
    (OrderError, 409, "order_not_changeable"),
    (LedgerUnavailableError, 503, "ledger_unavailable"),
    (DataError, 422, "data_error"),
    (PaperdeskError, 422, "refused"),
)
FORM = "application/x-www-form-urlencoded"
# Codes a refusing rule carries itself (``error.code``) that are conflicts with the stored state
# or the market's (an order that must execute now while its market is closed).
CONFLICT_CODES = frozenset({"duplicate_client_order_id", "market_closed"})


class ApiError(Exception):
    """A refusal the API itself makes (unknown id, missing key, wrong scope, rate limit...)."""

    def __init__(
        self,
        status_code: int,
        code: str,
        message: str,
        headers: dict[str, str] | None = None,
        **extra: Any,
    ) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.code = code
        self.message = message
        self.headers = headers
        self.extra = extra  # more fields of the body (``problems``...)


def api_words(error: BaseException) -> str:
    """The message of ``error`` naming the request's JSON fields (``stop_loss``), never the
    command line's options (``--stop-loss``): see ``domain.fields``."""
    return error.named_by(as_field) if isinstance(error, PaperdeskError) else str(error)


def not_found(what: str, identifier: object) -> ApiError:
    return ApiError(404, "not_found", f"no {what} with id {identifier}")


def error_body(code: str, message: str, **extra: Any) -> dict[str, Any]:
    return {"code": code, "message": message, **extra}


def _request_id(request: Request) -> str | None:
    identifier = getattr(request.state, "request_id", None)
    return identifier if isinstance(identifier, str) else None


def _answer(
    request: Request,
    body: dict[str, Any],
    status: int,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    """The error response, with the request's id in the body (a client quotes it when it
    reports a problem) and on the ``X-Request-ID`` header."""
    identifier = _request_id(request)
    if identifier is None:
        return JSONResponse(body, status, headers)
    return JSONResponse(
        {**body, "request_id": identifier}, status, {**(headers or {}), "X-Request-ID": identifier}
    )


def domain_status(error: PaperdeskError) -> tuple[int, str]:
    """The status and code of a domain error (a rule's own ``code`` wins; a conflict with the
    stored state is 409)."""
    if isinstance(error, StateConflictError):
        return 409, error.code
    own = getattr(error, "code", None)
    if isinstance(own, str) and own:
        return (409 if own in CONFLICT_CODES else 422), own
    for kind, status, code in DOMAIN_ERRORS:
        if isinstance(error, kind):
            return status, code
    return 422, "refused"


def _field(location: tuple[Any, ...]) -> str:
    return ".".join(str(part) for part in location)


async def _api_error(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, ApiError)
    headers = dict(error.headers or {})
    if error.status_code == 401:
        headers["WWW-Authenticate"] = "Bearer"
    body = error_body(error.code, error.message, **error.extra)
    return _answer(request, body, error.status_code, headers)


def domain_error_body(error: PaperdeskError) -> tuple[int, dict[str, Any]]:
    """The status and body of a domain error. A refused trade plan
    (``PlanError``) is ``invalid_plan`` with every problem as ``{row, field, value, expected,
    message}``, so a client can point at each bad cell without parsing the message."""
    if isinstance(error, PlanError):
        listed = [problem.as_dict() for problem in error.problems]
        return 422, error_body("invalid_plan", api_words(error), problems=listed)
    status, code = domain_status(error)
    return status, error_body(code, api_words(error))


async def _domain_error(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, PaperdeskError)
    status, body = domain_error_body(error)  # the message names the JSON fields
    return _answer(request, body, status)


def _json_position(document: object, position: int) -> str:
    """``line 1, column 17`` of the character at ``position`` of the refused body."""
    if not isinstance(document, str) or not 0 <= position <= len(document):
        return f"character {position + 1}"
    line = document.count("\n", 0, position) + 1
    column = position - document.rfind("\n", 0, position)
    return f"line {line}, column {column}"


def _validation_problem(item: dict[str, Any], request: Request, document: object) -> dict[str, str]:
    """One problem as ``{field, message}``. A body that is not JSON names the body and the
    reason (FastAPI's own words are ``body.16: JSON decode error``), and a body FastAPI did not
    read as JSON (no ``Content-Type: application/json``) says so, where FastAPI's words are
    ``Input should be a valid dictionary``."""
    location = tuple(item.get("loc", ()))
    if item.get("type") == "json_invalid" and len(location) == 2:
        reason = str((item.get("ctx") or {}).get("error", "invalid JSON"))
        where = _json_position(document, int(location[1]))
        return {"field": "body", "message": f"the body is not valid JSON: {reason} at {where}"}
    if location == ("body",) and isinstance(item.get("input"), bytes):
        content_type = request.headers.get("content-type")
        sent = f"'{content_type}'" if content_type else "none"
        return {
            "field": "body",
            "message": "send the body as a JSON object with the header "
            f"Content-Type: application/json (this request's Content-Type: {sent})",
        }
    return {"field": _field(location), "message": str(item.get("msg", ""))}


def _file_fields(request: Request) -> list[str]:
    """The names of the file fields of the matched route's form body (none: it takes no file)."""
    route = request.scope.get("route")
    return file_fields(route.dependant) if isinstance(route, APIRoute) else []


def _not_multipart(request: Request, errors: list[dict[str, Any]]) -> dict[str, str] | None:
    """A route that takes a file sent a body of another kind (JSON, say): one problem saying
    how to send it, where FastAPI's words are ``body.archive: Field required``."""
    files = _file_fields(request) if any(e.get("loc", ())[:1] == ("body",) for e in errors) else []
    content_type = request.headers.get("content-type")
    if not files or (content_type or "").lower().startswith("multipart/form-data"):
        return None
    named = ", ".join(f"'{name}'" for name in files)
    sent = f"'{content_type}'" if content_type else "none"
    return {
        "field": "body",
        "message": f"send the body as multipart/form-data with the file field {named} "
        f"(this request's Content-Type: {sent})",
    }


async def _validation_error(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, RequestValidationError)
    items = list(error.errors())
    multipart = _not_multipart(request, items)
    if multipart is not None:
        # a urlencoded form was read as a form: its fields' problems (the file's too) stand;
        # a body of another kind (JSON) was not read at all: FastAPI's body problems are noise
        content_type = (request.headers.get("content-type") or "").lower()
        if not content_type.startswith(FORM):
            items = [item for item in items if item.get("loc", ())[:1] != ("body",)]
        problems = [multipart, *(_validation_problem(i, request, error.body) for i in items)]
    else:
        problems = [_validation_problem(item, request, error.body) for item in items]
    message = "; ".join(f"{p['field']}: {p['message']}" for p in problems) or "invalid request"
    return _answer(request, error_body("validation_error", message, errors=problems), 422)


async def _http_error(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, HTTPException)
    codes = {404: "not_found", 405: "method_not_allowed"}
    code = codes.get(error.status_code, "http_error")
    headers = dict(error.headers) if error.headers else None
    return _answer(request, error_body(code, str(error.detail)), error.status_code, headers)


async def _unexpected(request: Request, error: Exception) -> JSONResponse:
    identifier = _request_id(request)
    log.error(
        "unexpected error on %s %s",
        request.method,
        request.url.path,
        exc_info=error,
        extra={"request_id": identifier},  # the middleware's context has ended by now
    )
    return _answer(request, error_body("internal_error", "internal error (logged)"), 500)


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(ApiError, _api_error)
    app.add_exception_handler(PaperdeskError, _domain_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(HTTPException, _http_error)
    app.add_exception_handler(Exception, _unexpected)
