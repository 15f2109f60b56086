"""Alpaca's key headers mapped onto paperdesk API keys.

``APCA-API-SECRET-KEY`` carries the paperdesk token; ``APCA-API-KEY-ID`` names the same key, by
its name or by its public prefix (the first ten characters of the token, shown by ``paperdesk
apikey list``); both must agree. An Alpaca account is ONE portfolio: the key must be limited to
exactly one (``paperdesk apikey create NAME --scope trade --portfolio ID``). Scopes work as
everywhere: a read key reads, a trade key also trades.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Header, Request
from starlette.concurrency import run_in_threadpool

from paperdesk.api.alpaca.errors import FORBIDDEN, RATE_LIMITED, UNAUTHORIZED, AlpacaError
from paperdesk.api.rate_limit import RateLimiter
from paperdesk.domain.api_keys import ApiKeyRecord, Scope
from paperdesk.service import Services

KEY_ID_HEADER = "APCA-API-KEY-ID"
SECRET_HEADER = "APCA-API-SECRET-KEY"


@dataclass(frozen=True, slots=True)
class AlpacaAccount:
    """The caller: its key and the one portfolio that is its Alpaca account."""

    key: ApiKeyRecord
    portfolio_id: int


async def services(request: Request) -> Services:
    container: Services = request.app.state.services
    return container


ServicesDep = Annotated[Services, Depends(services)]


def authenticate(container: Services, key_id: str | None, secret: str | None) -> AlpacaAccount:
    """The account of the key these credentials name (AlpacaError 401 or 403 otherwise)."""
    _check_headers(key_id, secret)
    assert secret is not None
    return _account_of(container.api_keys.authenticate(secret), key_id)


def _check_headers(key_id: str | None, secret: str | None) -> None:
    if not key_id or not secret:
        raise AlpacaError(
            401,
            UNAUTHORIZED,
            f"request is not authorized: send the {KEY_ID_HEADER} and {SECRET_HEADER} headers",
        )


def _account_of(record: ApiKeyRecord | None, key_id: str | None) -> AlpacaAccount:
    if record is None or key_id not in (record.name, record.prefix):
        raise AlpacaError(401, UNAUTHORIZED, "request is not authorized: unknown key")
    if record.is_revoked:
        raise AlpacaError(401, UNAUTHORIZED, f"request is not authorized: key {key_id} was revoked")
    portfolios = record.portfolio_ids
    if portfolios is None or len(portfolios) != 1:
        raise AlpacaError(
            403,
            FORBIDDEN,
            f"key {key_id} is not limited to exactly one portfolio; an Alpaca account is one "
            "portfolio: create a key limited to a single portfolio",
        )
    return AlpacaAccount(record, portfolios[0])


async def account(
    request: Request,
    container: ServicesDep,
    key_id: Annotated[str | None, Header(alias=KEY_ID_HEADER)] = None,
    secret: Annotated[str | None, Header(alias=SECRET_HEADER)] = None,
) -> AlpacaAccount:
    """The caller's account, checked on the event loop when that needs no I/O (a key verified
    within the cache time, an in-process rate limit), as ``/api/v1``'s key check; reading the
    key's row or asking Redis goes to a worker thread."""
    _check_headers(key_id, secret)
    assert secret is not None
    keys = container.api_keys
    record = keys.remembered(secret) or await run_in_threadpool(keys.authenticate, secret)
    caller = _account_of(record, key_id)
    limiter: RateLimiter | None = getattr(request.app.state, "rate_limiter", None)
    decision = None
    if limiter is not None:
        decision = (
            limiter.hit(caller.key.id)
            if limiter.in_memory
            else await run_in_threadpool(limiter.hit, caller.key.id)
        )
    if decision is not None and not decision.allowed:  # the same per-key limit as /api/v1
        wait = decision.retry_after_header
        raise AlpacaError(
            429, RATE_LIMITED, f"rate limit exceeded; retry in {wait} s", {"Retry-After": wait}
        )
    return caller


def require(scope: Scope, caller: AlpacaAccount) -> AlpacaAccount:
    """``caller`` if its key's scope covers ``scope`` (403 otherwise)."""
    if not caller.key.scope.allows(scope):
        raise AlpacaError(
            403,
            FORBIDDEN,
            f"this needs {scope.a_key}; key {caller.key.prefix}... has scope {caller.key.scope}",
        )
    return caller


async def reader(caller: Annotated[AlpacaAccount, Depends(account)]) -> AlpacaAccount:
    return require(Scope.READ, caller)


async def trader(caller: Annotated[AlpacaAccount, Depends(account)]) -> AlpacaAccount:
    return require(Scope.TRADE, caller)


Reader = Annotated[AlpacaAccount, Depends(reader)]
Trader = Annotated[AlpacaAccount, Depends(trader)]
