"""The ledger writer: the one place that turns what happened into rows.

A unit of work (a tick, a manual order, a new portfolio) hands its events and totals to the
writer inside one transaction; the writer builds every row (orders, fills, round trips,
positions, signals, audit entries, checkpoints, equity snapshots, tick records, cursors) and an
outbox entry per event. ``finish`` (called by ``Database.transaction`` just before the commit)
numbers the outbox entries: it takes the database's single counter row, so the numbers are
gap-free and follow commit order, and a transaction that rolls back leaves no number used.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from functools import cache
from typing import Any

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.orm import Session

from paperdesk.domain import (
    ZERO,
    CashOverdrawn,
    CorporateActionApplied,
    Event,
    FeedEvent,
    MarginCalled,
    OrderAccepted,
    OrderCanceled,
    OrderExpired,
    OrderFilled,
    OrderModified,
    OrderRejected,
    Position,
    PositionChanged,
    PositionClosed,
    PositionOpened,
    SignalAccepted,
    SignalRejected,
    Trade,
    UnknownNameError,
)
from paperdesk.domain.orders import exit_reason
from paperdesk.domain.records import (
    AccountState,
    EquityView,
    FillRecord,
    OutboxEntry,
    WorkingOrder,
)
from paperdesk.portfolio import LedgerState
from paperdesk.store.audit import AuditedEvent, audit_entry, audit_row, audit_rows, audit_values
from paperdesk.store.event_documents import event_document, event_kind, plain
from paperdesk.store.event_rows import (
    POSITION_CHANGES,
    expire_positions,
    insert_checkpoint,
    insert_fills,
    insert_signals,
    insert_trades,
    last_fill_id,
    position_writes,
    write_positions,
)
from paperdesk.store.mappers import (
    equity_row,
    equity_values,
    fill_row,
    fill_values,
    ledger_state_document,
    position_row,
    position_values,
    trade_row,
    trade_values,
    write_order,
)
from paperdesk.store.models import (
    OrderRow,
    OutboxCounterRow,
    PortfolioRow,
    SignalRow,
    StrategyStateRow,
)
from paperdesk.store.order_rows import (
    expire_loaded,
    flush_pending,
    insert_audit,
    insert_outbox,
    write_orders,
)
from paperdesk.store.outbox_writes import number_and_write
from paperdesk.store.prebuilt import Prebuilt
from paperdesk.store.tables import (
    AUDIT,
    CURSORS,
    FILLS,
    OUTBOX_COUNTER,
    PORTFOLIOS,
    POSITIONS,
    SIGNALS,
    TICK_RUNS,
    TRADES,
)
from paperdesk.store.tick_rows import tick_closing
from paperdesk.store.unnest_inserts import insert_together

_AUDITED = (
    OrderAccepted,
    OrderRejected,
    OrderFilled,
    OrderCanceled,
    OrderExpired,
    OrderModified,
    SignalRejected,
    CorporateActionApplied,
    MarginCalled,
    CashOverdrawn,
)
_ORDER_EVENTS = _AUDITED[:6]
# built once (a statement's construction costs more than its execution here): the tick
# records with their ids (in the order given: ``sort_by_parameter_order``), and the cursor's
# UPDATE, whose SET clause is the columns named by the parameters
_INSERT_TICK_RUNS = {
    ordered: insert(TICK_RUNS).returning(TICK_RUNS.c.id, sort_by_parameter_order=ordered)
    for ordered in (False, True)
}
_UPDATE_CURSOR = update(CURSORS).where(
    CURSORS.c.portfolio_id == bindparam("cursor_portfolio"),
    CURSORS.c.symbol == bindparam("cursor_symbol"),
)
_INSERT_CURSOR = insert(CURSORS)
# the order path's statements, built and compiled once (store/prebuilt.py): the totals (the SET
# clause is the columns the parameters name), the watched portfolios' revisions, and the outbox
# counter's bump (a Core UPDATE of the table, not the ORM's bulk update of the class, below)
_UPDATE_TOTALS = Prebuilt(
    update(PORTFOLIOS).where(PORTFOLIOS.c.id == bindparam("totals_portfolio"))
)


@cache
def _bump_counter_reading(watched: int) -> Prebuilt:
    """The outbox counter's bump returning, beside the last number taken, the revisions of
    ``watched`` portfolios (a scalar subquery each, ``watched_0`` and on; NULL for a portfolio
    that is not there): on SQLite, whose statements cannot modify in a CTE, one statement
    where the bump and the revisions' SELECT were two. Neither the counter nor the outbox
    bumps a revision, so the revisions are those the unit leaves, as when read last."""
    revisions = [
        select(PORTFOLIOS.c.revision)
        .where(PORTFOLIOS.c.id == bindparam(f"watched_{n}"))
        .scalar_subquery()
        for n in range(watched)
    ]
    return Prebuilt(
        update(OUTBOX_COUNTER)
        .where(OUTBOX_COUNTER.c.id == 1)
        .values(last_sequence=OUTBOX_COUNTER.c.last_sequence + bindparam("added_entries"))
        .returning(OUTBOX_COUNTER.c.last_sequence, *revisions)
    )


@cache
def _select_revisions(watched: int) -> Prebuilt:
    """The revisions of ``watched`` portfolios (an IN of that many parameters, ``watched_0``
    and on: a fixed text per count, where an expanding IN is rendered at every run)."""
    return Prebuilt(
        select(PORTFOLIOS.c.id, PORTFOLIOS.c.revision).where(
            PORTFOLIOS.c.id.in_([bindparam(f"watched_{n}") for n in range(watched)])
        )
    )


@dataclass(frozen=True, slots=True)
class BarContext:
    """The bar a tick processed, for the rows that refer to it (signals)."""

    tick_id: int
    ts_bar: datetime  # the bar's open label
    bar_index: int


@dataclass(frozen=True, slots=True)
class TickRun:
    """One strategy's record of one bar of one symbol (the idempotency key's row)."""

    strategy: str
    symbol: str
    timeframe: str
    ts_bar: datetime
    ts_bar_close: datetime
    outcome: str
    summary: str


@dataclass(frozen=True, slots=True)
class _PendingEntry:
    portfolio_id: int | None
    kind: str
    event_at: datetime
    recorded_at: datetime
    payload: dict[str, Any]


class LedgerWriter:
    """Builds the rows of one transaction (see the module docstring)."""

    def __init__(self, session: Session) -> None:
        self._session = session
        self._outbox: list[_PendingEntry] = []
        # the last sequence number this transaction's entries took (None: it published nothing)
        self.published_through: int | None = None
        # portfolios whose revision number to read when the transaction finishes (what it is
        # when the commit makes this transaction's writes visible: see ``revisions``)
        self.watched: set[int] = set()
        self.revisions: dict[int, int] = {}
        # the cursors this transaction wrote: portfolio -> symbol -> (mark, last bar's close)
        self.cursors: dict[int, dict[str, tuple[Decimal | None, datetime | None]]] = {}
        # the totals this transaction wrote last, per portfolio (``save_account``)
        self._accounts: dict[int, AccountState] = {}
        # the last fill id this transaction inserted, per portfolio (``checkpoint``)
        self._last_fills: dict[int, int] = {}
        # a checkpoint left to the tick's last rows or the end of the unit (PostgreSQL)
        self._checkpoint: dict[str, Any] | None = None

    # -------------------------------------------------------------------------- portfolios

    def create_portfolio(
        self,
        *,
        name: str,
        base_currency: str,
        starting_cash: Decimal,
        settings: Mapping[str, Any],
        created_at: datetime,
        cash: Decimal | None = None,
        fees_paid: Decimal = ZERO,
        realized_pnl: Decimal = ZERO,
        order_sequence: int = 0,
    ) -> int:
        """A new active portfolio; returns its id."""
        row = PortfolioRow(
            name=name,
            base_currency=base_currency,
            starting_cash=starting_cash,
            cash=starting_cash if cash is None else cash,
            fees_paid=fees_paid,
            realized_pnl=realized_pnl,
            status="active",
            settings=dict(settings),
            order_sequence=order_sequence,
            created_at=created_at,
        )
        self._session.add(row)
        self._session.flush()
        self.publish(
            row.id,
            "portfolio.created",
            created_at,
            created_at,
            {"id": row.id, "name": name, "base_currency": base_currency,
             "starting_cash": str(starting_cash), "settings": dict(settings)},
        )  # fmt: skip
        return row.id

    def archive_portfolio(self, portfolio_id: int, at: datetime) -> None:
        row = self._portfolio_row(portfolio_id)
        row.status, row.archived_at = "archived", at
        self.audit(portfolio_id, "portfolio.archived", "archived", at, at)
        self.publish(portfolio_id, "portfolio.archived", at, at, {"id": portfolio_id})

    def unarchive_portfolio(self, portfolio_id: int, at: datetime) -> None:
        row = self._portfolio_row(portfolio_id)
        row.status, row.archived_at = "active", None
        self.audit(portfolio_id, "portfolio.unarchived", "unarchived", at, at)
        self.publish(portfolio_id, "portfolio.unarchived", at, at, {"id": portfolio_id})

    def rename_portfolio(self, portfolio_id: int, name: str, at: datetime) -> None:
        row = self._portfolio_row(portfolio_id)
        old, row.name = row.name, name
        details = {"from": old, "to": name}
        self.audit(
            portfolio_id, "portfolio.renamed", f"renamed {old!r} to {name!r}", at, at, details
        )
        self.publish(portfolio_id, "portfolio.renamed", at, at, {"id": portfolio_id, "name": name})

    def change_settings(
        self,
        portfolio_id: int,
        settings: Mapping[str, Any],
        changes: Mapping[str, Any],
        at: datetime,
    ) -> None:
        """New run settings; ``changes`` (dotted key -> {"from", "to"}) goes in the audit."""
        row = self._portfolio_row(portfolio_id)
        row.settings = dict(settings)
        message = "settings changed: " + ", ".join(sorted(changes))
        self.audit(portfolio_id, "portfolio.edited", message, at, at, {"changes": dict(changes)})
        self.publish(
            portfolio_id,
            "portfolio.edited",
            at,
            at,
            {"id": portfolio_id, "settings": dict(settings)},
        )

    def save_account(
        self, portfolio_id: int, account: AccountState, stored: AccountState | None = None
    ) -> None:
        """The portfolio row's totals after a unit of work: one Core UPDATE, none when they
        equal what the row holds (``stored``: the totals read under the unit's lock; or what
        this transaction wrote last), as the ORM wrote only changes. A copy of the row the
        session holds is expired, so a later read sees the new totals."""
        if self._accounts.get(portfolio_id, stored) == account:
            return
        session = self._session
        flush_pending(session)
        updated = _UPDATE_TOTALS.execute(
            session,
            {
                "totals_portfolio": portfolio_id,
                "cash": account.cash,
                "fees_paid": account.fees_paid,
                "realized_pnl": account.realized_pnl,
                "order_sequence": account.order_sequence,
            },
        )
        if updated.rowcount == 0:
            raise UnknownNameError(f"no portfolio with id {portfolio_id}")
        self._accounts[portfolio_id] = account
        expire_loaded(session, PortfolioRow, (portfolio_id,))

    # ------------------------------------------------------------------------------ events

    def record_events(
        self,
        portfolio_id: int,
        events: Sequence[Event],
        *,
        recorded_at: datetime,
        bar: BarContext | None = None,
        currency: str | None = None,
    ) -> None:
        """Rows for what ``events`` changed, their audit entries (their money shown in the
        book's ``currency``: ``store/audit.py``) and their outbox entries."""
        session = self._session
        tick_id = bar.tick_id if bar is not None else None
        # orders first: fills and audit entries refer to them
        write_orders(
            session,
            portfolio_id,
            [
                (event.order, getattr(event, "ts_eligible", None), event.ts_event)
                for event in events
                if isinstance(event, _ORDER_EVENTS)
            ],
        )
        fills: list[dict[str, Any]] = []
        trades: list[dict[str, Any]] = []
        signals: list[dict[str, Any]] = []
        positions: list[tuple[str, dict[str, Any] | None]] = []
        for event in events:
            if isinstance(event, OrderFilled):
                strategy, reason = event.order.strategy, exit_reason(event.order)
                fills.append(fill_values(portfolio_id, event.fill, strategy, reason, tick_id))
            elif isinstance(event, PositionOpened | PositionChanged):
                position = event.position
                positions.append((position.symbol, position_values(portfolio_id, position, None)))
            elif isinstance(event, PositionClosed):
                positions.append((event.position.symbol, None))
                trades.append(trade_values(portfolio_id, event.trade, tick_id))
            elif isinstance(event, CorporateActionApplied):
                position = event.position
                if position.quantity != 0:
                    positions.append(
                        (position.symbol, position_values(portfolio_id, position, None))
                    )
                    continue
                # a reverse split that left only a fraction closes it and its round trip
                positions.append((position.symbol, None))
                if event.trade is not None:
                    trades.append(trade_values(portfolio_id, event.trade, tick_id))
            elif isinstance(event, SignalAccepted | SignalRejected) and bar is not None:
                signals.append(_signal_values(portfolio_id, event, bar))
        audited: list[AuditedEvent] = [
            e
            for e in events
            if isinstance(e, _AUDITED) or (isinstance(e, SignalAccepted) and e.notes)
        ]
        audit = audit_values(portfolio_id, audited, recorded_at, tick_id, currency)
        # no read before a position's write, the fills' ids taken from their INSERT (the
        # checkpoint's last fill): store/event_rows.py
        if (fills or signals or trades) and session.get_bind().dialect.name == "postgresql":
            # one round trip for the new rows and the positions (store/unnest_inserts.py), the
            # fills' ids back; a position closed (a DELETE) or written twice goes first alone
            written = position_writes(positions)
            symbols = [symbol for symbol, _ in written]
            together = len(set(symbols)) == len(symbols) and all(v is not None for _, v in written)
            if not together:
                write_positions(session, portfolio_id, positions)
            flush_pending(session)
            kinds = ((SIGNALS, signals), (TRADES, trades), (AUDIT, audit), (FILLS, fills))
            upsert = (POSITIONS, POSITION_CHANGES, [v for _, v in written if v is not None])
            filled = insert_together(
                session,
                [(table, rows) for table, rows in kinds if rows],
                upsert if together and written else None,
            )
            expire_positions(session, portfolio_id, symbols)
            filled = filled if fills else []
        else:  # one statement per kind of row
            write_positions(session, portfolio_id, positions)
            filled = insert_fills(session, fills)
            insert_signals(session, signals)
            insert_trades(session, trades)
            insert_audit(session, audit)
        if filled:
            self._last_fills[portfolio_id] = max(filled)
        for event in events:
            self.publish(
                portfolio_id, event_kind(event), event.ts_event, recorded_at, event_document(event)
            )

    def import_history(
        self,
        portfolio_id: int,
        *,
        orders: Iterable[WorkingOrder],
        fills: Iterable[FillRecord],
        trades: Iterable[Trade],
        positions: Iterable[Position],
        equity: Iterable[EquityView],
    ) -> None:
        """An imported portfolio's history as it was exported (checked by the caller)."""
        session = self._session
        self._last_fills.pop(portfolio_id, None)  # its checkpoint reads the last fill stored
        session.add_all(
            write_order(OrderRow(portfolio_id=portfolio_id), stored.order, stored.ts_eligible)
            for stored in orders
        )
        session.flush()  # fills refer to their orders
        session.add_all(fill_row(portfolio_id, f.fill, f.strategy, f.reason) for f in fills)
        session.add_all(trade_row(portfolio_id, trade) for trade in trades)
        session.add_all(position_row(portfolio_id, position, None) for position in positions)
        session.add_all(equity_row(portfolio_id, point, None) for point in equity)

    def audit_history(
        self,
        portfolio_id: int,
        events: Sequence[CorporateActionApplied],
        recorded_at: datetime,
        currency: str,
    ) -> None:
        """Audit entries of the splits and dividends an imported portfolio's history holds (its
        rows are written by ``import_history``; nothing is published again)."""
        self._session.add_all(audit_rows(portfolio_id, events, recorded_at, None, currency))

    # -------------------------------------------------------------------------- checkpoints

    def checkpoint(self, portfolio_id: int, state: LedgerState, recorded_at: datetime) -> None:
        """The books as they stand after this unit of work's fills (restore starts here). Its
        last fill is the last this transaction inserted (``record_events``: under the
        portfolio's lock no other fill of it can come after them), read from the rows only
        when it inserted none. On PostgreSQL the row waits for the tick's last rows
        (``close_tick`` writes it in the same statement) or the end of the unit (``finish``):
        nothing in a unit reads a checkpoint after writing it."""
        last_fill = self._last_fills.get(portfolio_id)
        if last_fill is None:
            last_fill = last_fill_id(self._session, portfolio_id)
        values = {
            "portfolio_id": portfolio_id,
            "last_fill_id": last_fill,
            "cash": state.cash,
            "fees_paid": state.fees,
            "realized_pnl": state.realized_pnl,
            "state": ledger_state_document(state),
            "recorded_at": recorded_at,
        }
        if self._session.get_bind().dialect.name != "postgresql":
            insert_checkpoint(self._session, values)
            return
        self._write_checkpoints()  # one waits at most: an earlier one goes first
        self._checkpoint = values

    def _write_checkpoints(self) -> None:
        """The checkpoint left for later (PostgreSQL), written now."""
        if self._checkpoint is not None:
            values, self._checkpoint = self._checkpoint, None
            insert_checkpoint(self._session, values)

    def equity_snapshot(
        self,
        portfolio_id: int,
        point: EquityView,
        tick_id: int | None,
        recorded_at: datetime,
    ) -> None:
        self._session.add(equity_row(portfolio_id, point, tick_id))
        self._publish_equity(portfolio_id, point, recorded_at)

    def _publish_equity(self, portfolio_id: int, point: EquityView, recorded_at: datetime) -> None:
        document = {name: plain(getattr(point, name)) for name in point.__slots__}
        document["at"] = document.pop("ts")  # the published key, as in the pnl ledger
        self.publish(portfolio_id, "portfolio.equity", point.ts, recorded_at, document)

    def strategy_state(
        self,
        portfolio_id: int,
        strategy: str,
        symbol: str,
        state: Mapping[str, Any],
        at: datetime,
    ) -> None:
        """A per-bar strategy's persisted state (replaced whole)."""
        stored = self._session.get(StrategyStateRow, (portfolio_id, strategy, symbol))
        if stored is None:
            self._session.add(
                StrategyStateRow(
                    portfolio_id=portfolio_id,
                    strategy=strategy,
                    symbol=symbol,
                    state=dict(state),
                    updated_at=at,
                )
            )
            return
        stored.state, stored.updated_at = dict(state), at

    # -------------------------------------------------------------------------------- ticks

    def record_ticks(self, portfolio_id: int, runs: Iterable[TickRun], at: datetime) -> int:
        """One row per (strategy, symbol, bar); returns the first row's id. A concurrent
        duplicate fails here (the unique key), before anything else of the tick is written.
        One INSERT for all the rows (Core: the ORM's unit of work cost more than the write)."""
        rows = [
            {
                "portfolio_id": portfolio_id,
                "strategy": run.strategy,
                "symbol": run.symbol,
                "timeframe": run.timeframe,
                "candle_at": run.ts_bar,
                "candle_close_at": run.ts_bar_close,
                "outcome": run.outcome,
                "summary": run.summary,
                "recorded_at": at,
            }
            for run in runs
        ]
        # the rows take ascending ids in the order given (SQLite numbers the rows of one
        # INSERT in turn; PostgreSQL's is ordered by the parameters), so the first is the least
        ordered = self._session.get_bind().dialect.name == "postgresql"
        inserted = self._session.execute(_INSERT_TICK_RUNS[ordered], rows)
        return min(int(identity) for identity in inserted.scalars())

    def save_cursor(
        self,
        portfolio_id: int,
        symbol: str,
        timeframe: str,
        *,
        last_price: Decimal | None,
        bar: tuple[datetime, datetime, int | None] | None = None,
        replay_index: int | None = None,
    ) -> None:
        """Where the portfolio stands in ``symbol``: the last bar matched (open, close, index)
        when ``bar`` is given, its close as the mark, and a replay's position.

        Always one UPDATE of the row (an INSERT when it has none), even when nothing in it
        changes: the write bumps the portfolio's revision (migration 0010), so every unit of
        work that saves a cursor, every tick, leaves a new revision, which is what lets a
        process keep what a tick reads (``paperdesk.live.tick_memory``) keyed by it."""
        values = _cursor_values(last_price, bar, replay_index)
        updated = self._session.execute(
            _UPDATE_CURSOR, {"cursor_portfolio": portfolio_id, "cursor_symbol": symbol, **values}
        )
        if getattr(updated, "rowcount", 0) == 0:
            self._session.execute(
                _INSERT_CURSOR,
                {"portfolio_id": portfolio_id, "symbol": symbol, "timeframe": timeframe, **values},
            )
        self._saved_cursor(portfolio_id, symbol, last_price, bar)

    def _saved_cursor(
        self,
        portfolio_id: int,
        symbol: str,
        last_price: Decimal | None,
        bar: tuple[datetime, datetime, int | None] | None,
    ) -> None:
        saved = self.cursors.setdefault(portfolio_id, {})
        # the close stays what it was when no bar is given (None: unchanged)
        saved[symbol] = (last_price, bar[1] if bar is not None else None)

    def close_tick(
        self,
        portfolio_id: int,
        symbol: str,
        timeframe: str,
        *,
        tick_id: int,
        recorded_at: datetime,
        message: str,
        details: Mapping[str, Any],
        point: EquityView,
        last_price: Decimal | None,
        bar: tuple[datetime, datetime, int | None] | None = None,
        replay_index: int | None = None,
    ) -> None:
        """A tick's last rows: its audit entry (at the equity point's time), its equity
        snapshot (published) and its cursor (``save_cursor``'s). On PostgreSQL one statement
        (``store/tick_rows.py``); elsewhere ``audit``, ``equity_snapshot`` and
        ``save_cursor`` in turn, which write the same rows."""
        session = self._session
        if session.get_bind().dialect.name != "postgresql":
            self.audit(portfolio_id, "tick", message, point.ts, recorded_at, details, tick_id)
            self.equity_snapshot(portfolio_id, point, tick_id, recorded_at)
            self.save_cursor(
                portfolio_id,
                symbol,
                timeframe,
                last_price=last_price,
                bar=bar,
                replay_index=replay_index,
            )
            return
        cursor: dict[str, Any] = {
            "portfolio_id": portfolio_id,
            "symbol": symbol,
            "timeframe": timeframe,
            **_cursor_values(last_price, bar, replay_index),
        }
        audit = audit_entry(
            portfolio_id, "tick", message, point.ts, recorded_at, dict(details), tick_id
        )
        flush_pending(session)  # the unit's rows before (in id order too)
        checkpoint = self._checkpoint
        if checkpoint is not None and checkpoint["portfolio_id"] != portfolio_id:
            self._write_checkpoints()  # another portfolio's: on its own
            checkpoint = None
        self._checkpoint = None
        statement, parameters = tick_closing(
            audit, equity_values(portfolio_id, point, tick_id), cursor, checkpoint
        )
        session.execute(statement, parameters)
        self._publish_equity(portfolio_id, point, recorded_at)
        self._saved_cursor(portfolio_id, symbol, last_price, bar)

    def carry_accepted_signal(self, portfolio_id: int, symbol: str, ts_bar: datetime) -> None:
        """The last accepted signal of an exported portfolio, which the cooldown counts from."""
        self._session.add(
            SignalRow(
                portfolio_id=portfolio_id,
                strategy="imported",
                symbol=symbol,
                candle_at=ts_bar,
                bar_index=0,
                direction=0,
                confidence=0.0,
                reason="the last accepted signal before the export this was imported from",
                status="accepted",
            )
        )

    # -------------------------------------------------------------------------------- audit

    def audit(
        self,
        portfolio_id: int,
        kind: str,
        message: str,
        at: datetime,
        recorded_at: datetime,
        details: Mapping[str, Any] | None = None,
        tick_id: int | None = None,
    ) -> None:
        self._session.add(
            audit_row(portfolio_id, kind, message, at, recorded_at, dict(details or {}), tick_id)
        )

    def feed_event(self, portfolio_id: int, event: FeedEvent, recorded_at: datetime) -> None:
        """A live feed's change of state: an audit entry and an outbox event."""
        kind, document = event_kind(event), event_document(event)
        self.audit(portfolio_id, kind, event.reason, event.ts_event, recorded_at, document)
        self.publish(portfolio_id, kind, event.ts_event, recorded_at, document)

    # ------------------------------------------------------------------------------- outbox

    def publish(
        self,
        portfolio_id: int | None,
        kind: str,
        event_at: datetime,
        recorded_at: datetime,
        payload: Mapping[str, Any],
    ) -> None:
        """An outbox entry, numbered when the transaction finishes."""
        self._outbox.append(_PendingEntry(portfolio_id, kind, event_at, recorded_at, dict(payload)))

    def finish(self) -> list[OutboxEntry]:
        """Number and write this transaction's outbox entries (just before the commit); the
        numbered entries are returned for the listeners told after the commit. The watched
        portfolios' revision numbers are read here, after the last write."""
        self._write_checkpoints()
        pending, self._outbox = self._outbox, []
        if pending and self._session.get_bind().dialect.name == "postgresql":
            # one round trip: numbered, written and the revisions read (store/outbox_writes.py)
            flush_pending(self._session)
            entries = [
                {
                    "portfolio_id": entry.portfolio_id,
                    "kind": entry.kind,
                    "event_at": entry.event_at,
                    "recorded_at": entry.recorded_at,
                    "payload": entry.payload,
                }
                for entry in pending
            ]
            last, revisions = number_and_write(self._session, entries, sorted(self.watched))
            if self.watched:
                self.revisions = revisions
        elif not pending:
            self._read_revisions()
            return []
        else:  # SQLite: the revisions read by the counter's bump (_bump_counter_reading)
            last = self._number(pending)
        # the counter moved by a Core write: a copy held is read again
        expire_loaded(self._session, OutboxCounterRow, (1,))
        first = last - len(pending) + 1
        self.published_through = last
        return [
            OutboxEntry(
                first + offset,
                entry.portfolio_id,
                entry.kind,
                entry.event_at,
                entry.recorded_at,
                entry.payload,
            )
            for offset, entry in enumerate(pending)
        ]

    def _number(self, pending: Sequence[_PendingEntry]) -> int:
        """Take the next ``len(pending)`` outbox numbers (the counter row), read the watched
        portfolios' revisions in the same statement (after the unit's last write: the pending
        rows are flushed first) and write the entries with them; returns the last number."""
        flush_pending(self._session)
        watched = sorted(self.watched)
        parameters: dict[str, Any] = {"added_entries": len(pending)}
        parameters.update((f"watched_{n}", id_) for n, id_ in enumerate(watched))
        row = _bump_counter_reading(len(watched)).execute(self._session, parameters).all()[0]
        last = int(row[0])
        if watched:
            self.revisions = {
                id_: int(revision)
                for id_, revision in zip(watched, row[1:], strict=True)
                if revision is not None
            }
        first = last - len(pending) + 1
        insert_outbox(
            self._session,
            [
                {
                    "sequence": first + offset,
                    "portfolio_id": entry.portfolio_id,
                    "kind": entry.kind,
                    "event_at": entry.event_at,
                    "recorded_at": entry.recorded_at,
                    "payload": entry.payload,
                }
                for offset, entry in enumerate(pending)
            ],
        )
        return last

    def watch(self, portfolio_id: int) -> None:
        """Read ``portfolio_id``'s revision number when the transaction finishes."""
        self.watched.add(portfolio_id)

    def _read_revisions(self) -> None:
        """The revision numbers of the watched portfolios as this transaction leaves them.
        The database bumps a portfolio's number whenever a row a restore reads changes (its
        totals, settings or status, its orders, fills, positions, checkpoints or cursors:
        triggers of migration 0010, so a change made by hand counts too); the portfolio's
        row lock, held to the commit, keeps any other writer from bumping it meanwhile."""
        if not self.watched:
            return
        flush_pending(self._session)
        watched = sorted(self.watched)
        rows = _select_revisions(len(watched)).execute(
            self._session, {f"watched_{n}": id_ for n, id_ in enumerate(watched)}
        )
        self.revisions = {int(row[0]): int(row[1]) for row in rows}

    # ------------------------------------------------------------------------------ helpers

    def _portfolio_row(self, portfolio_id: int) -> PortfolioRow:
        row = self._session.get(PortfolioRow, portfolio_id)
        if row is None:
            raise UnknownNameError(f"no portfolio with id {portfolio_id}")
        return row


def _cursor_values(
    last_price: Decimal | None,
    bar: tuple[datetime, datetime, int | None] | None,
    replay_index: int | None,
) -> dict[str, Any]:
    """The cursor columns a save sets: the mark, the bar when given, the replay's position
    when given."""
    values: dict[str, Any] = {"last_price": last_price}
    if bar is not None:
        values["candle_at"], values["candle_close_at"], values["bar_index"] = bar
    if replay_index is not None:
        values["replay_index"] = replay_index
    return values


def _signal_values(
    portfolio_id: int, event: SignalAccepted | SignalRejected, bar: BarContext
) -> dict[str, Any]:
    signal = event.signal
    rejection = event.reason if isinstance(event, SignalRejected) else None
    return {
        "portfolio_id": portfolio_id,
        "tick_id": bar.tick_id,
        "strategy": signal.strategy,
        "symbol": signal.symbol,
        "candle_at": bar.ts_bar,
        "bar_index": bar.bar_index,
        "direction": int(signal.direction),
        "confidence": signal.confidence,
        "stop": signal.stop,
        "target": signal.target,
        "reason": signal.reason,
        "status": "accepted" if rejection is None else "rejected",
        "rejection": rejection,
    }
