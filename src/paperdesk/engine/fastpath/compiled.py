"""The fast path's compiled loops (numba), loaded only when a process asks for them.

Loading numba costs about 2 s of CPU time in each process (its import and the first call of
a cached function; measured in docs/kernel-speed.md), far more than the loops save on one run,
so the fast path never imports numba by itself: a process that runs many or long backtests (a
sweep, a benchmark) calls ``prepare()`` once, and from then on the fast path takes these loops.
Without that, or without numba installed, it takes the NumPy and Python forms, which tests prove
identical to these.

The loops decide exactly as their Python forms: integers in int64 under explicit bounds (they
stop and hand back where a bound would be passed), floats only where the Python form uses the
same IEEE operations.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any

import numpy as np
import numpy.typing as npt

from paperdesk.engine import equity_curve

__all__ = [
    "CompiledLoops",
    "as_float64",
    "as_int64",
    "curve_arrays",
    "equity_arrays",
    "load",
    "loaded",
    "prepare",
]

_EXACT_FLOAT = 2**53  # integers below this are exact as floats
_INT64_SAFE = float(2**62)  # a product below this in magnitude, added to cash below 2**53, fits


@dataclass(frozen=True, slots=True)
class CompiledLoops:
    """The compiled loops (see each ``_define`` function for what it computes)."""

    all_in_run: Callable[..., tuple[int, int]]
    bars_valid_on_grid: Callable[..., bool]
    equity_curve: Callable[..., None]


_loops: CompiledLoops | None = None


def prepare() -> bool:
    """Make the fast path take the compiled loops in this process (``load``); True when they
    are loaded, False when numba is not installed."""
    global _loops
    _loops = load()
    return _loops is not None


@cache
def load() -> CompiledLoops | None:
    """numba and the compiled loops, loaded into this process (compiled once, then read from
    numba's cache), without making the fast path take them; None without numba."""
    try:
        import numba
    except ImportError:
        return None
    compile_loop = numba.njit(cache=True, nogil=True)
    loops = CompiledLoops(
        all_in_run=compile_loop(_all_in_run),
        bars_valid_on_grid=compile_loop(_bars_valid_on_grid),
        equity_curve=compile_loop(_equity_curve),
    )
    # the first call reads each loop from the cache (or compiles it): done here, not in a run
    quantities = np.zeros(1, dtype=np.int64)
    one = np.ones(1, dtype=np.float64)
    loops.all_in_run(one, one, np.zeros(1, dtype=np.int64), 1, 0, quantities)
    stamps = np.zeros(1, dtype=np.int64)
    loops.bars_valid_on_grid(one, one, one, one, one, stamps, stamps, 100.0)
    loops.equity_curve(1.0, stamps, one, one, one, np.empty(1), np.empty(1, dtype=np.bool_))
    return loops


def loaded() -> CompiledLoops | None:
    """The compiled loops if ``prepare`` loaded them in this process, else None."""
    return _loops


def _all_in_run(
    lows: npt.NDArray[np.float64],
    highs: npt.NDArray[np.float64],
    increments: npt.NDArray[np.int64],
    cash: int,
    start: int,
    quantities: npt.NDArray[np.int64],
) -> tuple[int, int]:
    """``integer_money._all_in_entries``' float-first loop from entry ``start``: entry i buys
    q = the whole part of cash x ``lows[i]`` when cash x ``highs[i]`` has the same whole part,
    written to ``quantities[i]``, then the cash grows by q x ``increments[i]``. Stops at the
    first entry the Python form must decide (cash outside (0, 2**53), the ends differ, q is 0
    or beyond 2**62, or q x increment could leave int64) and returns (that entry, the cash
    before it); (count, final cash) when every entry is decided."""
    count = len(increments)
    for index in range(start, count):
        if cash <= 0 or cash >= _EXACT_FLOAT:
            return index, cash
        amount = float(cash)
        low, high = amount * lows[index], amount * highs[index]
        if not (low >= 1.0 and high < _INT64_SAFE) or int(low) != int(high):
            return index, cash
        quantity = int(low)
        increment = increments[index]
        if abs(float(quantity) * float(increment)) >= _INT64_SAFE:
            return index, cash
        quantities[index] = quantity
        cash += quantity * increment
    return count, cash


def _bars_valid_on_grid(
    opens: npt.NDArray[np.float64],
    highs: npt.NDArray[np.float64],
    lows: npt.NDArray[np.float64],
    closes: npt.NDArray[np.float64],
    volumes: npt.NDArray[np.float64],
    ts_open_ns: npt.NDArray[np.int64],
    ts_close_ns: npt.NDArray[np.int64],
    scale: float,
) -> bool:
    """``valid_rows(...).all()`` and ``eligibility._bars_eligible``'s bar checks (stamps at or
    after the epoch in whole microseconds, each bar opening no earlier than the previous one
    closes, opens and closes below 1e12 and on the tick) in one pass, without the validity mask:
    per row the bar rule's checks as ``data.bar_rule.valid_rows`` makes them (a NaN fails a
    comparison: high at or above the open and the close, low at or below both and above 0, high
    below +inf, volume at or above 0 and below +inf) and the grid's; on the grid (times at or
    after the epoch in whole microseconds) a close later in microseconds is a later close."""
    for index in range(len(opens)):
        opened, closed = ts_open_ns[index], ts_close_ns[index]
        if opened < 0 or closed < 0 or opened % 1000 != 0 or closed % 1000 != 0:
            return False
        if closed <= opened or (index and opened < ts_close_ns[index - 1]):
            return False
        open_, close = opens[index], closes[index]
        high, low, volume = highs[index], lows[index], volumes[index]
        if not (high >= open_ and high >= close and high < np.inf):
            return False
        if not (low <= open_ and low <= close and low > 0.0):
            return False
        if not (volume >= 0.0 and volume < np.inf):
            return False
        for price in (open_, close):
            if not price < 1e12 or np.rint(price * scale) / scale != price:
                return False
    return True


def _equity_curve(
    starting_cash: float,
    change_rows: npt.NDArray[np.int64],
    change_cash: npt.NDArray[np.float64],
    change_quantity: npt.NDArray[np.float64],
    closes: npt.NDArray[np.float64],
    equity: npt.NDArray[np.float64],
    held: npt.NDArray[np.bool_],
) -> None:
    """``equity_curve.equity_arrays`` in one pass, written into ``equity`` and ``held``: at
    each row the cash and quantity of the last change at or before it (the starting cash and
    no position before the first), equity = quantity x close + cash, the same two roundings
    in the same order (LLVM fuses no multiply-add without fast-math)."""
    count = len(change_rows)
    following = 0
    cash = starting_cash
    quantity = 0.0
    for row in range(len(closes)):
        while following < count and change_rows[following] <= row:
            cash = change_cash[following]
            quantity = change_quantity[following]
            following += 1
        equity[row] = quantity * closes[row] + cash
        held[row] = quantity != 0.0


def equity_arrays(
    loops: CompiledLoops,
    starting_cash: float,
    change_rows: Any,
    change_cash: npt.NDArray[np.float64],
    change_quantity: npt.NDArray[np.float64],
    closes: npt.NDArray[np.float64],
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.bool_]]:
    """``equity_curve.equity_arrays`` by the compiled loop (bit for bit the same arrays)."""
    equity = np.empty(len(closes), dtype=np.float64)
    held = np.empty(len(closes), dtype=np.bool_)
    loops.equity_curve(
        float(starting_cash),
        as_int64(change_rows),
        as_float64(change_cash),
        as_float64(change_quantity),
        as_float64(closes),
        equity,
        held,
    )
    return equity, held


def curve_arrays(
    starting_cash: float,
    change_rows: Any,
    change_cash: npt.NDArray[np.float64],
    change_quantity: npt.NDArray[np.float64],
    closes: npt.NDArray[np.float64],
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.bool_]]:
    """``equity_curve.equity_arrays`` in one compiled pass when the loops are loaded, else by
    NumPy (the same arrays bit for bit either way)."""
    loops = loaded()
    if loops is None:
        return equity_curve.equity_arrays(
            starting_cash, change_rows, change_cash, change_quantity, closes
        )
    return equity_arrays(loops, starting_cash, change_rows, change_cash, change_quantity, closes)


def as_int64(values: Any) -> npt.NDArray[np.int64]:
    """``values`` as a contiguous int64 array (the loops' integer arguments)."""
    return np.ascontiguousarray(values, dtype=np.int64)


def as_float64(values: Any) -> npt.NDArray[np.float64]:
    """``values`` as a contiguous float64 array (the loops' float arguments)."""
    return np.ascontiguousarray(values, dtype=np.float64)
