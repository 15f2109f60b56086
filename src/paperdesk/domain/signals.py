"""Signals: what a strategy wants, before the router decides whether and how much to trade."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import NamedTuple

from paperdesk.domain.enums import Direction
from paperdesk.domain.errors import InvalidInputError


class _SignalFields(NamedTuple):
    strategy: str
    symbol: str
    direction: Direction
    ts: datetime
    confidence: float = 1.0
    entry: Decimal | None = None
    stop: Decimal | None = None
    target: Decimal | None = None
    reason: str = ""


class Signal(_SignalFields):
    """A strategy's wish at ``ts`` (the close of the bar it was computed from).

    The constructor validates; ``Signal._make`` skips that for fields already validated.
    """

    __slots__ = ()

    def __new__(
        cls,
        strategy: str,
        symbol: str,
        direction: Direction,
        ts: datetime,
        confidence: float = 1.0,
        entry: Decimal | None = None,
        stop: Decimal | None = None,
        target: Decimal | None = None,
        reason: str = "",
    ) -> Signal:
        if not 0.0 <= confidence <= 1.0:
            raise InvalidInputError(f"signal confidence must be between 0 and 1, got {confidence}")
        if ts.tzinfo is None:
            raise InvalidInputError(f"signal ts must be timezone-aware, got {ts!r}")
        return super().__new__(
            cls, strategy, symbol, direction, ts, confidence, entry, stop, target, reason
        )
