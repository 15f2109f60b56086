"""Signals: what a strategy wants, before the router decides whether and how much to trade."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from paperdesk.domain.enums import Direction
from paperdesk.domain.errors import InvalidInputError


@dataclass(frozen=True, slots=True)
class Signal:
    """A strategy's wish at ``ts`` (the close of the bar it was computed from)."""

    strategy: str
    symbol: str
    direction: Direction
    ts: datetime
    confidence: float = 1.0
    entry: Decimal | None = None
    stop: Decimal | None = None
    target: Decimal | None = None
    reason: str = ""

    def __post_init__(self) -> None:
        if not 0.0 <= self.confidence <= 1.0:
            raise InvalidInputError(
                f"signal confidence must be between 0 and 1, got {self.confidence}"
            )
        if self.ts.tzinfo is None:
            raise InvalidInputError(f"signal ts must be timezone-aware, got {self.ts!r}")
