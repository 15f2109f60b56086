"""What a tick reads about a symbol besides the restored portfolio, kept per process between
ticks, so that a tick of this process after its own last tick reads none of it again.

Under the portfolio's lock a tick needs, for its symbol: the market cursor (the last bar
processed), the strategies whose tick of that bar is recorded (a tick limited to some
strategies leaves the others to a later, "late" tick), and the bar of the symbol's last
accepted signal (the cooldown counts from it). Each was one SELECT of every tick.

Every committed tick writes its symbol's cursor row with an UPDATE even when nothing in it
changes (``LedgerWriter.save_cursor``), and a cursor write bumps the portfolio's revision (a
database trigger, migration 0010). Tick records and signals are written by ticks only (and by
a portfolio's import, which creates the portfolio). So a tick that finds the portfolio at the
revision this process's last committed tick on it left (read under the lock with the rest of
the portfolio row, and the same creation time) knows those three facts without reading them:
nobody has written a tick of the portfolio since. Any other revision (another process or
another ``Database`` object ticked, ordered or changed it; a row changed by hand in a table
that bumps it) reads them from the rows, as before. A tick record or signal inserted or
deleted by hand, without touching the cursor, is not seen until the next revision change.

A fact is kept only after its transaction commits, under the revision the commit left, and a
dry run neither uses nor keeps one.
"""

from __future__ import annotations

import threading
import weakref
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from paperdesk.domain.records import CursorRecord, PortfolioRecord
from paperdesk.live.bounded_memory import BoundedMemory

if TYPE_CHECKING:
    from paperdesk.store import Database

CAPACITY = 4096  # (portfolio, symbol) pairs kept per database (least recently used dropped)


@dataclass(frozen=True, slots=True)
class TickFacts:
    """A symbol's cursor, the strategies ticked on its bar, and its last accepted signal."""

    cursor: CursorRecord | None
    ticked: frozenset[str]  # the strategies whose tick of ``cursor.ts_bar`` is recorded
    last_accepted: datetime | None  # the bar (open label) of the last accepted signal


@dataclass(frozen=True, slots=True)
class _Entry:
    revision: int
    created: datetime
    facts: TickFacts


class TickMemory(BoundedMemory[tuple[int, str], _Entry]):
    """The tick facts of one database's portfolios, each under the revision it holds at."""

    def __init__(self, capacity: int = CAPACITY) -> None:
        super().__init__(capacity)
        self.hits = 0
        self.misses = 0

    def recall(self, record: PortfolioRecord, symbol: str) -> TickFacts | None:
        """The facts of ``symbol`` when they hold at ``record``'s revision (read under the
        portfolio's lock), else None (the caller reads them from the rows)."""
        with self._lock:
            entry = self._entries.get((record.id, symbol))
        if entry is None or entry.revision != record.revision or entry.created != record.ts_created:
            self.misses += 1
            return None
        self.hits += 1
        return entry.facts

    def remember(
        self, record: PortfolioRecord, symbol: str, revision: int, facts: TickFacts
    ) -> None:
        """Keep ``facts`` as they stand at ``revision`` (what the tick's commit left)."""
        key = (record.id, symbol)
        with self._lock:
            current = self._entries.get(key)
            if (
                current is not None
                and current.created == record.ts_created
                and current.revision > revision
            ):
                return  # a later tick of this process already kept newer facts
            self._put(key, _Entry(revision, record.ts_created, facts))


_MEMORIES: weakref.WeakKeyDictionary[Database, TickMemory] = weakref.WeakKeyDictionary()
_MEMORIES_LOCK = threading.Lock()


def tick_memory(database: Database) -> TickMemory:
    """The tick facts of ``database``'s portfolios in this process, shared by every runner on
    that ``Database`` object (two objects on one ledger see each other by the revision)."""
    with _MEMORIES_LOCK:
        memory = _MEMORIES.get(database)
        if memory is None:
            memory = _MEMORIES[database] = TickMemory()
        return memory


__all__ = ["TickFacts", "TickMemory", "tick_memory"]
