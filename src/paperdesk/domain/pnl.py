"""The one definition of realized P&L, used by every report (portfolio show, performance,
trades, backtest and run).

- **Gross** realized P&L: what prices made on every quantity closed, before any fee.
- **Fees**: the commissions paid (entries and exits).
- **Net** = gross - fees: what trading made after costs.

A round trip's P&L (``Trade.pnl``) is net: its gross minus its entry and exit fees, so a list of
closed trades sums to its own gross, fees and net. For a portfolio the gross is the ledger's
realized P&L and the fees every fee paid; when no position is open, the two reconcile exactly
(an open position's entry fee is already paid, but its trade is not closed yet).
Equity - starting cash = net realized + unrealized.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from paperdesk.domain.money import ZERO
from paperdesk.domain.portfolio import Trade


@dataclass(frozen=True, slots=True)
class RealizedPnl:
    gross: Decimal
    fees: Decimal

    @property
    def net(self) -> Decimal:
        return self.gross - self.fees

    @classmethod
    def of_trades(cls, trades: Iterable[Trade]) -> RealizedPnl:
        """The gross, fees and net of closed round trips (their net P&Ls sum to ``net``)."""
        gross, fees = ZERO, ZERO
        for trade in trades:
            gross += trade.gross_pnl
            fees += trade.fees
        return cls(gross, fees)
