"""One row of a trade plan, as validated: exact prices and quantities, times in UTC."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from paperdesk.domain.enums import Side


@dataclass(frozen=True, slots=True)
class PlanRow:
    """A planned trade.

    ``row`` is the row's number in its file (1 = the first data row after the header; the
    index in a JSON list plus one), so every message and audit entry can name it.
    Prices and quantity are exact; ``prob_win`` and ``strength`` are scores in [0, 1] (kept
    exact so a ranking never depends on float rounding); ``etth_days`` is the expected time to
    hit in days; ``entry_datetime`` is timezone-aware UTC (None: the plan date's open);
    ``max_hold_days`` None means the setting's default."""

    row: int
    ticker: str
    side: Side
    qty: Decimal
    entry_price: Decimal
    take_profit: Decimal | None = None
    stop_loss: Decimal | None = None
    prob_win: Decimal | None = None
    strength: Decimal | None = None
    etth_days: Decimal | None = None
    entry_datetime: datetime | None = None
    max_hold_days: Decimal | None = None

    @property
    def notional(self) -> Decimal:
        """What the entry commits: quantity times entry price."""
        return self.qty * self.entry_price
