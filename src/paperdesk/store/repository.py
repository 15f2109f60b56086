"""The repository: the only code that touches a database session.

A ``LedgerRepository`` lives for one transaction (``Database.transaction``). Reads return domain
values (``paperdesk.domain.records``), never rows; every write goes through ``writer``
(``LedgerWriter``), which builds the rows and the outbox entries of the transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any, TypeVar

from sqlalchemy import Connection, bindparam, func, select, union
from sqlalchemy.orm import Session

from paperdesk.domain import Fill, Order, Position, Trade, UnknownNameError
from paperdesk.domain.records import (
    AuditView,
    CursorRecord,
    EquityView,
    FillRecord,
    OutboxEntry,
    PortfolioRecord,
    SignalView,
    TickRunView,
    WorkingOrder,
)
from paperdesk.portfolio import LedgerState
from paperdesk.store.event_documents import FEED_KINDS
from paperdesk.store.mappers import (
    portfolio_record,
    read_audit,
    read_cursor,
    read_equity,
    read_fill,
    read_fill_record,
    read_ledger_state,
    read_order,
    read_portfolio,
    read_position,
    read_signal,
    read_tick_run,
    read_trade,
)
from paperdesk.store.models import (
    AuditRow,
    Base,
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
    StrategyStateRow,
    TickRunRow,
    TradeRow,
)
from paperdesk.store.order_rows import expire_loaded, flush_pending
from paperdesk.store.prebuilt import Prebuilt
from paperdesk.store.tables import ORDERS, PORTFOLIOS, POSITIONS
from paperdesk.store.writer import LedgerWriter

if TYPE_CHECKING:
    from paperdesk.store.api_keys import ApiKeyRepository
    from paperdesk.store.database import Database
    from paperdesk.store.leases import WorkLeaseRepository
    from paperdesk.store.webhooks import WebhookRepository

RowT = TypeVar("RowT", bound=Base)
_OPEN_STATUSES = ("pending", "accepted", "partially_filled")
_COUNTED: dict[str, type[Base]] = {
    "orders": OrderRow,
    "fills": FillRow,
    "trades": TradeRow,
    "signals": SignalRow,
    "equity": EquitySnapshotRow,
    "audit": AuditRow,
    "ticks": TickRunRow,
}

_CURSOR_COLUMNS = MarketCursorRow.__table__.c
# built once: the settings of a portfolio and the last bar processed for a symbol
_TICK_START = (
    select(PortfolioRow.settings, _CURSOR_COLUMNS.candle_at)
    .select_from(PortfolioRow)
    .outerjoin(
        MarketCursorRow.__table__,
        (_CURSOR_COLUMNS.portfolio_id == PortfolioRow.id)
        & (_CURSOR_COLUMNS.symbol == bindparam("start_symbol")),
    )
    .where(PortfolioRow.id == bindparam("start_portfolio"))
)
# built once: a portfolio's row (every unit of work locks it: PostgreSQL FOR UPDATE, the row
# read again over what the session holds), and its status alone (the API's check)
_PORTFOLIO = select(PortfolioRow).where(PortfolioRow.id == bindparam("portfolio"))
# the locked read is a Core SELECT of the row's columns sent as driver-level SQL
# (store/prebuilt.py): every order and cancel starts with it, and the ORM's loading of an
# object cost more than the read
_LOCKED_PORTFOLIO = Prebuilt(
    select(*PORTFOLIOS.columns).where(PORTFOLIOS.c.id == bindparam("portfolio")).with_for_update()
)
_PORTFOLIO_KEYS = tuple(column.key for column in PORTFOLIOS.columns)
_PORTFOLIO_STATUS = select(PORTFOLIOS.c.status).where(PORTFOLIOS.c.id == bindparam("portfolio"))


class LedgerRepository:
    """Reads the ledger inside one transaction; ``writer`` writes it."""

    def __init__(self, session: Session, unit: object | None = None) -> None:
        self._session = session
        self.writer = LedgerWriter(session)
        # the unit of work this repository is part of: itself, or the held unit
        # (``Database.held``) whose transactions share one session and one commit
        self.unit: object = self if unit is None else unit
        # called with this repository after its transaction commits (never after a rollback
        # or a dry run): how an in-memory copy of what the unit changed is kept current
        self.on_committed: list[Callable[[LedgerRepository], None]] = []
        # called when the unit ends, committed (after ``on_committed``) or rolled back: how a
        # claim the unit made in memory (the state cache's state in flight) is released
        self.on_finished: list[Callable[[], None]] = []

    def session_of(self, database: Database) -> Session | None:
        """This transaction's session when it is one of ``database`` (its engine), else None:
        how a reader of the same database reads in the unit instead of on a connection of its
        own (``SqlBarStore.series_versions``)."""
        bind = self._session.get_bind()  # the engine, or a connection of it kept for units
        engine = bind.engine if isinstance(bind, Connection) else bind
        return self._session if engine is database.engine else None

    @property
    def api_keys(self) -> ApiKeyRepository:
        """The service API's keys and idempotency records, in this transaction."""
        from paperdesk.store.api_keys import ApiKeyRepository

        return ApiKeyRepository(self._session)

    @property
    def leases(self) -> WorkLeaseRepository:
        """The worker's per-portfolio work leases, in this transaction."""
        from paperdesk.store.leases import WorkLeaseRepository

        return WorkLeaseRepository(self._session)

    @property
    def webhooks(self) -> WebhookRepository:
        """The portfolios' webhooks and their delivery state, in this transaction."""
        from paperdesk.store.webhooks import WebhookRepository

        return WebhookRepository(self._session)

    @property
    def dialect(self) -> str:
        return self._session.get_bind().dialect.name

    def finish(self) -> list[OutboxEntry]:
        """Write what is pending (the outbox numbers) before the transaction commits; returns
        the outbox entries written."""
        return self.writer.finish()

    def outbox_last_sequence(self) -> int:
        """The newest outbox sequence number committed (0 before the first event)."""
        return int(self._session.get_one(OutboxCounterRow, 1).last_sequence)

    # -------------------------------------------------------------------------- portfolios

    def portfolio(self, portfolio_id: int, *, lock: bool = False) -> PortfolioRecord:
        """The portfolio; ``lock`` holds it for the rest of the transaction (PostgreSQL
        ``FOR UPDATE``; SQLite transactions already hold the database's write lock)."""
        if lock:
            return self._locked_portfolio(portfolio_id)
        row = self._session.scalars(_PORTFOLIO, {"portfolio": portfolio_id}).one_or_none()
        if row is None:
            raise UnknownNameError(f"no portfolio with id {portfolio_id}{self._known_ids()}")
        return read_portfolio(row)

    def _locked_portfolio(self, portfolio_id: int) -> PortfolioRecord:
        """The row read under its lock as the ORM read it (``populate_existing``: what the
        session holds pending written first, a copy it holds read again), without an ORM
        object: the copy is expired instead, so a later ORM read of it sees the row."""
        session = self._session
        flush_pending(session)
        found = _LOCKED_PORTFOLIO.fetch(session, {"portfolio": portfolio_id})
        if not found:
            raise UnknownNameError(f"no portfolio with id {portfolio_id}{self._known_ids()}")
        expire_loaded(session, PortfolioRow, (portfolio_id,))
        return portfolio_record(dict(zip(_PORTFOLIO_KEYS, found[0], strict=True)))

    def tick_start(self, portfolio_id: int, symbol: str) -> tuple[dict[str, Any], datetime | None]:
        """What a tick reads before it takes the portfolio's lock, in one statement: the
        portfolio's stored settings (is it ``live``?) and the last bar processed for
        ``symbol`` (None before the first)."""
        found = self._session.execute(
            _TICK_START, {"start_portfolio": portfolio_id, "start_symbol": symbol}
        ).one_or_none()
        if found is None:
            raise UnknownNameError(f"no portfolio with id {portfolio_id}{self._known_ids()}")
        return dict(found[0]), found[1]

    def portfolio_status(self, portfolio_id: int) -> str:
        """The portfolio's status alone (one column, no ORM object: what the API checks
        before every action); an unknown portfolio is named as by ``portfolio``."""
        status = self._session.execute(
            _PORTFOLIO_STATUS, {"portfolio": portfolio_id}
        ).scalar_one_or_none()
        if status is None:
            raise UnknownNameError(f"no portfolio with id {portfolio_id}{self._known_ids()}")
        return str(status)

    def _known_ids(self) -> str:
        """``"; portfolios: 1, 2, 3"`` (the first few), or a hint to create one."""
        ids = self._session.scalars(select(PortfolioRow.id).order_by(PortfolioRow.id).limit(11))
        shown = [str(i) for i in ids]
        if not shown:
            return "; there are no portfolios yet (paperdesk create-portfolio NAME CASH)"
        more = ", ..." if len(shown) > 10 else ""
        return f"; portfolios: {', '.join(shown[:10])}{more} (paperdesk portfolio list)"

    def portfolios(self, *, include_archived: bool = False) -> list[PortfolioRecord]:
        statement = select(PortfolioRow).order_by(PortfolioRow.id)
        if not include_archived:
            statement = statement.where(PortfolioRow.status != "archived")
        return [read_portfolio(row) for row in self._session.scalars(statement)]

    # ------------------------------------------------------------------------------- state

    def positions(self, portfolio_id: int) -> list[Position]:
        statement = (
            select(PositionRow)
            .where(PositionRow.portfolio_id == portfolio_id)
            .order_by(PositionRow.symbol)
        )
        return [read_position(row) for row in self._session.scalars(statement)]

    def traded_symbols(self, portfolio_id: int) -> set[str]:
        """The symbols the portfolio holds a position in or has a working order in (one
        statement, whatever the watch list says)."""
        flush_pending(self._session)  # a Core read: what the session holds pending first
        held = select(POSITIONS.c.symbol).where(POSITIONS.c.portfolio_id == portfolio_id)
        ordered = select(ORDERS.c.symbol).where(
            ORDERS.c.portfolio_id == portfolio_id, ORDERS.c.status.in_(_OPEN_STATUSES)
        )
        return set(self._session.scalars(union(held, ordered)))

    def orders(
        self, portfolio_id: int, *, open_only: bool = False, limit: int | None = None
    ) -> list[Order]:
        return [o.order for o in self.stored_orders(portfolio_id, open_only=open_only, limit=limit)]

    def stored_orders(
        self, portfolio_id: int, *, open_only: bool = False, limit: int | None = None
    ) -> list[WorkingOrder]:
        """Orders with the first bar open each may trade at, in submission order."""
        statement = select(OrderRow).where(OrderRow.portfolio_id == portfolio_id)
        if open_only:
            statement = statement.where(OrderRow.status.in_(_OPEN_STATUSES))
        rows = self._latest(statement.order_by(OrderRow.sequence), OrderRow.sequence, limit)
        return [WorkingOrder(read_order(row), row.eligible_at) for row in rows]

    def working_book(self, portfolio_id: int) -> list[WorkingOrder]:
        """The open orders and the bracket relatives they refer to (a filled parent, a
        sibling leg), in submission order: what the order book needs, however long the
        portfolio's history is."""
        rows = {
            row.order_id: row
            for row in self._session.scalars(
                select(OrderRow).where(
                    OrderRow.portfolio_id == portfolio_id, OrderRow.status.in_(_OPEN_STATUSES)
                )
            )
        }
        wanted: set[str] = set()
        for row in rows.values():
            if row.parent_id is not None:
                wanted.add(row.parent_id)
            wanted.update(row.children)
        for _ in range(2):  # parents of open legs, then those parents' other legs
            missing = wanted - rows.keys()
            if not missing:
                break
            for row in self._session.scalars(
                select(OrderRow).where(
                    OrderRow.portfolio_id == portfolio_id, OrderRow.order_id.in_(missing)
                )
            ):
                rows[row.order_id] = row
                wanted.update(row.children)
        ordered = sorted(rows.values(), key=lambda row: row.sequence)
        return [WorkingOrder(read_order(row), row.eligible_at) for row in ordered]

    def order(self, portfolio_id: int, order_id: str) -> Order:
        if "\x00" in order_id:  # no id holds one (PostgreSQL refuses the text outright)
            raise UnknownNameError(f"portfolio {portfolio_id} has no order {order_id!r}")
        flush_pending(self._session)  # a Core read: what the session holds pending first
        columns = ORDERS.c
        row = self._session.execute(
            select(ORDERS).where(columns.portfolio_id == portfolio_id, columns.order_id == order_id)
        ).one_or_none()
        if row is None:
            raise UnknownNameError(f"portfolio {portfolio_id} has no order {order_id!r}")
        return read_order(row)

    def order_by_client_id(self, portfolio_id: int, client_order_id: str) -> Order | None:
        row = self._session.scalars(
            select(OrderRow).where(
                OrderRow.portfolio_id == portfolio_id,
                OrderRow.client_order_id == client_order_id,
            )
        ).one_or_none()
        return None if row is None else read_order(row)

    def first_fill_at(self, portfolio_id: int, order_id: str) -> datetime | None:
        """When order ``order_id`` first filled (None before its first fill)."""
        statement = (
            select(FillRow.filled_at)
            .where(FillRow.portfolio_id == portfolio_id, FillRow.order_id == order_id)
            .order_by(FillRow.id)
            .limit(1)
        )
        return self._session.scalars(statement).first()

    def fills(self, portfolio_id: int, *, limit: int | None = None) -> list[Fill]:
        return [read_fill(row) for row in self._by_id(FillRow, portfolio_id, limit)]

    def fill_records(self, portfolio_id: int, *, after_id: int = 0) -> list[FillRecord]:
        """Fills with their strategy and exit reason, those with an id above ``after_id``."""
        statement = (
            select(FillRow)
            .where(FillRow.portfolio_id == portfolio_id, FillRow.id > after_id)
            .order_by(FillRow.id)
        )
        return [read_fill_record(row) for row in self._session.scalars(statement)]

    def trades(self, portfolio_id: int, *, limit: int | None = None) -> list[Trade]:
        return [read_trade(row) for row in self._by_id(TradeRow, portfolio_id, limit)]

    def signals(self, portfolio_id: int, *, limit: int | None = None) -> list[SignalView]:
        return [read_signal(row) for row in self._by_id(SignalRow, portfolio_id, limit)]

    def equity(self, portfolio_id: int, *, limit: int | None = None) -> list[EquityView]:
        return [read_equity(row) for row in self._by_id(EquitySnapshotRow, portfolio_id, limit)]

    def audit(self, portfolio_id: int, *, limit: int | None = None) -> list[AuditView]:
        return [read_audit(row) for row in self._by_id(AuditRow, portfolio_id, limit)]

    def tick_runs(self, portfolio_id: int, *, limit: int | None = None) -> list[TickRunView]:
        return [read_tick_run(row) for row in self._by_id(TickRunRow, portfolio_id, limit)]

    def count(self, what: str, portfolio_id: int) -> int:
        """How many ``what`` (orders, fills, trades, signals, equity, audit, ticks) it has."""
        row_type = _COUNTED[what]
        column: Any = row_type.portfolio_id  # type: ignore[attr-defined]
        return int(
            self._session.scalar(
                select(func.count()).select_from(row_type).where(column == portfolio_id)
            )
            or 0
        )

    def last_accepted_signals(self, portfolio_id: int) -> dict[str, datetime]:
        """The bar (open label) of the last accepted signal per symbol."""
        statement = (
            select(SignalRow.symbol, func.max(SignalRow.candle_at))
            .where(SignalRow.portfolio_id == portfolio_id, SignalRow.status == "accepted")
            .group_by(SignalRow.symbol)
        )
        # max() keeps the column's type, so the values arrive as aware UTC datetimes
        rows = self._session.execute(statement)
        return {symbol: bar for symbol, bar in rows if bar is not None}

    def equity_before(self, portfolio_id: int, at: datetime) -> Decimal | None:
        """The equity of the last snapshot taken before ``at`` (None when there is none)."""
        statement = (
            select(EquitySnapshotRow.equity)
            .where(EquitySnapshotRow.portfolio_id == portfolio_id, EquitySnapshotRow.at < at)
            .order_by(EquitySnapshotRow.id.desc())
            .limit(1)
        )
        return self._session.scalars(statement).first()

    def latest_checkpoint(self, portfolio_id: int) -> tuple[LedgerState, int] | None:
        """The books of the latest checkpoint and the id of the last fill they include."""
        row = self._session.scalars(
            select(LedgerCheckpointRow)
            .where(LedgerCheckpointRow.portfolio_id == portfolio_id)
            .order_by(LedgerCheckpointRow.id.desc())
            .limit(1)
        ).first()
        if row is None:
            return None
        state = read_ledger_state(row.cash, row.fees_paid, row.realized_pnl, dict(row.state))
        return state, row.last_fill_id

    def strategy_state(self, portfolio_id: int, strategy: str, symbol: str) -> dict[str, Any]:
        """A per-bar strategy's persisted state ({} before its first save)."""
        row = self._session.get(StrategyStateRow, (portfolio_id, strategy, symbol))
        return {} if row is None else dict(row.state)

    # ------------------------------------------------------------------------------- ticks

    def cursor(self, portfolio_id: int, symbol: str) -> CursorRecord | None:
        row = self._session.get(MarketCursorRow, (portfolio_id, symbol))
        return None if row is None else read_cursor(row)

    def cursors(self, portfolio_id: int) -> list[CursorRecord]:
        statement = select(MarketCursorRow).where(MarketCursorRow.portfolio_id == portfolio_id)
        return [read_cursor(row) for row in self._session.scalars(statement)]

    def ticked_strategies(self, portfolio_id: int, symbol: str, ts_bar: datetime) -> set[str]:
        """The strategies whose tick for this bar is already recorded."""
        statement = select(TickRunRow.strategy).where(
            TickRunRow.portfolio_id == portfolio_id,
            TickRunRow.symbol == symbol,
            TickRunRow.candle_at == ts_bar,
        )
        return set(self._session.scalars(statement))

    # ------------------------------------------------------------------------------ outbox

    def last_outbox_sequence(self) -> int:
        """The last sequence number committed (as this transaction sees it; 0 for none)."""
        return int(self._session.scalar(select(func.max(OutboxRow.sequence))) or 0)

    def outbox(
        self, *, after: int = 0, limit: int = 1000, portfolio_id: int | None = None
    ) -> list[OutboxEntry]:
        """Committed events with a sequence number above ``after``, oldest first."""
        statement = select(OutboxRow).where(OutboxRow.sequence > after)
        if portfolio_id is not None:
            statement = statement.where(OutboxRow.portfolio_id == portfolio_id)
        rows = self._session.scalars(statement.order_by(OutboxRow.sequence).limit(limit))
        return [
            OutboxEntry(
                row.sequence,
                row.portfolio_id,
                row.kind,
                row.event_at,
                row.recorded_at,
                dict(row.payload),
            )
            for row in rows
        ]

    def latest_feed_events(self, portfolio_id: int) -> dict[str, OutboxEntry]:
        """The newest ``feed.*`` event of each symbol of a live portfolio (its feed's state:
        stale, failing or recovered); a symbol whose feed never changed state is absent."""
        statement = (
            select(OutboxRow)
            .where(OutboxRow.portfolio_id == portfolio_id, OutboxRow.kind.in_(FEED_KINDS))
            .order_by(OutboxRow.sequence.desc())
        )
        latest: dict[str, OutboxEntry] = {}
        for row in self._session.scalars(statement):
            symbol = str(row.payload.get("symbol"))
            if symbol not in latest:
                latest[symbol] = OutboxEntry(
                    row.sequence, row.portfolio_id, row.kind, row.event_at, row.recorded_at,
                    dict(row.payload),
                )  # fmt: skip
        return latest

    def newest_bar_closes(
        self, symbols: Sequence[str], timeframe: str, now: datetime
    ) -> dict[str, datetime]:
        """The close of each symbol's newest stored ``timeframe`` bar closed by ``now`` (a
        symbol without one is absent): one grouped read of the bar store's table, in this
        unit (a live portfolio's view of its feeds)."""
        from paperdesk.domain import Timeframe
        from paperdesk.store.bar_blocks import decode, instant, micros_of
        from paperdesk.store.models import BarBlockRow, BarRow

        names = sorted({symbol.strip().upper() for symbol in symbols})
        if not names:
            return {}
        frame = str(Timeframe.parse(timeframe))
        statement = (
            select(BarRow.symbol, func.max(BarRow.ts_close))
            .where(BarRow.symbol.in_(names), BarRow.timeframe == frame, BarRow.ts_close <= now)
            .group_by(BarRow.symbol)
        )
        found: list[tuple[str, datetime | None]] = [
            (str(symbol), close) for symbol, close in self._session.execute(statement)
        ]
        blocks = BarBlockRow.symbol.in_(names), BarBlockRow.timeframe == frame
        closed = (  # the bar blocks closed by ``now``: their largest close, no decoding
            select(BarBlockRow.symbol, func.max(BarBlockRow.last_close))
            .where(*blocks, BarBlockRow.last_close <= now)
            .group_by(BarBlockRow.symbol)
        )
        found.extend((str(symbol), close) for symbol, close in self._session.execute(closed))
        across = select(BarBlockRow.symbol, BarBlockRow.payload).where(
            *blocks, BarBlockRow.first_close <= now, BarBlockRow.last_close > now
        )
        for symbol, payload in self._session.execute(across):  # a block ``now`` falls in
            closes = decode(payload).ts_close
            found.append((str(symbol), instant(int(closes[closes <= micros_of(now)].max()))))
        newest: dict[str, datetime] = {}
        for symbol, close in found:
            if close is not None and (symbol not in newest or close > newest[symbol]):
                newest[symbol] = close
        return newest

    # ----------------------------------------------------------------------------- helpers

    def _by_id(self, row_type: type[RowT], portfolio_id: int, limit: int | None) -> list[RowT]:
        id_column: Any = row_type.id  # type: ignore[attr-defined]
        owner: Any = row_type.portfolio_id  # type: ignore[attr-defined]
        statement = select(row_type).where(owner == portfolio_id).order_by(id_column)
        return self._latest(statement, id_column, limit)

    def _latest(self, statement: Any, key: Any, limit: int | None) -> list[Any]:
        """All rows in order, or the last ``limit`` of them (still oldest first)."""
        if limit is None:
            return list(self._session.scalars(statement))
        newest: Sequence[Any] = list(
            self._session.scalars(statement.order_by(None).order_by(key.desc()).limit(limit))
        )
        return list(reversed(newest))
