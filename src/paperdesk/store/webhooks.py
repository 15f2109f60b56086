"""Webhooks and their delivery state (the ``webhooks`` table), inside one transaction.

Delivery is claimed per webhook: ``claim_due`` takes the webhooks that have committed outbox
entries past their cursor and are not waiting for a retry, with ``FOR UPDATE SKIP LOCKED`` on
PostgreSQL (a second dispatcher skips the rows the first is claiming; SQLite transactions hold
the database's write lock), and marks them with a claim token and a lease. Results are
recorded only under the same token, so a dispatcher whose lease lapsed cannot overwrite the
progress of the one that took over.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, exists, func, or_, select, update
from sqlalchemy.orm import Session

from paperdesk.domain import UnknownNameError
from paperdesk.domain.webhooks import DueWebhook, WebhookRecord, WebhookStatus
from paperdesk.store.models import OutboxRow, WebhookRow


class WebhookRepository:
    """The ``webhooks`` table; reads return ``WebhookRecord`` values, never rows."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def add(
        self,
        *,
        portfolio_id: int,
        url: str,
        kinds: tuple[str, ...],
        secret: str,
        created_at: datetime,
    ) -> int:
        """A new webhook whose cursor starts at the newest committed event of the database:
        it gets the events committed after it was registered."""
        newest = self._session.scalar(select(func.max(OutboxRow.sequence))) or 0
        row = WebhookRow(
            portfolio_id=portfolio_id,
            url=url,
            kinds=list(kinds),
            secret=secret,
            status=str(WebhookStatus.ACTIVE),
            created_at=created_at,
            last_sequence=newest,
            attempts=0,
        )
        self._session.add(row)
        self._session.flush()
        return row.id

    def for_portfolio(self, portfolio_id: int) -> list[WebhookRecord]:
        statement = (
            select(WebhookRow)
            .where(WebhookRow.portfolio_id == portfolio_id)
            .order_by(WebhookRow.id)
        )
        return [_record(row) for row in self._session.scalars(statement)]

    def count(self, portfolio_id: int) -> int:
        statement = select(func.count()).where(WebhookRow.portfolio_id == portfolio_id)
        return int(self._session.scalar(statement) or 0)

    def get(self, portfolio_id: int, webhook_id: int) -> WebhookRecord:
        row = self._session.get(WebhookRow, webhook_id)
        if row is None or row.portfolio_id != portfolio_id:
            raise UnknownNameError(f"portfolio {portfolio_id} has no webhook with id {webhook_id}")
        return _record(row)

    def remove(self, webhook_id: int) -> None:
        self._session.execute(delete(WebhookRow).where(WebhookRow.id == webhook_id))

    # ---------------------------------------------------------------------------- delivery

    def claim_due(
        self, now: datetime, claim: str, lease_until: datetime, limit: int
    ) -> list[DueWebhook]:
        """Claim up to ``limit`` webhooks with events to send now (see the module docstring)."""
        pending = exists().where(
            OutboxRow.portfolio_id == WebhookRow.portfolio_id,
            OutboxRow.sequence > WebhookRow.last_sequence,
        )
        statement = (
            select(WebhookRow)
            .where(
                pending,
                or_(WebhookRow.next_attempt_at.is_(None), WebhookRow.next_attempt_at <= now),
                or_(WebhookRow.claimed_until.is_(None), WebhookRow.claimed_until <= now),
            )
            .order_by(WebhookRow.id)
            .limit(limit)
            .with_for_update(skip_locked=True, of=WebhookRow)
            .execution_options(populate_existing=True)
        )
        claimed: list[DueWebhook] = []
        for row in self._session.scalars(statement):
            row.claim, row.claimed_until = claim, lease_until
            claimed.append(DueWebhook(_record(row), row.secret, claim))
        return claimed

    def advance(
        self, webhook_id: int, claim: str, sequence: int, delivered_at: datetime | None
    ) -> bool:
        """Move the cursor to ``sequence`` (delivered, or passed over as not wanted) and clear
        the retry state; False if the claim was lost."""
        values: dict[str, object] = {
            "last_sequence": sequence,
            "attempts": 0,
            "next_attempt_at": None,
            "last_error": None,
            "status": str(WebhookStatus.ACTIVE),
        }
        if delivered_at is not None:
            values["last_delivered_at"] = delivered_at
        return self._update(webhook_id, claim, values)

    def failed(
        self,
        webhook_id: int,
        claim: str,
        *,
        sequence: int,
        attempts: int,
        next_attempt_at: datetime,
        error: str,
        status: WebhookStatus,
    ) -> bool:
        """Record a failed attempt of the event after ``sequence`` (the cursor, moved past
        the events not wanted before it)."""
        values: dict[str, object] = {
            "last_sequence": sequence,
            "attempts": attempts,
            "next_attempt_at": next_attempt_at,
            "last_error": error,
            "status": str(status),
        }
        return self._update(webhook_id, claim, values)

    def release(self, webhook_id: int, claim: str) -> None:
        self._update(webhook_id, claim, {"claim": None, "claimed_until": None})

    def _update(self, webhook_id: int, claim: str, values: dict[str, object]) -> bool:
        statement = (
            update(WebhookRow)
            .where(WebhookRow.id == webhook_id, WebhookRow.claim == claim)
            .values(**values)
            .execution_options(synchronize_session=False)
        )
        result = self._session.execute(statement)
        return bool(getattr(result, "rowcount", 0))


def _record(row: WebhookRow) -> WebhookRecord:
    return WebhookRecord(
        id=row.id,
        portfolio_id=row.portfolio_id,
        url=row.url,
        kinds=tuple(row.kinds),
        status=WebhookStatus(row.status),
        ts_created=row.created_at,
        last_sequence=row.last_sequence,
        attempts=row.attempts,
        next_attempt_at=row.next_attempt_at,
        last_error=row.last_error,
        ts_last_delivered=row.last_delivered_at,
    )
