"""Restore a stored portfolio into a trading kernel, and persist what a unit of work did.

A portfolio restores from its latest ledger checkpoint plus the fills booked after it (none,
normally: every unit of work that books fills writes a checkpoint), so a restore costs the same
with ten fills or ten thousand. The result must equal the stored cash and positions (a mismatch
means the database was changed behind paperdesk's back, and nothing runs on it). The open orders
and their bracket relatives, the last prices, and the bar each position opened on and each
symbol's last accepted signal (located by time in the history the tick uses) are loaded
alongside, so a kernel restored between two bars behaves exactly like one that never stopped.

With a ``StateCache`` (``paperdesk.live.state_cache``) a unit of work starts instead from the
state this process kept after its last committed unit on the portfolio, when the portfolio's
revision number (read under the same row lock) says nobody has written it since.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING

import pandas as pd

from paperdesk.config import Adjustment, RunConfig, SourceConfig
from paperdesk.data import instrument_for, session_close
from paperdesk.data.adjustment import portfolio_prices
from paperdesk.data.corporate_actions import ledger_actions_for
from paperdesk.data.instruments import UnknownSymbolError
from paperdesk.domain import (
    CorporateActionApplied,
    CorporateActionTerms,
    DataError,
    Event,
    Instrument,
    InvalidInputError,
    OrderEvent,
    OrderFilled,
    Position,
)
from paperdesk.domain.records import AccountState, PortfolioRecord
from paperdesk.engine.kernel import TradingKernel
from paperdesk.engine.wiring import build_kernel
from paperdesk.live.sources import bar_index_at
from paperdesk.store import BarContext, LedgerRepository

if TYPE_CHECKING:
    from paperdesk.live.state_cache import StateCache


@dataclass
class RestoredPortfolio:
    """A kernel holding a portfolio's stored state."""

    record: PortfolioRecord
    settings: RunConfig
    kernel: TradingKernel
    positions: dict[str, Position]
    needs_checkpoint: bool = False  # restored by replaying fills: write a checkpoint next time
    # what the kernel was built from besides the books: the traded instruments, and the
    # stored cursors' marks and last bar closes (a cached state is rebuilt from them)
    instruments: dict[str, Instrument] = field(default_factory=dict)
    marks: dict[str, Decimal] = field(default_factory=dict)
    bar_closes: dict[str, datetime] = field(default_factory=dict)
    # the orders the unit of work changed when it changed nothing else (``persist`` with
    # ``book_only``): the cache then keeps this state as it is (``as_stored``)
    book_changes: list[str] | None = None

    @property
    def portfolio_id(self) -> int:
        return self.record.id


def restore(
    repository: LedgerRepository,
    portfolio_id: int,
    symbols: Iterable[str] = (),
    cache: StateCache | None = None,
) -> RestoredPortfolio:
    """Lock portfolio ``portfolio_id`` for this transaction and load it into a kernel (from
    ``cache`` when it holds the portfolio at its current revision; the state is handed back
    to the cache after the transaction commits, and dropped if it rolls back)."""
    record = repository.portfolio(portfolio_id, lock=True)
    if not record.active:
        raise InvalidInputError(f"portfolio {portfolio_id} is {record.status}; it cannot trade")
    symbols = tuple(symbols)
    state = None
    if cache is not None:
        # a held unit's transactions are one unit: a second restore of the portfolio in it
        # does not wait for the first's state (it restores from the rows, seeing the unit's
        # own writes), and the state kept last after the commit is the newest
        unit = repository.unit
        repository.on_finished.append(lambda: cache.release(portfolio_id, unit))
        state = cache.take(record, symbols, unit=unit)
    if state is None:
        state = _restore_rows(repository, record, symbols)
    if cache is not None:
        repository.writer.watch(portfolio_id)
        repository.on_committed.append(lambda committed: cache.keep(state, committed.writer))
    return state


