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
from starlette.exceptions import HTTPException

from paperdesk.domain.errors import (
    DataError,
    InvalidInputError,
    OptionError,
    OrderError,
    PaperdeskError,
    StrategyLoadError,
    UnknownNameError,
)

log = logging.getLogger(__name__)

# Most specific first: (exception class, HTTP status, code).
DOMAIN_ERRORS: tuple[tuple[type[PaperdeskError], int, str], ...] = (
    (StrategyLoadError, 422, "invalid_strategy"),
    (OptionError, 422, "invalid_option"),
    (UnknownNameError, 422, "unknown_name"),
    (InvalidInputError, 422, "invalid_input"),
    (OrderError, 409, "order_not_changeable"),
    (DataError, 422, "data_error"),
    (PaperdeskError, 422, "refused"),
)
# Codes a refusing rule carries itself (``error.code``) that are conflicts with the stored state.
CONFLICT_CODES = frozenset({"duplicate_client_order_id"})


class ApiError(Exception):
    """A refusal the API itself makes (unknown id, missing key, wrong scope...)."""

    def __init__(self, status_code: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.code = code
        self.message = message


def not_found(what: str, identifier: object) -> ApiError:
    return ApiError(404, "not_found", f"no {what} with id {identifier}")


def error_body(code: str, message: str, **extra: Any) -> dict[str, Any]:
    return {"code": code, "message": message, **extra}


def domain_status(error: PaperdeskError) -> tuple[int, str]:
    """The status and code of a domain error (a rule's own ``code`` wins)."""
    own = getattr(error, "code", None)
    if isinstance(own, str) and own:
        return (409 if own in CONFLICT_CODES else 422), own
    for kind, status, code in DOMAIN_ERRORS:
        if isinstance(error, kind):
            return status, code
    return 422, "refused"


def _field(location: tuple[Any, ...]) -> str:
    return ".".join(str(part) for part in location)


async def _api_error(_request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, ApiError)
    headers = {"WWW-Authenticate": "Bearer"} if error.status_code == 401 else None
    return JSONResponse(error_body(error.code, error.message), error.status_code, headers)


async def _domain_error(_request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, PaperdeskError)
    status, code = domain_status(error)
    return JSONResponse(error_body(code, str(error)), status)


async def _validation_error(_request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, RequestValidationError)
    problems = [
        {"field": _field(tuple(item.get("loc", ()))), "message": str(item.get("msg", ""))}
        for item in error.errors()
    ]
    message = "; ".join(f"{p['field']}: {p['message']}" for p in problems) or "invalid request"
    return JSONResponse(error_body("validation_error", message, errors=problems), 422)


async def _http_error(_request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, HTTPException)
    codes = {404: "not_found", 405: "method_not_allowed"}
    code = codes.get(error.status_code, "http_error")
    return JSONResponse(error_body(code, str(error.detail)), error.status_code, error.headers)


async def _unexpected(request: Request, error: Exception) -> JSONResponse:
    log.error("unexpected error on %s %s", request.method, request.url.path, exc_info=error)
    return JSONResponse(error_body("internal_error", "internal error (logged)"), 500)


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(ApiError, _api_error)
    app.add_exception_handler(PaperdeskError, _domain_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(HTTPException, _http_error)
    app.add_exception_handler(Exception, _unexpected)
