"""A worker's claim on one portfolio's round (``paperdesk worker``), as the store hands it out."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class WorkLease:
    """Portfolio ``portfolio_id`` is held by ``holder`` until ``expires_at``; its previous
    round ran at ``last_round_at`` (None: never) and this one was due at ``due_at``."""

    portfolio_id: int
    holder: str | None
    expires_at: datetime | None
    last_round_at: datetime | None
    due_at: datetime
