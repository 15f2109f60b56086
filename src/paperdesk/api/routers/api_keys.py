"""API keys for administrators: create (the token shown once), list (never a token), revoke;
through ``services.api_keys``, as ``paperdesk apikey`` does.

Only an admin key for every portfolio manages keys: a key limited to some portfolios could
otherwise mint itself a key for all of them.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Path, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from paperdesk.api.dependencies import Administrator, ServicesDep
from paperdesk.api.errors import ApiError, not_found
from paperdesk.api.idempotency import request_hash, run_once
from paperdesk.api.key_schemas import ApiKeyCreate, ApiKeyCreated, ApiKeyOut
from paperdesk.api.query_parameters import QueryCheckedRoute
from paperdesk.api.schemas import ErrorOut
from paperdesk.domain.api_keys import ApiKeyRecord

router = APIRouter(prefix="/api-keys", tags=["api keys"], route_class=QueryCheckedRoute)
ERRORS: dict[int | str, dict[str, object]] = {
    status: {"model": ErrorOut} for status in (401, 403, 404, 409, 422, 429)
}
KeyId = Annotated[int, Path(ge=1, le=2**63 - 1)]
IdempotencyKey = Annotated[str | None, Header(alias="Idempotency-Key")]


def _unlimited(key: ApiKeyRecord) -> None:
    if key.portfolio_ids is not None:
        raise ApiError(
            403,
            "insufficient_scope",
            "managing API keys needs an admin key for every portfolio; this one is limited",
        )


@router.post("", status_code=201, response_model=ApiKeyCreated, responses=ERRORS)
def create_key(
    body: ApiKeyCreate,
    request: Request,
    container: ServicesDep,
    key: Administrator,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    """Create a key; the answer is the only place its token ever appears. A retry with the
    same ``Idempotency-Key`` creates nothing and replays the answer without the token."""
    _unlimited(key)

    def create() -> tuple[int, ApiKeyCreated]:
        created = container.api_keys.create(body.name, body.scope, body.portfolio_ids)
        return 201, ApiKeyCreated(**ApiKeyOut.of(created.record).model_dump(), key=created.token)

    def without_token(answer: BaseModel) -> BaseModel:
        return answer.model_copy(update={"key": None})

    fingerprint = request_hash("POST", request.url.path, body)
    return run_once(container, key, idempotency_key, fingerprint, create, without_token)


@router.get("", response_model=list[ApiKeyOut], responses=ERRORS)
def list_keys(container: ServicesDep, key: Administrator) -> list[ApiKeyOut]:
    """Every key, revoked ones too (never a token or its hash)."""
    _unlimited(key)
    return [ApiKeyOut.of(record) for record in container.api_keys.list_keys()]


@router.delete("/{key_id}", response_model=ApiKeyOut, responses=ERRORS)
def revoke_key(key_id: KeyId, container: ServicesDep, key: Administrator) -> ApiKeyOut:
    """Revoke a key: refused from its next request on (409 if it already is)."""
    _unlimited(key)
    known = {record.id: record for record in container.api_keys.list_keys()}
    record = known.get(key_id)
    if record is None:
        raise not_found("API key", key_id)
    if record.is_revoked:
        raise ApiError(409, "already_revoked", f"API key {key_id} is already revoked")
    return ApiKeyOut.of(container.api_keys.revoke(key_id))
