"""``GET /me``: the calling key's own name, scope and portfolios, so a client (the dashboard)
can hide what the key may not do instead of letting the user meet a 403."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import Field

from paperdesk.api.dependencies import KeyDep
from paperdesk.api.key_schemas import ApiKeyOut
from paperdesk.api.query_parameters import QueryCheckedRoute
from paperdesk.api.schemas import ErrorOut
from paperdesk.domain.api_keys import ApiKeyRecord, Scope

router = APIRouter(tags=["api keys"], route_class=QueryCheckedRoute)
ERRORS: dict[int | str, dict[str, object]] = {status: {"model": ErrorOut} for status in (401, 429)}


class MeOut(ApiKeyOut):
    """The key itself (never its token) and what its scope allows, spelled out."""

    can_trade: bool = Field(description="trade scope or higher: orders, ticks, portfolios")
    can_admin: bool = Field(description="admin scope for every portfolio: manages API keys")

    @classmethod
    def of_key(cls, record: ApiKeyRecord) -> MeOut:
        base = ApiKeyOut.of(record)
        return cls(
            **base.model_dump(),
            can_trade=record.scope.allows(Scope.TRADE),
            can_admin=record.scope.allows(Scope.ADMIN) and record.portfolio_ids is None,
        )


@router.get("/me", response_model=MeOut, responses=ERRORS)
def who_am_i(key: KeyDep) -> MeOut:
    """The calling key: its scope and the portfolios it may see (null: every one)."""
    return MeOut.of_key(key)
