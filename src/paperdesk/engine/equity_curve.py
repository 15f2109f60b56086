"""The equity curve from the ledger's change points, shared by the event driver and the fast path
so both compute it (and the statistics built on it) the same way."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
import pandas as pd


def equity_arrays(
    starting_cash: float,
    change_index: Sequence[int],
    change_cash: Sequence[float],
    change_quantity: Sequence[float],
    closes: npt.NDArray[np.float64],
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.bool_]]:
    """Float equity at every bar close, and whether a position is held there.

    ``change_index`` lists (ascending) the rows after which cash or the position changed, with
    the cash and signed quantity held from that row on; before the first change the account is
    flat with ``starting_cash``.
    """
    length = len(closes)
    if not change_index:
        return np.full(length, starting_cash), np.zeros(length, dtype=bool)
    index = np.asarray(change_index, dtype=np.int64)
    cash = np.asarray(change_cash, dtype=np.float64)
    quantity = np.asarray(change_quantity, dtype=np.float64)
    segment = np.searchsorted(index, np.arange(length), side="right") - 1
    known = segment >= 0
    safe = np.where(known, segment, 0)
    cash_at = np.where(known, cash[safe], starting_cash)
    quantity_at = np.where(known, quantity[safe], 0.0)
    return cash_at + quantity_at * closes, quantity_at != 0


def datetime_index(nanoseconds: npt.NDArray[np.int64]) -> pd.DatetimeIndex:
    """UTC timestamps from nanoseconds since the epoch, without a round trip through objects."""
    return pd.DatetimeIndex(nanoseconds.view("M8[ns]")).tz_localize("UTC")
