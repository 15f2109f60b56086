"""The decision loop (``loop.run_loop``) in array form for runs whose every entry fills: what each
signal does follows from the signals alone, so only the all-in quantities are a recurrence (one
short pass in Python ints); orders, fees, cash and change points are array arithmetic. Gives up
(None) where an entry would be canceled, and the caller runs ``run_loop``; tests prove both
identical.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from paperdesk.engine.fastpath.errors import FastPathUnsupportedError
from paperdesk.engine.fastpath.integer_money import AllInSizer, MoneyScale
from paperdesk.engine.fastpath.loop import ACCEPTED, ENTRY, EXIT, FILLED, _estimate

IntArray = npt.NDArray[Any]  # int64, or object (Python ints) where int64 could overflow

_INT64_SAFE = 2**62  # sums of up to four terms below a quarter of this stay inside int64


@dataclass(frozen=True, slots=True)
class OrderTable:
    """The loop's orders column by column (``loop.ORDER_FIELDS``, one array each)."""

    signal_of: IntArray
    roles: IntArray
    sides: IntArray
    quantities: IntArray
    statuses: IntArray
    ticks: IntArray
    fees: IntArray


@dataclass(frozen=True, slots=True)
class VectorRecord:
    """``loop.LoopRecord`` with the orders and change points as arrays."""

    orders: OrderTable
    rejected: list[tuple[int, int, int]]
    change_row: IntArray
    change_cash: IntArray
    change_quantity: IntArray
    cash: int
    position: int
    trade_units: IntArray  # each closed round trip's P&L in money units, fees included


def target_sides(directions: npt.NDArray[np.int64], allow_short: bool) -> npt.NDArray[np.int64]:
    """The position's side after each signal when every entry fills: a long for 1, a short for
    -1 (flat when shorts are disabled: the router only exits), flat for 0. A signal acts (exits,
    enters, or both) exactly where its side differs from the previous signal's (flat before the
    first): the same side is a rejected repeat, and an exit always closes the whole position."""
    sides = np.sign(directions).astype(np.int64)
    if not allow_short:
        sides[sides < 0] = 0
    return sides


