"""API keys for administrators: create (the token shown once), list (never a token), revoke;
through ``services.api_keys``, as ``paperdesk apikey`` does.

Only an admin key for every portfolio manages keys: a key limited to some portfolios could
otherwise mint itself a key for all of them.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from paperdesk.api.dependencies import Administrator, ServicesDep
from paperdesk.api.errors import ApiError, not_found
from paperdesk.api.key_schemas import ApiKeyCreate, ApiKeyCreated, ApiKeyOut
from paperdesk.api.schemas import ErrorOut
from paperdesk.domain.api_keys import ApiKeyRecord

router = APIRouter(prefix="/api-keys", tags=["api keys"])
ERRORS: dict[int | str, dict[str, object]] = {
    status: {"model": ErrorOut} for status in (401, 403, 404, 409, 422, 429)
}
KeyId = Annotated[int, Path(ge=1, le=2**63 - 1)]


def _unlimited(key: ApiKeyRecord) -> None:
    if key.portfolio_ids is not None:
        raise ApiError(
            403,
            "insufficient_scope",
            "managing API keys needs an admin key for every portfolio; this one is limited",
        )


@router.post("", status_code=201, response_model=ApiKeyCreated, responses=ERRORS)
def create_key(body: ApiKeyCreate, container: ServicesDep, key: Administrator) -> ApiKeyCreated:
    """Create a key; the answer is the only place its token ever appears."""
    _unlimited(key)
    created = container.api_keys.create(body.name, body.scope, body.portfolio_ids)
    return ApiKeyCreated(**ApiKeyOut.of(created.record).model_dump(), key=created.token)


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
