"""The equity curve from the ledger's change points, shared by the event driver and the fast path
so both compute it (and the statistics built on it) the same way."""

from __future__ import annotations

from array import array
from bisect import bisect_right
from collections.abc import Callable, Sequence
from decimal import Decimal

import numpy as np
import numpy.typing as npt
import pandas as pd

from paperdesk.domain.money import ZERO


def equity_arrays(
    starting_cash: float,
    change_index: Sequence[int] | npt.NDArray[np.int64],
    change_cash: Sequence[float] | npt.NDArray[np.float64],
    change_quantity: Sequence[float] | npt.NDArray[np.float64],
    closes: npt.NDArray[np.float64],
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.bool_]]:
    """Float equity at every bar close, and whether a position is held there.

    ``change_index`` lists (ascending) the rows after which cash or the position changed, with
    the cash and signed quantity held from that row on; before the first change the account is
    flat with ``starting_cash``.
    """
    length = len(closes)
    if not len(change_index):
        return np.full(length, starting_cash), np.zeros(length, dtype=bool)
    # each level is held from its row up to the next change's row (the first, from row 0)
    bounds = np.empty(len(change_index) + 2, dtype=np.int64)
    bounds[0], bounds[-1] = 0, length
    bounds[1:-1] = change_index
    counts = np.diff(bounds)
    cash = np.empty(len(change_cash) + 1, dtype=np.float64)
    cash[0], cash[1:] = starting_cash, change_cash
    quantity = np.empty(len(change_quantity) + 1, dtype=np.float64)
    quantity[0], quantity[1:] = 0.0, change_quantity
    equity = np.repeat(quantity, counts)  # the quantity held at each bar, for now
    held = equity != 0
    equity *= closes
    equity += np.repeat(cash, counts)  # cash + quantity x close, as one sum
    return equity, held


class ChangePoints:
    """The rows after which cash or the position changed, with the equity terms held from each
    (equity = cash + quantity x mark), kept as columns: the rows as machine integers and the
    terms as the floats the curve is built from (``float`` of the exact terms, as a list of
    Decimals would give them at the end). The exact terms are kept only when ``exact`` is set
    (a daily loss limit reads the equity at each day's start exactly); a long run otherwise
    holds 24 bytes per change instead of two Decimal objects and three list slots."""

    __slots__ = (
        "_add_cash",
        "_add_quantity",
        "_add_row",
        "_exact",
        "_last_row",
        "cash",
        "index",
        "quantity",
    )

    def __init__(self, exact: bool = False) -> None:
        self.index = array("q")
        self.cash = array("d")
        self.quantity = array("d")
        # the columns' ``append``s, bound once: compiled, ``column.append(x)`` looks the method
        # up on the array's type at every call
        self._add_row: Callable[[int], None] = self.index.append
        self._add_cash: Callable[[float], None] = self.cash.append
        self._add_quantity: Callable[[float], None] = self.quantity.append
        self._exact: list[tuple[Decimal, Decimal]] | None = [] if exact else None
        self._last_row = -1  # ``index[-1]`` as a machine integer (rows are never negative)

    def __len__(self) -> int:
        return len(self.index)

    def record(self, row: int, cash: Decimal, quantity: Decimal) -> None:
        """From ``row`` on, equity = ``cash`` + ``quantity`` x mark (a second change at the same
        row replaces the first)."""
        exact = self._exact
        cash_float = float(cash)
        # flat: the shared ZERO itself, whose float is 0.0 (``float`` of a Decimal goes through
        # its text)
        quantity_float = 0.0 if quantity is ZERO else float(quantity)
        if self._last_row == row:
            self.cash[-1], self.quantity[-1] = cash_float, quantity_float
            if exact is not None:
                exact[-1] = (cash, quantity)
            return
        self._last_row = row
        self._add_row(row)
        self._add_cash(cash_float)
        self._add_quantity(quantity_float)
        if exact is not None:
            exact.append((cash, quantity))

    def exact_before(self, row: int) -> tuple[Decimal, Decimal] | None:
        """The exact (cash, quantity) held after bar ``row - 1`` (None: no change before it)."""
        if self._exact is None:
            raise RuntimeError("these change points keep no exact terms (exact=False)")
        position = bisect_right(self.index, row - 1) - 1
        return None if position < 0 else self._exact[position]

    def equity(
        self, starting_cash: float, marks: npt.NDArray[np.float64]
    ) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.bool_]]:
        """``equity_arrays`` of these changes over ``marks``."""
        return equity_arrays(
            starting_cash,
            np.frombuffer(self.index, dtype=np.int64) if self.index else (),
            np.frombuffer(self.cash, dtype=np.float64) if self.cash else (),
            np.frombuffer(self.quantity, dtype=np.float64) if self.quantity else (),
            marks,
        )


def datetime_index(nanoseconds: npt.NDArray[np.int64]) -> pd.DatetimeIndex:
    """UTC timestamps from nanoseconds since the epoch, without a round trip through objects."""
    return pd.DatetimeIndex(nanoseconds.view("M8[ns]")).tz_localize("UTC")
