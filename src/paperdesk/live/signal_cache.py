"""A per-process cache of the strategies' incremental forms, so that a live tick does not
recompute every indicator over the whole history to read the newest bar's signals.

For each (portfolio, strategy, symbol) the cache keeps the strategy's incremental form
(``Strategy.incremental``: the indicators' state, e.g. TA-Lib's EMA, RSI and ATR handles) after
the last bar it was stepped to, the history it was stepped on, and the rows it gave for that
bar. A tick of bar ``t`` then:

* steps the form with bar ``t`` when it stands at bar ``t - 1`` of the same history (the
  fast path: the cost of one bar, whatever the length of the history);
* gives the rows it kept when it stands at bar ``t`` already (a tick repeated after a roll
  back, or a dry run followed by the real tick);
* otherwise computes the whole history with ``Strategy.signals``, as the backtest does, and
  opens a new form on it: the first tick of a process, another portfolio's settings or
  parameters, a bar skipped, a history that changed (a corrected, inserted or removed bar
  before ``t``, a re-import), a form that refused a bar (``StepRefused``), a strategy
  without a form.

"The same history" is proved, not assumed: the very frame object the form was stepped on
(``BarSource`` serves one frame per file until the file changes, and nothing writes into it),
or else a frame whose rows before ``t`` equal it bit for bit (labels and the five price and
volume columns; a frame the DataManager copies every tick costs one comparison of memory).

The forms are pure functions of the bars, so nothing here is transactional: a tick that rolls
back leaves a form that is still right for the bars it saw. A form is taken out of the cache
while it is stepped (two threads never step one form) and put back afterwards; one that raised
is dropped.
"""

from __future__ import annotations

import threading
import weakref
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from paperdesk.analysis.strategies.base import BAR_COLUMNS, Strategy
from paperdesk.analysis.strategies.incremental import (
    Bars,
    FrameColumns,
    IncrementalSignals,
    StepRefused,
)
from paperdesk.live.bounded_memory import BoundedMemory

if TYPE_CHECKING:
    from paperdesk.store import Database

CAPACITY = 4096  # forms kept per database (least recently used dropped first)

Key = tuple[int, str, str]  # (portfolio, strategy name, symbol)


@dataclass
class _Entry:
    strategy: type[Strategy[Any]]
    params: object
    history: FrameColumns  # the frame the form was last stepped on, its columns read once
    index: int  # the bar the form stands at
    form: IncrementalSignals
    rows: pd.DataFrame | None  # the rows of bar ``index`` (None: none)


class SignalCache(BoundedMemory[Key, _Entry]):
    """Incremental forms of one database's portfolios (see the module docstring)."""

    def __init__(self, capacity: int = CAPACITY) -> None:
        super().__init__(capacity)
        self.stepped = 0  # bars answered by stepping a form
        self.repeated = 0  # bars answered from the kept rows
        self.computed = 0  # bars answered by the whole-history computation

    def rows(
        self, key: Key, strategy: Strategy[Any], history: pd.DataFrame, index: int
    ) -> pd.DataFrame | None:
        """The rows of ``strategy``'s signal frame at bar ``index`` of ``history`` (which may
        hold later bars: only ``history[: index + 1]`` is read), None when it has none."""
        with self._lock:
            entry = self._entries.pop(key, None)
        if entry is not None and _same_strategy(entry, strategy) and index >= 1:
            if entry.index == index and _same_bars(entry, history, index + 1):
                self.repeated += 1
                self._keep(key, entry)
                return entry.rows
            if entry.index == index - 1 and _same_bars(entry, history, index):
                if entry.history.frame is not history:
                    entry.history = FrameColumns(history)
                try:
                    rows = entry.form.step(Bars(entry.history, index + 1), index)
                except StepRefused:
                    pass  # the form is dropped; the whole history answers
                else:
                    self.stepped += 1
                    entry.index, entry.rows = index, rows
                    self._keep(key, entry)
                    return rows
        self.computed += 1
        visible = history.iloc[: index + 1]
        frame = strategy.signals(visible)
        found = frame[frame.index == history.index[index]]
        rows = found if len(found) else None
        form = strategy.incremental(visible)
        if form is not None:
            columns = FrameColumns(history)
            self._keep(key, _Entry(type(strategy), strategy.params, columns, index, form, rows))
        return rows

    def _keep(self, key: Key, entry: _Entry) -> None:
        with self._lock:
            self._put(key, entry)


def _same_strategy(entry: _Entry, strategy: Strategy[Any]) -> bool:
    return entry.strategy is type(strategy) and entry.params == strategy.params


def _same_bars(entry: _Entry, history: pd.DataFrame, count: int) -> bool:
    """Whether the first ``count`` bars of ``history`` are those the form was stepped on."""
    seen = entry.history.frame
    if history is seen:
        return True
    if len(history) < count or len(seen) < count:
        return False
    if not np.array_equal(_labels(history, count), _labels(seen, count)):
        return False
    for name in BAR_COLUMNS:
        now = history[name].to_numpy(dtype=np.float64)[:count]
        before = seen[name].to_numpy(dtype=np.float64)[:count]
        if not np.array_equal(now.view(np.int64), before.view(np.int64)):  # bit for bit
            return False
    return True


def _labels(history: pd.DataFrame, count: int) -> np.ndarray[Any, Any]:
    """The first ``count`` bar labels as UTC nanoseconds (one unit whatever the frame's)."""
    index = pd.DatetimeIndex(history.index[:count])
    return np.asarray(index.as_unit("ns").asi8)


_CACHES: weakref.WeakKeyDictionary[Database, SignalCache] = weakref.WeakKeyDictionary()
_CACHES_LOCK = threading.Lock()


def signal_cache(database: Database) -> SignalCache:
    """The incremental forms of ``database``'s portfolios in this process, shared by every
    runner on that ``Database`` object."""
    with _CACHES_LOCK:
        cache = _CACHES.get(database)
        if cache is None:
            cache = _CACHES[database] = SignalCache()
        return cache


__all__ = ["SignalCache", "signal_cache"]
