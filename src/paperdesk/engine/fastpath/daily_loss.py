"""The daily loss limit (``routing.risk.DailyLossLimit``) on the fast path, in whole integer money
units, as the router and the backtest driver apply it; tests prove it identical to the event
kernel (``tests/unit/engine/test_fastpath_daily_loss.py``).

The day is the UTC calendar day of a bar's close; each row's day starts at the first row of that
day. The day's start equity: the starting cash on the first day, and when no cash or position
changed at a row before the day's first; else the (cash, quantity) after the last change at a row
before it, marked at the exact close of the row before the day's first (the driver's
``_day_start_equity``). An entry signal (never an exit) passes while the router's equity at its
bar's close (a reversal's once the exit is counted, its fee paid) is above start x (1 - limit /
100) in the Decimal context; else it is refused: on a flat book the signal is rejected (worded
by the engine's router), on a reversal the exit goes and the entry is dropped (the kernel's
adjustment "entry rejected: ...", ``refused``). A start at or below zero refuses nothing. A
holding limit's exits are change points too: each fills at a row no later than the signal the
loop routes next (``holding.HoldingLimit.before``), so a day's start, computed at its first entry
signal, has every change before the day's first row. Sized at the signal, the sizer comes
first (an entry it sizes to nothing is rejected in its words); all-in at the fill, the rule
reads no quantity and refuses before any sizing.
"""

from __future__ import annotations

from bisect import bisect_left
from decimal import Decimal
from typing import Protocol

import numpy as np
import numpy.typing as npt

from paperdesk.engine.fastpath.errors import FastPathUnsupportedError
from paperdesk.engine.fastpath.integer_money import MoneyScale, exact_limit

_DAY_NS = 86_400_000_000_000
_HUNDRED = Decimal(100)


class ChangePoints(Protocol):
    """The loop's change points so far (``loop.LoopRecord``'s columns)."""

    change_row: list[int]
    change_cash: list[int]
    change_quantity: list[int]


class DailyLoss:
    """The day-start equity of each signal's day and whether an entry's equity is refused.

    ``closes``: every row's close in ticks (the marks of the rows before each day's first);
    ``signal_rows``: the rows the loop's signals k are at."""

    __slots__ = (
        "_bar",
        "_day_first",
        "_first",
        "_floor",
        "_marks",
        "_places",
        "_scale",
        "_signal_first",
        "_starting_cash",
    )

    def __init__(
        self,
        percent: Decimal,
        ts_close_ns: npt.NDArray[np.int64],
        closes: npt.NDArray[np.int64],
        signal_rows: npt.NDArray[np.intp],
        starting_cash: int,
        scale: MoneyScale,
    ) -> None:
        days = ts_close_ns // _DAY_NS
        starts = np.flatnonzero(np.r_[True, days[1:] != days[:-1]])
        self._day_first = starts[np.searchsorted(starts, np.arange(len(days)), side="right") - 1]
        self._signal_first: list[int] = self._day_first[signal_rows].tolist()
        self._marks = closes
        self._floor = 1 - percent / _HUNDRED  # the rule's, in the run's Decimal context
        self._starting_cash = starting_cash
        self._scale = scale
        self._places = scale.money_places
        self._first = -1  # the day whose bar is cached (its first row)
        self._bar: Decimal | None = None

    def refuses(self, k: int, equity: int, record: ChangePoints) -> bool:
        """Whether signal k's entry, at ``equity`` money units, is refused by the limit (the
        changes recorded so far are all those at rows before its day's first)."""
        first = self._signal_first[k]
        if first != self._first:
            self._first = first
            start = self.start_units(first, record)
            if start >= exact_limit():
                raise FastPathUnsupportedError("amounts too large for exact Decimal arithmetic")
            self._bar = None
            if start > 0:  # the floor in money units, rounded as the rule's product rounds
                floor = Decimal(start).scaleb(-self._places) * self._floor
                self._bar = floor.scaleb(self._places)
        bar = self._bar
        return bar is not None and not equity > bar

    def start_units(self, first: int, record: ChangePoints) -> int:
        """The equity, in money units, at the close before row ``first`` (a day's first row)."""
        if first == 0:
            return self._starting_cash
        last = bisect_left(record.change_row, first) - 1
        if last < 0:
            return self._starting_cash
        quantity = record.change_quantity[last]
        mark = int(self._marks[first - 1]) if quantity else 0
        return record.change_cash[last] + quantity * mark * self._scale.units_per_tick

    def day_start(self, row: int, record: ChangePoints) -> Decimal:
        """The day-start equity of row ``row``'s day (the router's view's), once the loop ran."""
        return self._scale.to_decimal(self.start_units(int(self._day_first[row]), record))
