"""Webhook delivery from the outbox: at least once, in sequence order per webhook, signed.

``WebhookDispatcher.deliver_due(now)`` is the one call the worker makes each interval (and
``paperdesk webhook deliver`` by hand). It claims the webhooks that have committed events past
their cursor and are not waiting for a retry (row locks that skip locked rows, so many
dispatchers never send the same attempt at once), then per webhook POSTs the wanted events one
by one, oldest first, saving the cursor every ``checkpoint_every`` accepted events and at the
end. The first failure stops that webhook until its next attempt time (exponential backoff with
jitter, ``RetryPolicy``); other webhooks carry on. Only committed events are in the outbox, so
nothing is sent before its transaction committed. A crash between a receiver's 2xx and the
cursor's save sends those events again: receivers drop repeats by the event id.
"""

from __future__ import annotations

import json
import logging
import random
import secrets
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Protocol

from paperdesk.domain.records import OutboxEntry, delivered_payload
from paperdesk.domain.webhooks import (
    DueWebhook,
    RetryPolicy,
    WebhookStatus,
    event_id,
    signature,
)
from paperdesk.store import Database

if TYPE_CHECKING:
    import httpx

log = logging.getLogger(__name__)
USER_AGENT = "paperdesk-webhooks/1"
MAX_ERROR_LENGTH = 500


class DeliveryFailedError(Exception):
    """The receiver did not take the event (no answer, a timeout, or a status other than 2xx)."""


class Sender(Protocol):
    def __call__(self, url: str, body: bytes, headers: Mapping[str, str]) -> None:
        """POST ``body``; raise ``DeliveryFailedError`` unless the receiver answered 2xx."""


class HttpSender:
    """POSTs with httpx: bounded timeouts, no redirects followed (a redirect is a failure, so a
    receiver cannot bounce the request to an address the URL check never saw)."""

    def __init__(self, timeout: float = 10.0, connect_timeout: float = 5.0) -> None:
        self._timeout = (timeout, connect_timeout)
        self._client: httpx.Client | None = None

    def _http(self) -> httpx.Client:
        if self._client is None:
            import httpx

            total, connect = self._timeout
            self._client = httpx.Client(
                timeout=httpx.Timeout(total, connect=connect),
                follow_redirects=False,
                trust_env=False,
                headers={"User-Agent": USER_AGENT},
            )
        return self._client

    def __call__(self, url: str, body: bytes, headers: Mapping[str, str]) -> None:
        import httpx

        try:
            response = self._http().post(url, content=body, headers=dict(headers))
        except (httpx.HTTPError, httpx.InvalidURL) as error:  # InvalidURL is no HTTPError
            raise DeliveryFailedError(f"{type(error).__name__}: {error}"[:200]) from None
        if not 200 <= response.status_code < 300:
            raise DeliveryFailedError(f"HTTP {response.status_code} {response.reason_phrase}")

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None


@dataclass
class DeliveryReport:
    """What one ``deliver_due`` did: events accepted, attempts failed, webhooks claimed."""

    delivered: int = 0
    failed: int = 0
    webhooks: int = 0
    errors: list[str] = field(default_factory=list)


def delivery_body(entry: OutboxEntry) -> bytes:
    """The JSON body of one event (compact, keys sorted: the bytes that are signed)."""
    document = {
        "id": event_id(entry.sequence),
        "sequence": entry.sequence,
        "type": entry.kind,
        "timestamp": entry.ts_event.isoformat(),
        "recorded_at": entry.ts_recorded.isoformat(),
        "portfolio": entry.portfolio_id,
        "data": delivered_payload(entry),
    }
    return json.dumps(document, sort_keys=True, separators=(",", ":")).encode("utf-8")


def delivery_headers(
    webhook: DueWebhook, entry: OutboxEntry, body: bytes, now: datetime
) -> dict[str, str]:
    timestamp = str(int(now.timestamp()))
    return {
        "Content-Type": "application/json",
        "X-Paperdesk-Event-Id": event_id(entry.sequence),
        "X-Paperdesk-Event-Type": entry.kind,
        "X-Paperdesk-Webhook-Id": str(webhook.record.id),
        "X-Paperdesk-Timestamp": timestamp,
        "X-Paperdesk-Signature": signature(webhook.secret, timestamp, body),
    }


