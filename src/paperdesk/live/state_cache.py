"""A per-process cache of restored portfolios, so that a tick or an order does not read the
whole portfolio back from the database when this process wrote it last.

Restoring a portfolio (its settings parsed, positions, working orders, cursors, the ledger
checkpoint, a kernel built on them) cost about 10 ms of every tick and most of an order. The
cache keeps, per portfolio, the state a restore would build after the last unit of work this
process committed on it, with the portfolio's revision number at that commit. Every
transaction that changes what a restore reads bumps the number (``LedgerWriter.finish``), and a
unit of work reads it under the portfolio's row lock (PostgreSQL ``FOR UPDATE``; SQLite's write
lock): a match means nobody wrote the portfolio since, so the cached state is the stored one; a
mismatch (another process, or another container in this one, wrote it) restores from the rows
as before.

A cached state is never half-applied: ``take`` removes it from the cache, the unit of work
changes it, and only when the transaction has committed is the state rebuilt (``rebuilt``: the
books, the working orders, the stored marks; not the finished orders and report lists a kernel
collects) and put back under the new revision. A unit that ran only order commands (place,
cancel, modify: nothing but the order book changes) hands back its own state instead, its
finished orders dropped (``as_stored``): what a restore would read, without building a kernel.
A unit that rolls back (an error, a refused order, a dry run) never puts it back, so the next
unit restores from the rows.
"""

from __future__ import annotations

import threading
import weakref
from collections import OrderedDict
from collections.abc import Sequence
from typing import TYPE_CHECKING

from paperdesk.domain.records import AccountState, PortfolioRecord
from paperdesk.live.restore import RestoredPortfolio, as_stored, rebuilt

if TYPE_CHECKING:
    from paperdesk.store import Database
    from paperdesk.store.writer import LedgerWriter

CAPACITY = 1024  # portfolios kept per database (least recently used dropped first)
IN_FLIGHT_WAIT_SECONDS = 2.0  # the longest a unit waits for another's state to come back


