"""Request and response models of the webhooks resource (times ISO-8601 UTC; the secret is in
the creation's answer only)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from paperdesk.domain.webhooks import (
    DEFAULT_EVENTS,
    EVENT_GROUPS,
    MAX_SECRET_LENGTH,
    MAX_URL_LENGTH,
    MIN_SECRET_LENGTH,
    WebhookRecord,
)

EventName = Annotated[str, Field(min_length=1, max_length=64)]
EVENTS_HELP = (
    "groups ("
    + ", ".join(EVENT_GROUPS)
    + ") or single outbox kinds such as order.filled (docs/webhooks.md lists them)"
)


class WebhookCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    url: str = Field(min_length=1, max_length=MAX_URL_LENGTH, description="an http(s) URL")
    events: list[EventName] = Field(
        default_factory=lambda: list(DEFAULT_EVENTS),
        min_length=1,
        max_length=50,
        description=EVENTS_HELP,
    )
    secret: str | None = Field(
        None,
        min_length=MIN_SECRET_LENGTH,
        max_length=MAX_SECRET_LENGTH,
        description="the signing secret; omitted: one is generated and returned once",
    )


class WebhookOut(BaseModel):
    id: int
    portfolio_id: int
    url: str
    events: list[str] = Field(description="the outbox kinds delivered")
    status: str = Field(description="active, or failing after the quick retries ran out")
    created: datetime
    last_sequence: int = Field(description="the last outbox sequence delivered or passed over")
    attempts: int = Field(description="failed attempts of the event now due")
    next_attempt_at: datetime | None
    last_error: str | None
    last_delivered_at: datetime | None

    @classmethod
    def of(cls, record: WebhookRecord) -> WebhookOut:
        return cls(
            id=record.id,
            portfolio_id=record.portfolio_id,
            url=record.url,
            events=list(record.kinds),
            status=str(record.status),
            created=record.ts_created,
            last_sequence=record.last_sequence,
            attempts=record.attempts,
            next_attempt_at=record.next_attempt_at,
            last_error=record.last_error,
            last_delivered_at=record.ts_last_delivered,
        )


class WebhookCreatedOut(WebhookOut):
    secret: str = Field(description="the signing secret, shown this once")
