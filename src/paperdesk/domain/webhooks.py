"""Webhooks as values: which outbox events a webhook may ask for, the URL rule, the signature
scheme and the retry schedule. Pure (stdlib only) so that the service, the API, the CLI and a
receiver's tests share one definition of each.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from urllib.parse import urlsplit

from paperdesk.domain.errors import InvalidInputError

# Named groups a user picks with ``--events fills,trades``: each stands for outbox kinds.
EVENT_GROUPS: dict[str, tuple[str, ...]] = {
    "fills": ("order.filled",),
    "trades": ("position.closed",),
    "rejections": ("order.rejected", "signal.rejected"),
    "errors": ("account.margin_called", "account.cash_overdrawn", "feed.stale", "feed.failing"),
}
# Every outbox kind a webhook may name one by one (docs/webhooks.md lists them with their data).
OUTBOX_KINDS: tuple[str, ...] = (
    "order.accepted",
    "order.rejected",
    "order.filled",
    "order.canceled",
    "order.expired",
    "order.modified",
    "signal.accepted",
    "signal.rejected",
    "position.opened",
    "position.changed",
    "position.closed",
    "corporate_action.applied",
    "account.margin_called",
    "account.cash_overdrawn",
    "portfolio.archived",
    "portfolio.unarchived",
    "portfolio.renamed",
    "portfolio.edited",
    "portfolio.equity",
    "tick.processed",
    "feed.stale",
    "feed.failing",
    "feed.recovered",
)
DEFAULT_EVENTS: tuple[str, ...] = ("fills", "trades", "rejections", "errors")
MAX_URL_LENGTH = 2000
SECRET_PREFIX = "whsec_"
MIN_SECRET_LENGTH = 16
MAX_SECRET_LENGTH = 200
EVENT_ID_PREFIX = "evt_"
_HOST_LABEL = re.compile(r"^(?!-)[A-Za-z0-9-]{1,63}(?<!-)$")


class WebhookStatus(StrEnum):
    """``active`` delivers as events come; ``failing`` ran out of quick retries and is retried
    at the longest delay until the receiver answers again (then it is ``active`` again)."""

    ACTIVE = "active"
    FAILING = "failing"


@dataclass(frozen=True, slots=True)
class WebhookRecord:
    """A stored webhook and its delivery state; never its secret (only the signer reads it)."""

    id: int
    portfolio_id: int
    url: str
    kinds: tuple[str, ...]
    status: WebhookStatus
    ts_created: datetime
    last_sequence: int  # the last outbox sequence delivered (or skipped as not wanted)
    attempts: int  # failed attempts of the event now due (0: none failed)
    next_attempt_at: datetime | None
    last_error: str | None
    ts_last_delivered: datetime | None


@dataclass(frozen=True, slots=True)
class DueWebhook:
    """A webhook claimed for delivery: what the dispatcher needs to sign and send."""

    record: WebhookRecord
    secret: str
    claim: str  # the claim token: results are recorded only while the claim is still held


def event_kinds(names: Iterable[str]) -> tuple[str, ...]:
    """The outbox kinds ``names`` stand for (groups expanded), sorted; an unknown name is
    refused naming the known ones."""
    kinds: set[str] = set()
    wanted = [name.strip().lower() for name in names if name.strip()]
    if not wanted:
        raise InvalidInputError("events: name at least one event (e.g. fills,trades)")
    for name in wanted:
        if name in EVENT_GROUPS:
            kinds.update(EVENT_GROUPS[name])
        elif name in OUTBOX_KINDS:
            kinds.add(name)
        else:
            known = ", ".join((*EVENT_GROUPS, *OUTBOX_KINDS))
            raise InvalidInputError(f"events: unknown event {name[:40]!r}; known: {known}")
    return tuple(sorted(kinds))


def webhook_url(value: str) -> str:
    """``value`` if it is an absolute http(s) URL with a well-formed host and no credentials
    (see docs/webhooks.md on server-side request forgery)."""
    url = value.strip()
    if not url or len(url) > MAX_URL_LENGTH or not url.isprintable() or " " in url:
        raise InvalidInputError(
            f"url: must be an http(s) URL of at most {MAX_URL_LENGTH} printable characters "
            "without spaces"
        )
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as error:
        raise InvalidInputError(f"url: {error}") from None
    if parts.scheme not in ("http", "https"):
        raise InvalidInputError(f"url: the scheme must be http or https, got {parts.scheme!r}")
    if parts.username is not None or parts.password is not None:
        raise InvalidInputError("url: must not carry a user name or password")
    if port == 0:
        raise InvalidInputError("url: port 0 is not a port")
    if parts.fragment:
        raise InvalidInputError("url: must not have a #fragment")
    if not _valid_host(parts.hostname or ""):
        raise InvalidInputError(f"url: {parts.hostname or '(none)'!r} is not a host name")
    return url


def _valid_host(host: str) -> bool:
    if not host:
        return False
    try:
        ipaddress.ip_address(host)
        return True
    except ValueError:
        pass
    labels = host.rstrip(".").split(".")
    return len(host) <= 253 and all(_HOST_LABEL.match(label) for label in labels)


def webhook_secret(value: str) -> str:
    """A secret the user chose: long enough to resist guessing, printable, no spaces."""
    if not (MIN_SECRET_LENGTH <= len(value) <= MAX_SECRET_LENGTH) or not value.isprintable():
        raise InvalidInputError(
            f"secret: must be {MIN_SECRET_LENGTH} to {MAX_SECRET_LENGTH} printable characters"
        )
    if any(character.isspace() for character in value):
        raise InvalidInputError("secret: must not contain spaces")
    return value


def event_id(sequence: int) -> str:
    """The stable id of the outbox event ``sequence`` (receivers drop repeats by it)."""
    return f"{EVENT_ID_PREFIX}{sequence}"


def signature(secret: str, timestamp: str, body: bytes) -> str:
    """``X-Paperdesk-Signature``: ``sha256=`` + hex HMAC-SHA256 of ``timestamp.body``."""
    message = timestamp.encode("ascii") + b"." + body
    digest = hmac.new(secret.encode("utf-8"), message, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """Exponential backoff: the n-th failure waits ``first_delay * 2**(n-1)``, capped at
    ``longest_delay``, times a jitter factor in [1 - jitter, 1] so that many webhooks failing
    together do not retry in step. After ``max_attempts`` failures the webhook is failing and
    retried every ``longest_delay`` (with jitter)."""

    first_delay: timedelta = timedelta(seconds=10)
    longest_delay: timedelta = timedelta(hours=1)
    max_attempts: int = 8
    jitter: float = 0.2

    def delay(self, attempts: int, draw: float) -> timedelta:
        """The wait after the ``attempts``-th failure; ``draw`` is uniform in [0, 1)."""
        exponent = min(max(attempts - 1, 0), 32)
        base = min(self.first_delay * (1 << exponent), self.longest_delay)
        return base * (1 - self.jitter * draw)
