"""The ledger's tables (SQLAlchemy 2 declarative). Money columns are ``ExactDecimal``.

The portfolio row holds the books' totals; positions, orders, fills, trades, signals, equity
snapshots and audit entries hang off it. ``tick_runs`` is the idempotency guard: one row per
(portfolio, strategy, symbol, candle), enforced by a unique constraint. ``market_cursors`` records,
per portfolio and symbol, the last candle whose resting orders were matched, its close (the mark),
and for a replay source the index of the candle it is at. ``bars`` holds market data with its
provenance (source and fetch time per bar).
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from paperdesk.store.bar_tables import BAR_BLOCKS, BAR_SERIES, BARS, METADATA
from paperdesk.store.types import ExactDecimal, UtcDateTime

# BigInteger ids that still autoincrement on SQLite (which only does so for INTEGER keys).
IdType = BigInteger().with_variant(Integer(), "sqlite")


class Base(DeclarativeBase):
    metadata = METADATA  # shared with the bar store's Core tables (``store/bar_tables.py``)


class PortfolioRow(Base):
    __tablename__ = "portfolios"

    id: Mapped[int] = mapped_column(IdType, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(200))
    base_currency: Mapped[str] = mapped_column(String(8))
    starting_cash: Mapped[Decimal] = mapped_column(ExactDecimal())
    cash: Mapped[Decimal] = mapped_column(ExactDecimal())
    fees_paid: Mapped[Decimal] = mapped_column(ExactDecimal())
    realized_pnl: Mapped[Decimal] = mapped_column(ExactDecimal())
    status: Mapped[str] = mapped_column(String(16), default="active")
    settings: Mapped[dict[str, object]] = mapped_column(JSON)
    order_sequence: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    archived_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    # bumped by every transaction that changes what a restore reads (see LedgerWriter.finish)
    revision: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")


class PositionRow(Base):
    __tablename__ = "positions"

    portfolio_id: Mapped[int] = mapped_column(ForeignKey("portfolios.id"), primary_key=True)
    symbol: Mapped[str] = mapped_column(String(32), primary_key=True)
    quantity: Mapped[Decimal] = mapped_column(ExactDecimal())
    cost: Mapped[Decimal] = mapped_column(ExactDecimal())
    average_price: Mapped[Decimal] = mapped_column(ExactDecimal())
    realized_pnl: Mapped[Decimal] = mapped_column(ExactDecimal())
    opened_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    opened_bar_index: Mapped[int | None] = mapped_column(Integer, nullable=True)


class OrderRow(Base):
    __tablename__ = "orders"
    __table_args__ = (
        UniqueConstraint("portfolio_id", "client_order_id", name="uq_orders_client_order_id"),
        Index("ix_orders_portfolio_status", "portfolio_id", "status"),
    )

    portfolio_id: Mapped[int] = mapped_column(ForeignKey("portfolios.id"), primary_key=True)
    order_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    sequence: Mapped[int] = mapped_column(Integer)
    client_order_id: Mapped[str] = mapped_column(String(80))
    symbol: Mapped[str] = mapped_column(String(32))
    side: Mapped[str] = mapped_column(String(8))
    order_type: Mapped[str] = mapped_column(String(16))
    quantity: Mapped[Decimal] = mapped_column(ExactDecimal())
    limit_price: Mapped[Decimal | None] = mapped_column(ExactDecimal(), nullable=True)
    stop_price: Mapped[Decimal | None] = mapped_column(ExactDecimal(), nullable=True)
    time_in_force: Mapped[str] = mapped_column(String(8))
    role: Mapped[str] = mapped_column(String(16))
    parent_id: Mapped[str | None] = mapped_column(String(40), nullable=True)
    children: Mapped[list[str]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(24))
    filled_quantity: Mapped[Decimal] = mapped_column(ExactDecimal())
    average_price: Mapped[Decimal | None] = mapped_column(ExactDecimal(), nullable=True)
    triggered: Mapped[bool] = mapped_column(Boolean, default=False)
    size_fraction: Mapped[Decimal | None] = mapped_column(ExactDecimal(), nullable=True)
    strategy: Mapped[str] = mapped_column(String(80))
    reason: Mapped[str] = mapped_column(Text)
    submitted_at: Mapped[datetime] = mapped_column(UtcDateTime())
    eligible_at: Mapped[datetime] = mapped_column(UtcDateTime())  # first bar open it may trade
    expires_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    updated_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)


class FillRow(Base):
    __tablename__ = "fills"
    __table_args__ = (Index("ix_fills_portfolio", "portfolio_id", "id"),)

    id: Mapped[int] = mapped_column(IdType, primary_key=True, autoincrement=True)
    portfolio_id: Mapped[int] = mapped_column(ForeignKey("portfolios.id"))
    tick_id: Mapped[int | None] = mapped_column(ForeignKey("tick_runs.id"), nullable=True)
    order_id: Mapped[str] = mapped_column(String(40))
    symbol: Mapped[str] = mapped_column(String(32))
    side: Mapped[str] = mapped_column(String(8))
    quantity: Mapped[Decimal] = mapped_column(ExactDecimal())
    price: Mapped[Decimal] = mapped_column(ExactDecimal())
    fee: Mapped[Decimal] = mapped_column(ExactDecimal())
    slippage: Mapped[Decimal] = mapped_column(ExactDecimal())
    filled_at: Mapped[datetime] = mapped_column(UtcDateTime())
    strategy: Mapped[str] = mapped_column(String(80))
    reason: Mapped[str] = mapped_column(Text)


class TradeRow(Base):
    __tablename__ = "trades"
    __table_args__ = (Index("ix_trades_portfolio", "portfolio_id", "id"),)

    id: Mapped[int] = mapped_column(IdType, primary_key=True, autoincrement=True)
    portfolio_id: Mapped[int] = mapped_column(ForeignKey("portfolios.id"))
    tick_id: Mapped[int | None] = mapped_column(ForeignKey("tick_runs.id"), nullable=True)
    symbol: Mapped[str] = mapped_column(String(32))
    side: Mapped[str] = mapped_column(String(8))
    quantity: Mapped[Decimal] = mapped_column(ExactDecimal())
    entry_price: Mapped[Decimal] = mapped_column(ExactDecimal())
    exit_price: Mapped[Decimal] = mapped_column(ExactDecimal())
    entry_at: Mapped[datetime] = mapped_column(UtcDateTime())
    exit_at: Mapped[datetime] = mapped_column(UtcDateTime())
    fees: Mapped[Decimal] = mapped_column(ExactDecimal())
    pnl: Mapped[Decimal] = mapped_column(ExactDecimal())
    strategy: Mapped[str] = mapped_column(String(80))
    exit_reason: Mapped[str] = mapped_column(Text)


class SignalRow(Base):
    __tablename__ = "signals"
    __table_args__ = (Index("ix_signals_portfolio", "portfolio_id", "id"),)

    id: Mapped[int] = mapped_column(IdType, primary_key=True, autoincrement=True)
    portfolio_id: Mapped[int] = mapped_column(ForeignKey("portfolios.id"))
    tick_id: Mapped[int | None] = mapped_column(ForeignKey("tick_runs.id"), nullable=True)
    strategy: Mapped[str] = mapped_column(String(80))
    symbol: Mapped[str] = mapped_column(String(32))
    candle_at: Mapped[datetime] = mapped_column(UtcDateTime())
    bar_index: Mapped[int] = mapped_column(Integer)
    direction: Mapped[int] = mapped_column(Integer)
    confidence: Mapped[float] = mapped_column()
    stop: Mapped[Decimal | None] = mapped_column(ExactDecimal(), nullable=True)
    target: Mapped[Decimal | None] = mapped_column(ExactDecimal(), nullable=True)
    reason: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16))  # accepted | rejected
    rejection: Mapped[str | None] = mapped_column(Text, nullable=True)


class EquitySnapshotRow(Base):
    __tablename__ = "equity_snapshots"
    __table_args__ = (Index("ix_equity_portfolio", "portfolio_id", "id"),)

    id: Mapped[int] = mapped_column(IdType, primary_key=True, autoincrement=True)
    portfolio_id: Mapped[int] = mapped_column(ForeignKey("portfolios.id"))
    tick_id: Mapped[int | None] = mapped_column(ForeignKey("tick_runs.id"), nullable=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime())
    cash: Mapped[Decimal] = mapped_column(ExactDecimal())
    positions_value: Mapped[Decimal] = mapped_column(ExactDecimal())
    equity: Mapped[Decimal] = mapped_column(ExactDecimal())
    realized_pnl: Mapped[Decimal] = mapped_column(ExactDecimal())
    unrealized_pnl: Mapped[Decimal] = mapped_column(ExactDecimal())
    fees_paid: Mapped[Decimal] = mapped_column(ExactDecimal())


class AuditRow(Base):
    """Append-only: the migration installs triggers that refuse UPDATE and DELETE."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_portfolio", "portfolio_id", "id"),)

    id: Mapped[int] = mapped_column(IdType, primary_key=True, autoincrement=True)
    portfolio_id: Mapped[int] = mapped_column(ForeignKey("portfolios.id"))
    tick_id: Mapped[int | None] = mapped_column(ForeignKey("tick_runs.id"), nullable=True)
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime())
    at: Mapped[datetime] = mapped_column(UtcDateTime())  # when it happened in market time
    kind: Mapped[str] = mapped_column(String(40))
    message: Mapped[str] = mapped_column(Text)
    details: Mapped[dict[str, object]] = mapped_column(JSON)


