"""Request dependencies: the service container, the caller's API key and its scope, and the
portfolios the key may see (another portfolio is "not found": ids do not leak)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from typing import Annotated, TypeVar

from fastapi import Depends, Path
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer
from starlette.concurrency import run_in_threadpool
from starlette.requests import HTTPConnection, Request

from paperdesk.api.errors import ApiError, not_found
from paperdesk.api.rate_limit import RateLimiter
from paperdesk.domain import Order, PaperdeskError, UnknownNameError
from paperdesk.domain.api_keys import ApiKeyRecord, Scope
from paperdesk.service import Services
from paperdesk.service.views import PortfolioDetail

T = TypeVar("T")
bearer = HTTPBearer(auto_error=False, description="Authorization: Bearer KEY")
header_key = APIKeyHeader(name="X-API-Key", auto_error=False, description="X-API-Key: KEY")


# The dependencies every request runs are ``async`` and do no I/O on the event loop (a key
# verified in the last seconds, an in-process rate limit): FastAPI runs a plain ``def``
# dependency in a worker thread, and each such hop (the queue, the thread's wake-up, the GIL
# handed back and forth) cost more server CPU than the check itself
# (docs/live-speed.md, "Orders over HTTP"). What may block (a key's row read, a Redis rate
# limit) still runs in a worker thread.


async def services(connection: HTTPConnection) -> Services:
    container: Services = connection.app.state.services
    return container


ServicesDep = Annotated[Services, Depends(services)]
# Ids are 64-bit database keys: a larger number is a validation error, not a database overflow.
PortfolioId = Annotated[int, Path(ge=1, le=2**63 - 1)]
OrderId = Annotated[str, Path(min_length=1, max_length=64)]


def _missing_key_message(connection: HTTPConnection) -> str:
    """Why no key was read: none sent, or an Authorization header of another scheme (its value
    is never quoted: it may be the key itself, sent without ``Bearer``)."""
    message = "an API key is required (Authorization: Bearer KEY)"
    if connection.headers.get("authorization"):
        return f"{message}; the Authorization header sent does not use the Bearer scheme"
    return message


async def api_key(
    connection: HTTPConnection,  # a request or a WebSocket handshake: both are limited
    container: ServicesDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
    header: Annotated[str | None, Depends(header_key)],
) -> ApiKeyRecord:
    """The caller's key, once it is known, not revoked and within its rate limit."""
    token = credentials.credentials if credentials is not None else header
    record = await known_key(connection, container, token)
    limiter: RateLimiter = connection.app.state.rate_limiter
    decision = (
        limiter.hit(record.id)
        if limiter.in_memory
        else await run_in_threadpool(limiter.hit, record.id)
    )
    if not decision.allowed:
        wait = decision.retry_after_header
        raise ApiError(
            429,
            "rate_limited",
            f"API key {record.prefix}... is over its rate limit; retry in {wait} s",
            {"Retry-After": wait},
        )
    return record


async def known_key(
    connection: HTTPConnection, container: Services, token: str | None
) -> ApiKeyRecord:
    """The key ``token`` names, once it is known and not revoked (401 otherwise)."""
    if not token:
        raise ApiError(401, "missing_api_key", _missing_key_message(connection))
    keys = container.api_keys
    record = keys.remembered(token) or await run_in_threadpool(keys.authenticate, token)
    if record is None:
        raise ApiError(401, "invalid_api_key", "unknown API key")
    if record.is_revoked:
        raise ApiError(401, "revoked_api_key", f"API key {record.prefix}... was revoked")
    return record


async def check_authenticated(request: Request) -> None:
    """401 unless ``request`` carries a known key that is not revoked, read from the headers
    ``api_key`` reads; its rate limit is not counted (a refusal that follows changes nothing)."""
    credentials = await bearer(request)
    header = await header_key(request)
    token = credentials.credentials if credentials is not None else header
    await known_key(request, await services(request), token)


KeyDep = Annotated[ApiKeyRecord, Depends(api_key)]


def require(scope: Scope) -> Callable[[ApiKeyRecord], Awaitable[ApiKeyRecord]]:
    """A dependency passing keys whose scope covers ``scope`` (403 otherwise)."""

    async def check(key: KeyDep) -> ApiKeyRecord:
        if not key.scope.allows(scope):
            raise ApiError(
                403,
                "insufficient_scope",
                f"this needs {scope.a_key}; this key's scope is {key.scope}",
            )
        return key

    return check


Reader = Annotated[ApiKeyRecord, Depends(require(Scope.READ))]
may_trade = require(Scope.TRADE)  # also called by the bare path (api/bare_routes.py)
Trader = Annotated[ApiKeyRecord, Depends(may_trade)]
Administrator = Annotated[ApiKeyRecord, Depends(require(Scope.ADMIN))]


def visible_portfolio(container: Services, key: ApiKeyRecord, portfolio_id: int) -> PortfolioDetail:
    """The portfolio if the key may see it; 404 (the same answer as for no portfolio) if not."""
    return _read_visible(key, portfolio_id, container.portfolios.show)


def check_visible(container: Services, key: ApiKeyRecord, portfolio_id: int) -> str:
    """The portfolio's status if the key may see it (404 as ``visible_portfolio``), reading one
    row: what an action checks first, without loading the portfolio's detail."""
    return _read_visible(key, portfolio_id, container.portfolios.status)


def _read_visible(key: ApiKeyRecord, portfolio_id: int, read: Callable[[int], T]) -> T:
    if not key.sees(portfolio_id):
        raise not_found("portfolio", portfolio_id)
    try:
        return read(portfolio_id)
    except UnknownNameError:
        raise not_found("portfolio", portfolio_id) from None


def known_order(container: Services, portfolio_id: int, order_id: str) -> Order:
    """The portfolio's order ``order_id`` (read by its key); 404 when it has none."""
    try:
        return container.portfolios.order(portfolio_id, order_id)
    except UnknownNameError:
        raise not_found("order", order_id) from None


def active_portfolio(container: Services, key: ApiKeyRecord, portfolio_id: int) -> None:
    """404 unless the key sees the portfolio; 409 when it is archived."""
    if check_visible(container, key, portfolio_id) == "archived":
        raise ApiError(409, "portfolio_archived", f"portfolio {portfolio_id} is archived")


@contextmanager
def checked_when_refused(
    container: Services, key: ApiKeyRecord, portfolio_id: int, order_id: str | None = None
) -> Iterator[None]:
    """An order's write without the reads before it: the checks ``active_portfolio`` and
    ``known_order`` make (404 for an unknown portfolio or order, 409 for an archived
    portfolio) run only when the write is refused, so a refusal answers exactly as if they
    had run first, and an accepted write costs no read transaction of its own. The write's
    lock read already refuses an unknown or archived portfolio and the kernel an order it does
    not work; nothing was written when it raised (one transaction, rolled back)."""
    if not key.sees(portfolio_id):
        raise not_found("portfolio", portfolio_id)
    try:
        yield
    except PaperdeskError:
        active_portfolio(container, key, portfolio_id)
        if order_id is not None:
            known_order(container, portfolio_id, order_id)
        raise
