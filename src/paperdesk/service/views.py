"""Read models the portfolio service returns (plain frozen values, no database rows)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from paperdesk.config import RunConfig
from paperdesk.domain import Order
from paperdesk.store.models import AuditRow, EquitySnapshotRow, SignalRow, TickRunRow


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
    created_at: datetime


@dataclass(frozen=True, slots=True)
class PositionView:
    symbol: str
    quantity: Decimal
    average_price: Decimal
    cost: Decimal
    last_price: Decimal
    market_value: Decimal
    unrealized_pnl: Decimal
    opened_at: datetime | None


@dataclass(frozen=True, slots=True)
class PortfolioDetail:
    summary: PortfolioSummary
    settings: RunConfig
    positions: tuple[PositionView, ...]
    open_orders: tuple[Order, ...]


@dataclass(frozen=True, slots=True)
class SignalView:
    id: int
    strategy: str
    symbol: str
    candle_at: datetime
    direction: int
    confidence: float
    stop: Decimal | None
    target: Decimal | None
    reason: str
    status: str
    rejection: str | None

    @classmethod
    def of(cls, row: SignalRow) -> SignalView:
        return cls(
            row.id,
            row.strategy,
            row.symbol,
            row.candle_at,
            row.direction,
            row.confidence,
            row.stop,
            row.target,
            row.reason,
            row.status,
            row.rejection,
        )


@dataclass(frozen=True, slots=True)
class AuditView:
    id: int
    recorded_at: datetime
    at: datetime
    kind: str
    message: str
    details: dict[str, Any]
    tick_id: int | None

    @classmethod
    def of(cls, row: AuditRow) -> AuditView:
        return cls(
            row.id, row.recorded_at, row.at, row.kind, row.message, dict(row.details), row.tick_id
        )


@dataclass(frozen=True, slots=True)
class EquityView:
    at: datetime
    cash: Decimal
    positions_value: Decimal
    equity: Decimal
    realized_pnl: Decimal
    unrealized_pnl: Decimal
    fees_paid: Decimal

    @classmethod
    def of(cls, row: EquitySnapshotRow) -> EquityView:
        return cls(
            row.at,
            row.cash,
            row.positions_value,
            row.equity,
            row.realized_pnl,
            row.unrealized_pnl,
            row.fees_paid,
        )


@dataclass(frozen=True, slots=True)
class TickRunView:
    id: int
    strategy: str
    symbol: str
    candle_at: datetime
    outcome: str
    summary: str
    recorded_at: datetime

    @classmethod
    def of(cls, row: TickRunRow) -> TickRunView:
        return cls(
            row.id,
            row.strategy,
            row.symbol,
            row.candle_at,
            row.outcome,
            row.summary,
            row.recorded_at,
        )