class TickRunRow(Base):
    __tablename__ = "tick_runs"
    __table_args__ = (
        UniqueConstraint(
            "portfolio_id", "strategy", "symbol", "candle_at", name="uq_tick_runs_key"
        ),
    )

    id: Mapped[int] = mapped_column(IdType, primary_key=True, autoincrement=True)
    portfolio_id: Mapped[int] = mapped_column(ForeignKey("portfolios.id"))
    strategy: Mapped[str] = mapped_column(String(80))
    symbol: Mapped[str] = mapped_column(String(32))
    timeframe: Mapped[str] = mapped_column(String(8))
    candle_at: Mapped[datetime] = mapped_column(UtcDateTime())  # the candle's open label
    candle_close_at: Mapped[datetime] = mapped_column(UtcDateTime())
    outcome: Mapped[str] = mapped_column(String(16))  # traded | neutral | rejected | signal
    summary: Mapped[str] = mapped_column(Text)
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime())


class MarketCursorRow(Base):
    __tablename__ = "market_cursors"

    portfolio_id: Mapped[int] = mapped_column(ForeignKey("portfolios.id"), primary_key=True)
    symbol: Mapped[str] = mapped_column(String(32), primary_key=True)
    timeframe: Mapped[str] = mapped_column(String(8))
    candle_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    candle_close_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    bar_index: Mapped[int | None] = mapped_column(Integer, nullable=True)
    last_price: Mapped[Decimal | None] = mapped_column(ExactDecimal(), nullable=True)
    replay_index: Mapped[int | None] = mapped_column(Integer, nullable=True)


