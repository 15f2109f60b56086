"""The equity curve from the ledger's change points, shared by the event driver and the fast path
so both compute it (and the statistics built on it) the same way."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
import pandas as pd


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


def datetime_index(nanoseconds: npt.NDArray[np.int64]) -> pd.DatetimeIndex:
    """UTC timestamps from nanoseconds since the epoch, without a round trip through objects."""
    return pd.DatetimeIndex(nanoseconds.view("M8[ns]")).tz_localize("UTC")