class StateCache:
    """Restored portfolios of one database, each with the revision it is current at."""

    def __init__(self, capacity: int = CAPACITY) -> None:
        self.capacity = capacity
        self._entries: OrderedDict[int, tuple[int, RestoredPortfolio]] = OrderedDict()
        self._lock = threading.Lock()
        self._in_flight: dict[int, object] = {}  # portfolio -> the unit that took its state
        self._returned = threading.Condition(self._lock)
        self.hits = 0
        self.misses = 0

    def __len__(self) -> int:
        return len(self._entries)

    def take(
        self, record: PortfolioRecord, symbols: Sequence[str] = (), *, unit: object = None
    ) -> RestoredPortfolio | None:
        """The cached state of ``record``'s portfolio, removed from the cache, when it is
        current: the revision read under the lock matches, the portfolio is the same one (its
        creation time and settings), and it trades ``symbols`` already. None otherwise (the
        caller restores from the rows).

        ``unit`` (the unit of work; ``release`` is called with it when the unit ends) marks the
        portfolio's state in flight. A unit that finds the state in flight in another unit of
        this process waits for it to come back (up to ``IN_FLIGHT_WAIT_SECONDS``): on
        PostgreSQL the row lock is released at COMMIT, so the next unit's lock read returns
        before the committed unit has kept its state, and would otherwise restore from the
        rows (SQLite's in-process write queue is held until the state is back)."""
        with self._lock:
            entry = self._entries.pop(record.id, None)
            if entry is None and self._in_flight.get(record.id, unit) is not unit:
                self._returned.wait_for(
                    lambda: record.id not in self._in_flight, IN_FLIGHT_WAIT_SECONDS
                )
                entry = self._entries.pop(record.id, None)
            if unit is not None:
                self._in_flight[record.id] = unit
        if entry is None:
            self.misses += 1
            return None
        revision, state = entry
        same = (
            revision == record.revision
            and state.record.ts_created == record.ts_created
            and state.record.settings == record.settings
            and all(symbol in state.instruments for symbol in symbols)
        )
        if not same:
            self.misses += 1
            return None
        stored = AccountState(record.cash, record.fees_paid, record.realized_pnl, 0)
        held = state.kernel.account()
        if (
            held._replace(order_sequence=0) != stored
            or held.order_sequence != record.order_sequence
        ):
            # the revision matched but the totals do not: a write that did not bump it (by
            # hand, behind paperdesk's back); restore refuses such a ledger with its reasons
            self.misses += 1
            return None
        self.hits += 1
        state.record = record
        return state

    def keep(self, state: RestoredPortfolio, writer: LedgerWriter) -> None:
        """Put ``state`` back after its unit of work committed: rebuilt as a restore would
        read it now, under the revision the commit gave the portfolio. A unit that changed
        nothing a restore reads keeps the revision, if the kernel's totals did not move."""
        portfolio_id = state.portfolio_id
        revision = writer.revisions.get(portfolio_id)
        if revision is None:
            return  # not watched: the revision the commit left is unknown
        unwritten = revision == state.record.revision  # nothing a restore reads was written
        if unwritten and state.kernel.account() != _stored_account(state.record):
            return  # changed in memory and not written: only the rows are the truth
        marks, closes = dict(state.marks), dict(state.bar_closes)
        for symbol, (mark, close) in writer.cursors.get(portfolio_id, {}).items():
            if mark is None:
                marks.pop(symbol, None)
            else:
                marks[symbol] = mark
            if close is not None:
                closes[symbol] = close
        # a unit of order commands triggers no stop (only a bar does), and a state holding a
        # triggered one is never kept (below): the check of every working order is not needed
        fresh = as_stored(state, state.record, marks, closes)
        if fresh is None:
            if any(working.order.triggered for working in state.kernel.working_orders()):
                # a stop-limit triggered without a fill is not written (no event changes its
                # row): only a restore from the rows gives what another process would see
                return
            fresh = rebuilt(state, state.record, marks, closes)
        with self._lock:
            current = self._entries.get(portfolio_id)
            if current is not None and current[0] > revision:
                return  # a later unit of this process already put back a newer state
            self._entries[portfolio_id] = (revision, fresh)
            self._entries.move_to_end(portfolio_id)
            while len(self._entries) > self.capacity:
                self._entries.popitem(last=False)

    def release(self, portfolio_id: int, unit: object) -> None:
        """``unit`` ended (committed, its state kept or not, or rolled back): the portfolio's
        state is no longer in flight, and a unit waiting for it takes what the cache holds."""
        with self._lock:
            if self._in_flight.get(portfolio_id) is unit:
                del self._in_flight[portfolio_id]
                self._returned.notify_all()

    def peek(self, portfolio_id: int) -> tuple[int, RestoredPortfolio] | None:
        """The cached (revision, state) of ``portfolio_id``, left in the cache (to look at
        it: a unit of work must ``take`` it)."""
        with self._lock:
            return self._entries.get(portfolio_id)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


def _stored_account(record: PortfolioRecord) -> AccountState:
    return AccountState(record.cash, record.fees_paid, record.realized_pnl, record.order_sequence)


_CACHES: weakref.WeakKeyDictionary[Database, StateCache] = weakref.WeakKeyDictionary()
_CACHES_LOCK = threading.Lock()


def state_cache(database: Database) -> StateCache:
    """The cache of ``database``'s portfolios in this process, shared by everything that
    uses that ``Database`` object (the runner, the portfolio service). Two ``Database``
    objects on one ledger have a cache each, and see each other's writes as another process
    would: by the revision."""
    with _CACHES_LOCK:
        cache = _CACHES.get(database)
        if cache is None:
            cache = _CACHES[database] = StateCache()
        return cache


__all__ = ["StateCache", "state_cache"]
