"""Per-portfolio webhooks: registered, listed and removed (the CLI and the API call these).

A webhook names the outbox events it wants (groups ``fills``, ``trades``, ``rejections``,
``errors`` or single kinds, see ``paperdesk.domain.webhooks``) and gets every such event
committed after it was registered, signed with its secret. The secret is stored as given, since
the server must know it to sign; it is returned once, when the webhook is created, and never
listed. Without a secret one is generated (``whsec_`` + 32 random bytes).
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from paperdesk.domain import InvalidInputError
from paperdesk.domain.webhooks import (
    DEFAULT_EVENTS,
    SECRET_PREFIX,
    WebhookRecord,
    event_kinds,
    webhook_secret,
    webhook_url,
)
from paperdesk.store import Database

MAX_WEBHOOKS_PER_PORTFOLIO = 20


@dataclass(frozen=True, slots=True)
class CreatedWebhook:
    record: WebhookRecord
    secret: str  # shown once


def new_secret() -> str:
    return SECRET_PREFIX + secrets.token_urlsafe(32)


class WebhookService:
    """Webhooks on the ledger database (delivery: ``WebhookDispatcher``)."""

    def __init__(self, database: Database) -> None:
        self.database = database

    def add(
        self,
        portfolio_id: int,
        url: str,
        events: Sequence[str] = DEFAULT_EVENTS,
        secret: str | None = None,
    ) -> CreatedWebhook:
        """Register ``url`` for ``events`` of the portfolio; every value is checked first."""
        checked_url = webhook_url(url)
        kinds = event_kinds(events)
        chosen = new_secret() if secret is None else webhook_secret(secret)
        with self.database.transaction() as repository:
            repository.portfolio(portfolio_id)  # an unknown portfolio is named
            if repository.webhooks.count(portfolio_id) >= MAX_WEBHOOKS_PER_PORTFOLIO:
                raise InvalidInputError(
                    f"portfolio {portfolio_id} has {MAX_WEBHOOKS_PER_PORTFOLIO} webhooks already "
                    "(the most it may have): remove one first"
                )
            webhook_id = repository.webhooks.add(
                portfolio_id=portfolio_id,
                url=checked_url,
                kinds=kinds,
                secret=chosen,
                created_at=datetime.now(UTC),
            )
            return CreatedWebhook(repository.webhooks.get(portfolio_id, webhook_id), chosen)

    def list_webhooks(self, portfolio_id: int) -> list[WebhookRecord]:
        with self.database.reading() as repository:
            repository.portfolio(portfolio_id)
            return repository.webhooks.for_portfolio(portfolio_id)

    def show(self, portfolio_id: int, webhook_id: int) -> WebhookRecord:
        with self.database.reading() as repository:
            return repository.webhooks.get(portfolio_id, webhook_id)

    def remove(self, portfolio_id: int, webhook_id: int) -> WebhookRecord:
        """Remove the webhook: nothing more is sent to it (an attempt already under way
        finishes; its result is then not recorded)."""
        with self.database.transaction() as repository:
            record = repository.webhooks.get(portfolio_id, webhook_id)
            repository.webhooks.remove(webhook_id)
            return record