def run_vectorised(
    directions: npt.NDArray[np.int64],
    fill_rows: npt.NDArray[np.int64],
    buy_prices: IntArray,
    sell_prices: IntArray,
    signal_closes: npt.NDArray[np.int64],
    *,
    starting_cash: int,
    allow_short: bool,
    scale: MoneyScale,
    sizer: AllInSizer,
) -> VectorRecord | None:
    """``run_loop``'s record (its arguments as arrays; ``fill_rows`` -1 only for a signal on the
    last bar), or None when an entry would not fill (nothing affordable), which only the loop
    follows. Raises ``FastPathUnsupportedError`` where the loop does."""
    count = len(directions)
    sides = target_sides(directions, allow_short)
    previous = np.concatenate(([0], sides[:-1])).astype(np.int64)
    acts = sides != previous
    pending = count > 0 and bool(acts[-1]) and fill_rows[-1] < 0  # acts on the last bar
    filling = acts.copy()
    if count and fill_rows[-1] < 0:
        filling[-1] = False
    entries = np.flatnonzero(filling & (sides != 0))
    exits = np.flatnonzero(filling & (previous != 0))
    entry_sides = sides[entries]
    entry_prices = np.where(entry_sides > 0, buy_prices[entries], sell_prices[entries])
    # exit i closes entry i: a long sells, a short buys
    closed = len(exits)
    exit_prices = np.where(entry_sides[:closed] > 0, sell_prices[exits], buy_prices[exits]).astype(
        np.int64
    )
    if len(entries) and int(entry_prices.min()) <= 0:
        return None
    per_tick, fee_per_tick = scale.units_per_tick, scale.fee_per_tick
    largest_price = max(
        int(buy_prices.max(initial=0)),
        int(sell_prices.max(initial=0)),
        int(signal_closes.max(initial=0)),
    )
    unit_cost = per_tick + fee_per_tick
    if 2 * largest_price * unit_cost >= _INT64_SAFE:  # the increments below fit int64
        return None
    # cash after entry i's exit, per unit of entry i: sold (bought back) less both fees
    entry_cost = entry_prices * (entry_sides * per_tick + fee_per_tick)
    exit_proceeds = exit_prices * (entry_sides[:closed] * per_tick - fee_per_tick)
    increments = -entry_cost
    increments[:closed] += exit_proceeds
    solved = sizer.entries(entry_prices, increments, starting_cash, as_array=True)
    if solved is None:
        return None
    found, cash = solved
    if isinstance(found, np.ndarray):  # the compiled loop's int64 quantities
        largest_quantity = int(found.max()) if len(found) else 0
    else:
        largest_quantity = max(found, default=0)
    largest_fill = largest_quantity * largest_price * unit_cost  # bounds q x price x (1 + fee)
    # the cash at any point is the starting cash plus at most two fills per entry
    largest = abs(starting_cash) + 2 * largest_fill * len(found)
    dtype: type = np.int64 if largest + 4 * largest_fill < _INT64_SAFE // 4 else object
    quantities: IntArray = (
        found  # int64 already, no longer the loop's (it returned it)
        if isinstance(found, np.ndarray) and dtype is np.int64
        else np.array(found.tolist() if isinstance(found, np.ndarray) else found, dtype=dtype)
    )  # object: Python ints, never NumPy's (which would wrap)
    before: IntArray = np.empty(len(quantities), dtype=dtype)  # cash when each entry is sized
    if len(before):
        before[0] = starting_cash
        np.cumsum(quantities[:-1] * np.asarray(increments[:-1], dtype=dtype), out=before[1:])
        before[1:] += starting_cash
    entry_costs: IntArray = np.asarray(entry_cost, dtype=dtype)
    after_entry = before - quantities * entry_costs
    after_exit = after_entry[:closed] + quantities[:closed] * np.asarray(exit_proceeds, dtype)
    positions: IntArray = entry_sides.astype(dtype) * quantities
    position = int(positions[-1]) if len(entries) > closed else 0

    _check_entry_equity(
        entries, exits, before, after_entry, positions, quantities, signal_closes, scale, sizer
    )

    # orders in submission order: at a signal, the exit before the entry
    entry_fees = quantities * entry_prices.astype(dtype) * fee_per_tick
    exit_fees = quantities[:closed] * exit_prices.astype(dtype) * fee_per_tick
    # entry i opens before exit i closes it, and exit i comes no later than entry i + 1 (at one
    # signal, the exit first): the fills alternate entry 0, exit 0, entry 1, ...
    total = len(entries) + closed

    def merged(exit_values: IntArray, entry_values: IntArray) -> IntArray:
        values: IntArray = np.empty(total, dtype=np.result_type(exit_values, entry_values))
        values[0::2], values[1::2] = entry_values, exit_values
        return values

    columns = [
        merged(exits, entries),
        merged(np.full(closed, EXIT), np.full(len(entries), ENTRY)),
        merged(-entry_sides[:closed], entry_sides),
        merged(quantities[:closed], quantities),
        np.full(total, FILLED),
        merged(exit_prices, entry_prices),
        merged(exit_fees, entry_fees),
    ]
    if pending:
        columns = _with_pending(
            columns, count - 1, int(sides[-1]), position, cash, signal_closes, scale, sizer
        )

    # change points: each filling signal's state once its orders are booked
    acting = np.flatnonzero(filling)
    # entries and exits are the filling signals with a side after (before) them, so the
    # entries (exits) before acting signal i are those among acting[:i]: counts, not searches
    is_entry = sides[acting] != 0
    entry_at = np.cumsum(is_entry) - is_entry
    is_exit = previous[acting] != 0
    exit_at = np.cumsum(is_exit) - is_exit
    change_cash: IntArray = np.empty(len(acting), dtype=dtype)
    change_quantity: IntArray = np.zeros(len(acting), dtype=dtype)
    change_cash[is_entry] = after_entry[entry_at[is_entry]]
    change_quantity[is_entry] = positions[entry_at[is_entry]]
    change_cash[~is_entry] = after_exit[exit_at[~is_entry]]
    rejected = _rejections(acting, change_cash, change_quantity, acts, starting_cash)
    moved: IntArray = np.asarray(exit_prices - entry_prices[:closed], dtype=dtype)
    trade_units = (
        positions[:closed] * moved * per_tick - entry_fees[:closed] - exit_fees
    )  # side x quantity x (exit - entry) less both fees
    return VectorRecord(
        OrderTable(*columns),
        rejected,
        fill_rows[acting],
        change_cash,
        change_quantity,
        cash,
        position,
        trade_units,
    )


