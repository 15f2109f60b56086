"""Request and response models of the API keys resource (never a stored hash; the token only
in the answer to its creation)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from paperdesk.domain.api_keys import ApiKeyRecord, Scope

PortfolioNumber = Annotated[int, Field(ge=1, le=2**63 - 1)]


class ApiKeyCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200, description="what the key is for")
    scope: Scope = Field(description="read, trade (also read) or admin (also trade, and keys)")
    portfolio_ids: list[PortfolioNumber] | None = Field(
        None, max_length=1000, description="limit the key to these portfolios (default: all)"
    )


class ApiKeyOut(BaseModel):
    id: int
    name: str
    scope: Scope
    portfolio_ids: list[int] | None = Field(description="null: every portfolio")
    prefix: str = Field(description="the token's first characters, to recognise it")
    created_at: datetime
    revoked_at: datetime | None

    @classmethod
    def of(cls, record: ApiKeyRecord) -> ApiKeyOut:
        return cls(
            id=record.id,
            name=record.name,
            scope=record.scope,
            portfolio_ids=None if record.portfolio_ids is None else list(record.portfolio_ids),
            prefix=record.prefix,
            created_at=record.ts_created,
            revoked_at=record.ts_revoked,
        )


class ApiKeyCreated(ApiKeyOut):
    key: str | None = Field(
        description="the token: in the first answer only, never stored; null when a retry "
        "with the same Idempotency-Key replays the answer"
    )
