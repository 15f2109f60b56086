"""Errors in Alpaca's format (``{"code": 40010001, "message": ...}``) with Alpaca's statuses,
so alpaca-py raises its ``APIError`` with the status, code and message a bot expects.

The mapping (documented in docs/alpaca.md): a malformed request is 422 ``40010001`` naming the
field; a missing or bad key 401 ``40110000``; a key that may not do this (wrong scope, not
limited to one portfolio) or too little cash, buying power or margin 403 ``40310000``; an
unknown order, position or asset 404 ``40410000``; a refusal by a rule (an order that cannot
be changed any more, a price off the tick...) 422 ``42210000``. A refused request changes
nothing, as everywhere in the API. A message names the request's fields as Alpaca does
(``qty``, ``stop_loss.stop_price``), never paperdesk's command-line options (``ALPACA_FIELDS``).
"""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from paperdesk.api.errors import domain_status
from paperdesk.domain.errors import PaperdeskError
from paperdesk.domain.fields import renamed

log = logging.getLogger(__name__)

BAD_REQUEST = 40010001
UNAUTHORIZED = 40110000
FORBIDDEN = 40310000
NOT_FOUND = 40410000
METHOD_NOT_ALLOWED = 40510000
UNPROCESSABLE = 42210000
RATE_LIMITED = 42910000
INTERNAL = 50010000
# paperdesk's refusal codes that Alpaca answers with another status and code.
REFUSALS: dict[str, tuple[int, int]] = {
    # too little to pay for it, whatever the account's kind: Alpaca's "insufficient buying power"
    "insufficient_cash": (403, FORBIDDEN),
    "insufficient_buying_power": (403, FORBIDDEN),
    "insufficient_margin": (403, FORBIDDEN),
    "duplicate_client_order_id": (422, BAD_REQUEST),
    "order_not_changeable": (422, UNPROCESSABLE),
}

# paperdesk's order fields (the REST API's JSON names) as Alpaca's order request names them;
# the rest are the same words (symbol, side, type, limit_price, time_in_force...).
ALPACA_FIELDS = renamed(
    {
        "quantity": "qty",
        "stop_loss": "stop_loss.stop_price",
        "take_profit": "take_profit.limit_price",
    }
)


class AlpacaError(Exception):
    """A refusal of the Alpaca endpoint itself (bad key, unknown order...)."""

    def __init__(
        self, status_code: int, code: int, message: str, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.code = code
        self.message = message
        self.headers = headers


def not_found(what: str, identifier: object) -> AlpacaError:
    return AlpacaError(404, NOT_FOUND, f"{what} not found: {identifier}")


def bad_request(message: str) -> AlpacaError:
    return AlpacaError(422, BAD_REQUEST, message)


def body(code: int, message: str) -> dict[str, object]:
    return {"code": code, "message": message}


def domain_refusal(error: PaperdeskError) -> tuple[int, int]:
    """Alpaca's status and code for a refusal of the service (see the module docstring)."""
    _status, code = domain_status(error)
    return REFUSALS.get(code, (422, UNPROCESSABLE))


async def _alpaca_error(_request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, AlpacaError)
    return JSONResponse(body(error.code, error.message), error.status_code, error.headers)


async def _domain_error(_request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, PaperdeskError)
    status, code = domain_refusal(error)
    return JSONResponse(body(code, error.named_by(ALPACA_FIELDS)), status)


async def _validation_error(_request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, RequestValidationError)
    problems = [
        f"{'.'.join(str(p) for p in item.get('loc', ()))}: {item.get('msg', '')}"
        for item in error.errors()
    ]
    return JSONResponse(body(BAD_REQUEST, "; ".join(problems) or "invalid request"), 422)


async def _http_error(_request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, HTTPException)
    codes = {404: NOT_FOUND, 405: METHOD_NOT_ALLOWED}
    code = codes.get(error.status_code, error.status_code * 100000)
    return JSONResponse(body(code, str(error.detail)), error.status_code, error.headers)


async def _unexpected(request: Request, error: Exception) -> JSONResponse:
    log.error("unexpected error on %s %s", request.method, request.url.path, exc_info=error)
    return JSONResponse(body(INTERNAL, "internal error (logged)"), 500)


def install_alpaca_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(AlpacaError, _alpaca_error)
    app.add_exception_handler(PaperdeskError, _domain_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(HTTPException, _http_error)
    app.add_exception_handler(Exception, _unexpected)
