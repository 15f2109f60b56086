"""API keys and idempotent requests as values (no database rows): what the service reads."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class Scope(StrEnum):
    """What a key may do: ``read`` reads, ``trade`` also places and cancels orders and creates
    and archives portfolios, ``admin`` also manages keys."""

    READ = "read"
    TRADE = "trade"
    ADMIN = "admin"

    def allows(self, needed: Scope) -> bool:
        order = (Scope.READ, Scope.TRADE, Scope.ADMIN)
        return order.index(self) >= order.index(needed)

    @property
    def a_key(self) -> str:
        """``a read key``, ``a trade key``, ``an admin key``: how a message names it."""
        return f"{'an' if self.value[0] in 'aeiou' else 'a'} {self.value} key"


@dataclass(frozen=True, slots=True)
class ApiKeyRecord:
    """A stored key: never the token itself, only its SHA-256 and its first characters."""

    id: int
    name: str
    scope: Scope
    portfolio_ids: tuple[int, ...] | None  # None: every portfolio
    prefix: str
    ts_created: datetime
    ts_revoked: datetime | None

    @property
    def is_revoked(self) -> bool:
        return self.ts_revoked is not None

    def sees(self, portfolio_id: int) -> bool:
        return self.portfolio_ids is None or portfolio_id in self.portfolio_ids


@dataclass(frozen=True, slots=True)
class IdempotentResponse:
    """The first answer to a request made with an ``Idempotency-Key`` (None while the first
    request is still being carried out)."""

    request_hash: str
    status_code: int | None
    body: str | None