def _restore_rows(
    repository: LedgerRepository, record: PortfolioRecord, symbols: Sequence[str]
) -> RestoredPortfolio:
    """The portfolio's state read from its rows (checked against the stored totals)."""
    portfolio_id = record.id
    settings = RunConfig.from_json(record.settings)
    positions = {p.symbol: p for p in repository.positions(portfolio_id)}
    book = repository.working_book(portfolio_id)
    cursors = repository.cursors(portfolio_id)
    held = {*settings.symbols, *positions, *(o.order.symbol for o in book)}
    instruments = {symbol: traded_instrument(symbol, settings.source) for symbol in sorted(held)}
    for symbol in sorted(set(symbols) - held):
        with suppress(UnknownSymbolError):  # the runner says what is wrong with this symbol
            instruments[symbol] = traded_instrument(symbol, settings.source)
    checkpoint = repository.latest_checkpoint(portfolio_id)
    state, last_fill = checkpoint if checkpoint is not None else (None, 0)
    kernel = build_kernel(
        settings,
        instruments,
        session_close,
        cash=record.starting_cash,
        ledger=state,
        corporate_actions=corporate_actions(settings, instruments),
    )
    replayed = kernel.replay_fills(repository.fill_records(portfolio_id, after_id=last_fill))
    _check_books(record, positions, kernel)
    prices = {c.symbol: c.last_price for c in cursors if c.last_price is not None}
    closes = {c.symbol: c.ts_bar_close for c in cursors if c.ts_bar_close is not None}
    kernel.restore(book, record.order_sequence, prices)
    kernel.restore_last_bars(closes)
    return RestoredPortfolio(
        record,
        settings,
        kernel,
        positions,
        needs_checkpoint=replayed > 0,
        instruments=instruments,
        marks=prices,
        bar_closes=closes,
    )


def rebuilt(
    state: RestoredPortfolio,
    record: PortfolioRecord,
    marks: dict[str, Decimal],
    bar_closes: dict[str, datetime],
) -> RestoredPortfolio:
    """The state ``restore`` would read back after a unit of work on ``state`` committed,
    built from the unit's kernel instead of the rows it wrote: the same ledger (its
    checkpoint), the working orders and their bracket relatives (not the finished orders, the
    rejections or the other memories a kernel keeps for a backtest's report), the stored
    cursors' marks and bar closes, and the instruments of the symbols held, watched or
    ordered."""
    kernel, settings = state.kernel, state.settings
    positions = kernel.positions()
    book = kernel.working_orders()
    held = {*settings.symbols, *positions, *(o.order.symbol for o in book)}
    instruments = {
        symbol: state.instruments.get(symbol) or traded_instrument(symbol, settings.source)
        for symbol in sorted(held)
    }
    fresh = build_kernel(
        settings,
        instruments,
        session_close,
        cash=record.starting_cash,
        ledger=kernel.ledger_state(),
        corporate_actions=corporate_actions(settings, instruments),
    )
    fresh.restore(book, kernel.account().order_sequence, marks)
    fresh.restore_last_bars(bar_closes)
    return RestoredPortfolio(
        record,
        settings,
        fresh,
        positions,
        instruments=instruments,
        marks=marks,
        bar_closes=bar_closes,
    )


def as_stored(
    state: RestoredPortfolio,
    record: PortfolioRecord,
    marks: dict[str, Decimal],
    bar_closes: dict[str, datetime],
) -> RestoredPortfolio | None:
    """``state`` itself as ``restore`` would read it back after its unit of work committed,
    when the unit changed only orders (``book_changes``: placed, canceled, modified) and left
    the cursors as they were: the finished orders are dropped from its book, the rest of the
    kernel (ledger, router, marks) is what a build gives already. None when that does not
    hold (the caller rebuilds): another change, a symbol traded outside the watch list (a
    restore's instruments are those held), or a finished order of a bracket family."""
    changed, state.book_changes = state.book_changes, None
    if changed is None or marks != state.marks or bar_closes != state.bar_closes:
        return None
    kernel = state.kernel
    if state.instruments.keys() != set(state.settings.symbols):
        return None
    if any(
        kernel.last_price(symbol) != marks.get(symbol) for symbol in {*marks, *state.instruments}
    ):
        return None  # the kernel was built on these marks; a unit of order commands sets none
    if not kernel.settle_orders_as_stored(changed):
        return None
    state.record = record
    state.positions = kernel.positions()
    return state


