"""The ledger's tables as SQLAlchemy Core ``Table`` handles, named once for the statements the
store builds with Core instead of the ORM (the order path, the tick's rows, the events' rows).
Store-only, like the models they come from."""

from __future__ import annotations

from typing import cast

from sqlalchemy import Table

from paperdesk.store.models import (
    AuditRow,
    EquitySnapshotRow,
    FillRow,
    LedgerCheckpointRow,
    MarketCursorRow,
    OrderRow,
    OutboxCounterRow,
    OutboxRow,
    PortfolioRow,
    PositionRow,
    SignalRow,
    TickRunRow,
    TradeRow,
)

PORTFOLIOS = cast(Table, PortfolioRow.__table__)
ORDERS = cast(Table, OrderRow.__table__)
FILLS = cast(Table, FillRow.__table__)
POSITIONS = cast(Table, PositionRow.__table__)
TRADES = cast(Table, TradeRow.__table__)
SIGNALS = cast(Table, SignalRow.__table__)
AUDIT = cast(Table, AuditRow.__table__)
OUTBOX = cast(Table, OutboxRow.__table__)
OUTBOX_COUNTER = cast(Table, OutboxCounterRow.__table__)
CHECKPOINTS = cast(Table, LedgerCheckpointRow.__table__)
EQUITY_SNAPSHOTS = cast(Table, EquitySnapshotRow.__table__)
CURSORS = cast(Table, MarketCursorRow.__table__)
TICK_RUNS = cast(Table, TickRunRow.__table__)
