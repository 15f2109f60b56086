"""Read models the portfolio service returns (plain frozen values, no database rows)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from paperdesk.config import RunConfig
from paperdesk.domain import Order
from paperdesk.domain.pnl import RealizedPnl
from paperdesk.domain.records import AuditView, EquityView, SignalView, TickRunView


@dataclass(frozen=True, slots=True)
class PortfolioSummary:
    id: int
    name: str
    status: str
    base_currency: str
    starting_cash: Decimal
    cash: Decimal
    positions_value: Decimal
    equity: Decimal
    realized_pnl: Decimal
    unrealized_pnl: Decimal
    fees_paid: Decimal
    ts_created: datetime

    @property
    def realized(self) -> RealizedPnl:
        """Realized P&L gross (the ledger's), every fee paid, and net = gross - fees."""
        return RealizedPnl(self.realized_pnl, self.fees_paid)

    @property
    def realized_pnl_net(self) -> Decimal:
        """Realized P&L net of every fee paid (``realized_pnl`` is gross): what every surface
        shows as "Realized P&L" (docs/statistics.md, Audit)."""
        return self.realized.net

    @property
    def total_pnl(self) -> Decimal:
        """Equity - starting cash = net realized + unrealized."""
        return self.equity - self.starting_cash


@dataclass(frozen=True, slots=True)
class PositionView:
    symbol: str
    quantity: Decimal
    average_price: Decimal
    cost: Decimal
    last_price: Decimal
    market_value: Decimal
    unrealized_pnl: Decimal
    ts_opened: datetime | None


@dataclass(frozen=True, slots=True)
class FeedHealth:
    """A live portfolio's feed of one symbol: ``state`` ok, stale or failing as its last change
    left it, ``since`` when it became so (None: never anything but ok) and why; the newest
    stored bar's close and its age now (None: no bar stored)."""

    symbol: str
    state: str
    since: datetime | None
    last_bar_close: datetime | None
    age_seconds: Decimal | None
    reason: str


@dataclass(frozen=True, slots=True)
class PortfolioDetail:
    summary: PortfolioSummary
    settings: RunConfig
    positions: tuple[PositionView, ...]
    open_orders: tuple[Order, ...]
    feeds: tuple[FeedHealth, ...] = ()  # live portfolios: each symbol's feed health
    # what the entries still working take off a new buy's budget (``service.buying_power``)
    working_entry_cost: Decimal = Decimal(0)


__all__ = [
    "AuditView",
    "EquityView",
    "FeedHealth",
    "PortfolioDetail",
    "PortfolioSummary",
    "PositionView",
    "SignalView",
    "TickRunView",
]