def corporate_actions(
    settings: RunConfig, instruments: dict[str, Instrument]
) -> dict[str, tuple[CorporateActionTerms, ...]]:
    """The splits and dividends booked on a portfolio's raw prices: those of each symbol's
    bundled factor file, unless its bars come from a file of the user's (``--data``), whose
    prices may be adjusted already, or the portfolio trades adjusted prices (``--adjust``)."""
    if settings.source.adjust not in (None, Adjustment.RAW):
        return {}
    return {
        symbol: ledger_actions_for(instrument)
        for symbol, instrument in instruments.items()
        if settings.source.file_for(symbol) is None
    }


def place_in_history(
    state: RestoredPortfolio,
    symbol: str,
    history: pd.DataFrame,
    accepted: datetime | None,
) -> None:
    """Set the kernel's bar counts for ``symbol`` from TIMES, located in the history the tick
    uses: the bar its position opened on (max holding period) and the bar of its last accepted
    signal (``accepted``, the cooldown). Stored bar numbers would go wrong when the history
    changes under a portfolio (bars imported or backfilled for the symbol); times do not."""
    position = state.positions.get(symbol)
    opened = position.ts_opened if position is not None else None
    state.kernel.restore_bar_counts(
        symbol,
        bar_index_at(history, opened) if opened is not None else None,
        bar_index_at(history, accepted) if accepted is not None else None,
    )


def _check_books(
    record: PortfolioRecord, positions: dict[str, Position], kernel: TradingKernel
) -> None:
    account = kernel.account()
    problems: list[str] = []
    if account.cash != record.cash:
        problems.append(f"cash is {record.cash} but the fills give {account.cash}")
    if account.realized_pnl != record.realized_pnl or account.fees_paid != record.fees_paid:
        problems.append("realized P&L or fees differ from the fills")
    stored = {s: p.quantity for s, p in positions.items()}
    replayed = {s: p.quantity for s, p in kernel.positions().items()}
    if stored != replayed:
        problems.append(f"positions {stored} but the fills give {replayed}")
    if problems:
        raise DataError(f"portfolio {record.id} ledger is inconsistent: " + "; ".join(problems))


def persist(
    repository: LedgerRepository,
    state: RestoredPortfolio,
    events: Sequence[Event],
    at: datetime,
    *,
    recorded_at: datetime,
    bar: BarContext | None = None,
    snapshot: bool = True,
    book_only: bool = False,
) -> None:
    """Hand what the kernel did to the ledger writer, in the open transaction: the rows of the
    events, the new totals, a checkpoint when fills or corporate actions were booked (restore
    starts from it: the fills after it alone would not give the split), and the equity
    snapshot (not with ``snapshot=False``: a tick writes it with its last rows,
    ``LedgerWriter.close_tick``). ``book_only``: the unit ran only the kernel's order
    commands (place, cancel, modify), so the state cache may keep its kernel (``as_stored``)."""
    writer, kernel, portfolio_id = repository.writer, state.kernel, state.portfolio_id
    record = state.record  # the totals read under the unit's lock (unchanged: no write)
    currency = record.base_currency
    writer.record_events(portfolio_id, events, recorded_at=recorded_at, bar=bar, currency=currency)
    stored = AccountState(record.cash, record.fees_paid, record.realized_pnl, record.order_sequence)
    writer.save_account(portfolio_id, kernel.account(), stored)
    filled = any(isinstance(event, OrderFilled | CorporateActionApplied) for event in events)
    state.book_changes = None
    if book_only and not filled:
        state.book_changes = [e.order.order_id for e in events if isinstance(e, OrderEvent)]
    if filled or state.needs_checkpoint:
        writer.checkpoint(portfolio_id, kernel.ledger_state(), recorded_at)
        state.needs_checkpoint = False
    tick_id = bar.tick_id if bar is not None else None
    if snapshot and (filled or tick_id is not None):
        writer.equity_snapshot(portfolio_id, kernel.equity_point(at), tick_id, recorded_at)


def traded_instrument(symbol: str, source: SourceConfig) -> Instrument:
    """``symbol``'s instrument as the portfolio trades it (on no tick grid when its prices are
    adjusted, see ``paperdesk.data.adjustment``)."""
    instrument = instrument_for(symbol, source.asset_class_of(symbol))
    return portfolio_prices(symbol, instrument, source).instrument(instrument)