class WebhookDispatcher:
    """Delivers due webhook events (see the module docstring)."""

    def __init__(
        self,
        database: Database,
        *,
        send: Sender | None = None,
        policy: RetryPolicy | None = None,
        draw: Callable[[], float] = random.random,
        batch: int = 100,
        claim_limit: int = 50,
        lease: timedelta = timedelta(minutes=5),
        workers: int = 8,
        checkpoint_every: int = 20,
    ) -> None:
        self.database = database
        self.policy = policy or RetryPolicy()
        self._http = HttpSender() if send is None else None
        self._send: Sender = send if send is not None else self._http  # type: ignore[assignment]
        self._draw = draw  # jitter source, uniform in [0, 1)
        self._batch = batch
        self._claim_limit = claim_limit
        self._lease = lease
        self._workers = max(workers, 1)
        self._checkpoint_every = max(checkpoint_every, 1)

    def deliver_due(self, now: datetime) -> DeliveryReport:
        """Send what is due at ``now`` to every webhook this dispatcher can claim, up to
        ``workers`` webhooks at a time (a slow receiver holds up only its own webhook)."""
        claim = secrets.token_hex(16)
        with self.database.transaction() as repository:
            due = repository.webhooks.claim_due(now, claim, now + self._lease, self._claim_limit)
        if len(due) <= 1 or self._workers == 1:
            reports = [self._deliver_and_release(webhook, now) for webhook in due]
        else:
            with ThreadPoolExecutor(min(self._workers, len(due))) as pool:
                reports = list(
                    pool.map(lambda webhook: self._deliver_and_release(webhook, now), due)
                )
        report = DeliveryReport(webhooks=len(due))
        for part in reports:
            report.delivered += part.delivered
            report.failed += part.failed
            report.errors.extend(part.errors)
        return report

    def _deliver_and_release(self, webhook: DueWebhook, now: datetime) -> DeliveryReport:
        report = DeliveryReport()
        try:
            self._deliver(webhook, now, report)
        finally:
            with self.database.transaction() as repository:
                repository.webhooks.release(webhook.record.id, webhook.claim)
        return report

    def _deliver(self, webhook: DueWebhook, now: datetime, report: DeliveryReport) -> None:
        """POST the wanted events past the cursor in order until one fails. The cursor is saved
        every ``checkpoint_every`` deliveries and at the end (a commit per event would cost
        more than the POST): a crash in between sends those events again, which at least once
        allows and the event id absorbs."""
        record = webhook.record
        with self.database.reading(durable=True) as repository:
            entries = repository.outbox(
                after=record.last_sequence, limit=self._batch, portfolio_id=record.portfolio_id
            )
        cursor = saved = record.last_sequence  # where the run is, and what is saved
        earlier_failures = record.attempts
        unsaved = 0  # events delivered since the cursor was last saved
        for entry in entries:
            if entry.kind in record.kinds:
                body = delivery_body(entry)
                try:
                    self._send(record.url, body, delivery_headers(webhook, entry, body, now))
                except DeliveryFailedError as error:
                    if unsaved:
                        self._advance(webhook, cursor, now)
                    self._failed(webhook, cursor, earlier_failures, str(error), now, report)
                    return
                report.delivered += 1
                earlier_failures = 0
                unsaved += 1
            cursor = entry.sequence
            if unsaved >= self._checkpoint_every:
                if not self._advance(webhook, cursor, now):
                    return  # the claim lapsed: another dispatcher carries on
                saved, unsaved = cursor, 0
        if cursor > saved:  # delivered, or passed over events it does not want
            self._advance(webhook, cursor, now if unsaved else None)

    def _advance(self, webhook: DueWebhook, sequence: int, at: datetime | None) -> bool:
        with self.database.transaction() as repository:
            return repository.webhooks.advance(webhook.record.id, webhook.claim, sequence, at)

    def _failed(
        self,
        webhook: DueWebhook,
        cursor: int,
        earlier_failures: int,
        error: str,
        now: datetime,
        report: DeliveryReport,
    ) -> None:
        """Record the failed attempt: the cursor stays before the event, which is retried at
        the backoff's time; from ``max_attempts`` failures on, the webhook is failing."""
        record = webhook.record
        attempts = earlier_failures + 1
        failing = attempts >= self.policy.max_attempts
        status = WebhookStatus.FAILING if failing else WebhookStatus.ACTIVE
        if failing and attempts == self.policy.max_attempts:
            log.warning("webhook %s (%s) is failing: %s", record.id, record.url, error)
        retry_at = now + self.policy.delay(attempts, self._draw())
        report.failed += 1
        report.errors.append(f"webhook {record.id}: {error}")
        with self.database.transaction() as repository:
            repository.webhooks.failed(
                record.id,
                webhook.claim,
                sequence=cursor,
                attempts=attempts,
                next_attempt_at=retry_at,
                error=error[:MAX_ERROR_LENGTH],
                status=status,
            )

    def close(self) -> None:
        if self._http is not None:
            self._http.close()