def _check_entry_equity(
    entries: npt.NDArray[np.intp],
    exits: npt.NDArray[np.intp],
    before: IntArray,
    after_entry: IntArray,
    positions: IntArray,
    quantities: IntArray,
    signal_closes: npt.NDArray[np.int64],
    scale: MoneyScale,
    sizer: AllInSizer,
) -> None:
    """The loop's signal-time checks at each entry: the equity once the held position is closed
    at the signal's close must be positive, and a quantity ending in 0 re-sizes from it."""
    if not len(entries):
        return
    # the held position at entry i's signal: entry i-1's, if exit i-1 is at the same signal
    reverses = np.zeros(len(entries), dtype=bool)
    reverses[1:] = exits[: len(entries) - 1] == entries[1:]
    held = np.zeros(len(entries), dtype=positions.dtype)
    held[1:] = np.where(reverses[1:], positions[:-1], 0)
    cash = before.copy()
    cash[1:] = np.where(reverses[1:], after_entry[:-1], before[1:])
    closes = signal_closes[entries].astype(positions.dtype)
    equity = cash + held * closes * scale.units_per_tick - abs(held) * closes * scale.fee_per_tick
    if len(equity) and not (equity > 0).all():
        raise FastPathUnsupportedError("equity at or below zero at an entry signal")
    round_lots = np.flatnonzero(quantities % 10 == 0)
    undecided = round_lots[sizer.undecided(equity[round_lots], closes[round_lots])]
    for index in undecided.tolist():
        sizer.quantity(int(equity[index]), int(closes[index]))  # raises where the loop does


def _with_pending(
    columns: list[IntArray],
    signal: int,
    side: int,
    position: int,
    cash: int,
    signal_closes: npt.NDArray[np.int64],
    scale: MoneyScale,
    sizer: AllInSizer,
) -> list[IntArray]:
    """The orders of a signal on the last bar: accepted, never filled (the loop's last step)."""
    rows: list[tuple[int, ...]] = []
    if position:
        rows.append((signal, EXIT, -1 if position > 0 else 1, abs(position), ACCEPTED, 0, 0))
    if side:
        quantity = _estimate(signal, position, cash, signal_closes.tolist(), scale, sizer)
        rows.append((signal, ENTRY, side, quantity, ACCEPTED, 0, 0))
    if not rows:
        return columns
    return [
        np.concatenate((column, np.array(extra, dtype=column.dtype)))
        for column, extra in zip(columns, zip(*rows, strict=True), strict=True)
    ]


def _rejections(
    acting: npt.NDArray[np.intp],
    change_cash: IntArray,
    change_quantity: IntArray,
    acts: npt.NDArray[np.bool_],
    starting_cash: int,
) -> list[tuple[int, int, int]]:
    """(signal, held position, cash) of each signal that does not act, as the loop records it:
    the state the last acting signal before it left."""
    refused = np.flatnonzero(~acts)
    if not len(refused):
        return []
    last = np.searchsorted(acting, refused) - 1
    held = [int(change_quantity[at]) if at >= 0 else 0 for at in last.tolist()]
    cash = [int(change_cash[at]) if at >= 0 else starting_cash for at in last.tolist()]
    return list(zip(refused.tolist(), held, cash, strict=True))