class BarRow(Base):
    """One stored bar with its provenance: which source gave it (a provider's name or
    ``csv:<file name>``) and when it was fetched. Prices are exact Decimals. The table is
    ``bar_tables.BARS`` (Core: the bar store writes it without the ORM)."""

    __table__ = BARS

    symbol: Mapped[str]
    timeframe: Mapped[str]
    ts: Mapped[datetime]  # the open label
    ts_close: Mapped[datetime]
    open: Mapped[Decimal]
    high: Mapped[Decimal]
    low: Mapped[Decimal]
    close: Mapped[Decimal]
    volume: Mapped[Decimal]
    source: Mapped[str]
    fetched_at: Mapped[datetime]
    bid_open: Mapped[Decimal | None]
    bid_high: Mapped[Decimal | None]
    bid_low: Mapped[Decimal | None]
    bid_close: Mapped[Decimal | None]
    bid_size: Mapped[Decimal | None]
    ask_open: Mapped[Decimal | None]
    ask_high: Mapped[Decimal | None]
    ask_low: Mapped[Decimal | None]
    ask_close: Mapped[Decimal | None]
    ask_size: Mapped[Decimal | None]


class BarBlockRow(Base):
    """A calendar month of one series' bars as one column block (``store/bar_blocks.py``);
    the table is ``bar_tables.BAR_BLOCKS``."""

    __table__ = BAR_BLOCKS

    symbol: Mapped[str]
    timeframe: Mapped[str]
    month: Mapped[datetime]
    first_ts: Mapped[datetime]
    last_ts: Mapped[datetime]
    first_close: Mapped[datetime]
    last_close: Mapped[datetime]
    rows: Mapped[int]
    payload: Mapped[bytes]


class OutboxRow(Base):
    """Every committed event, numbered without gaps per database in commit order (the API
    streams from here and a client resumes from a sequence number)."""

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_portfolio", "portfolio_id", "sequence"),)

    sequence: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    portfolio_id: Mapped[int | None] = mapped_column(ForeignKey("portfolios.id"), nullable=True)
    kind: Mapped[str] = mapped_column(String(40))
    event_at: Mapped[datetime] = mapped_column(UtcDateTime())
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime())
    payload: Mapped[dict[str, object]] = mapped_column(JSON)


class OutboxCounterRow(Base):
    """One row holding the last outbox sequence number handed out. A transaction takes it
    (row lock on PostgreSQL, the write lock on SQLite) just before it commits, so numbers are
    gap-free and in commit order; a rolled-back transaction gives its numbers back."""

    __tablename__ = "outbox_counter"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    last_sequence: Mapped[int] = mapped_column(BigInteger)


