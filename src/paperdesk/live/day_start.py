"""The equity the daily loss limit measures from, for a tick and a manual order alike.

One rule for both doors: a strategy's entry at a tick and a trader's entry at the desk are
refused by ``DailyLossLimit`` against the same day's start, so the two may not drift apart.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from paperdesk.live.restore import RestoredPortfolio
    from paperdesk.store import LedgerRepository


def day_start_equity(
    repository: LedgerRepository, state: RestoredPortfolio, at: datetime
) -> Decimal | None:
    """The last equity snapshot taken before the UTC midnight that starts ``at``'s day, or the
    starting cash when there is none; None when the portfolio has no daily loss limit (the
    query is then not worth making: the rule lets everything through without it)."""
    if state.settings.risk.daily_loss_limit_percent is None:
        return None
    midnight = at.replace(hour=0, minute=0, second=0, microsecond=0)
    before = repository.equity_before(state.portfolio_id, midnight)
    return state.record.starting_cash if before is None else before