class LedgerCheckpointRow(Base):
    """The books after a unit of work that booked fills: totals, positions and the open round
    trips. A portfolio restores from its latest checkpoint plus the fills after it."""

    __tablename__ = "ledger_checkpoints"
    __table_args__ = (Index("ix_checkpoints_portfolio", "portfolio_id", "id"),)

    id: Mapped[int] = mapped_column(IdType, primary_key=True, autoincrement=True)
    portfolio_id: Mapped[int] = mapped_column(ForeignKey("portfolios.id"))
    last_fill_id: Mapped[int] = mapped_column(BigInteger)  # 0: before any fill
    cash: Mapped[Decimal] = mapped_column(ExactDecimal())
    fees_paid: Mapped[Decimal] = mapped_column(ExactDecimal())
    realized_pnl: Mapped[Decimal] = mapped_column(ExactDecimal())
    state: Mapped[dict[str, object]] = mapped_column(JSON)  # positions and open round trips
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime())


class StrategyStateRow(Base):
    """A per-bar strategy's own persisted state, per portfolio and symbol (JSON)."""

    __tablename__ = "strategy_states"

    portfolio_id: Mapped[int] = mapped_column(ForeignKey("portfolios.id"), primary_key=True)
    strategy: Mapped[str] = mapped_column(String(80), primary_key=True)
    symbol: Mapped[str] = mapped_column(String(32), primary_key=True)
    state: Mapped[dict[str, object]] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())


class BarSeriesRow(Base):
    """One row per stored bar series and its version (``bar_tables.BAR_SERIES``)."""

    __table__ = BAR_SERIES

    symbol: Mapped[str]
    timeframe: Mapped[str]
    version: Mapped[int]
    updated_at: Mapped[datetime]
    asset_class: Mapped[str | None]


class ApiKeyRow(Base):
    """A key of the service API: only the SHA-256 of its token is stored (shown once)."""

    __tablename__ = "api_keys"

    id: Mapped[int] = mapped_column(IdType, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(200))
    scope: Mapped[str] = mapped_column(String(16))
    portfolio_ids: Mapped[list[int] | None] = mapped_column(JSON, nullable=True)  # None: all
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)


class IdempotencyRow(Base):
    """The first response to a write made with an ``Idempotency-Key`` (per API key): a retry
    gets it back instead of a second write. ``status_code`` is NULL while the write runs."""

    __tablename__ = "idempotency_keys"

    api_key_id: Mapped[int] = mapped_column(ForeignKey("api_keys.id"), primary_key=True)
    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    request_hash: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int | None] = mapped_column(Integer, nullable=True)
    response_body: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())


class WorkLeaseRow(Base):
    """Which worker holds a portfolio's round and until when (``paperdesk worker``): claimed
    with ``FOR UPDATE SKIP LOCKED``, so workers never wait on each other, and taken over once
    ``lease_expires_at`` passes (a dead worker's portfolios)."""

    __tablename__ = "work_leases"
    __table_args__ = (Index("ix_work_leases_next_due", "next_due_at"),)

    portfolio_id: Mapped[int] = mapped_column(IdType, ForeignKey("portfolios.id"), primary_key=True)
    holder: Mapped[str | None] = mapped_column(String(120), nullable=True)
    lease_expires_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    last_round_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    next_due_at: Mapped[datetime] = mapped_column(UtcDateTime())


class WebhookRow(Base):
    """A portfolio's webhook and its delivery state: the outbox is the queue, so the state is
    a cursor (``last_sequence``) plus the retry state of the event now due. The secret is kept
    as given (the server must know it to sign); ``claim`` and ``claimed_until`` hold it for
    one dispatcher at a time (a crashed dispatcher's claim lapses)."""

    __tablename__ = "webhooks"
    __table_args__ = (Index("ix_webhooks_portfolio", "portfolio_id", "id"),)

    id: Mapped[int] = mapped_column(IdType, primary_key=True, autoincrement=True)
    portfolio_id: Mapped[int] = mapped_column(ForeignKey("portfolios.id"))
    url: Mapped[str] = mapped_column(String(2000))
    kinds: Mapped[list[str]] = mapped_column(JSON)
    secret: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    last_sequence: Mapped[int] = mapped_column(BigInteger)
    attempts: Mapped[int] = mapped_column(Integer)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    last_delivered_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    claim: Mapped[str | None] = mapped_column(String(40), nullable=True)
    claimed_until: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
