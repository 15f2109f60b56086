"""A bracket run's prices on no tick grid (tick 0: an adjusted series; see ``price_grid``) in
whole units of 10**-places: the fills' opens, the signal closes, the legs (unrounded: the
float's shortest repr, 13-15 decimals for an ATR stop), the highs and lows of the bars where a
leg acts, and the last close, ``places`` the most decimals of those plus the slippage factor's.

Where the legs act is found on the floats (``bracket_hits.first_hits_near``: a bar whose high or
low is too close to a leg to tell from its float is given up on); how they act there (which leg,
at the open or at its level) is decided on the exact units (``leg_exit``)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from paperdesk.domain import Instrument
from paperdesk.engine.fastpath.bracket_hits import first_hits_near, window_ends
from paperdesk.engine.fastpath.bracket_levels import LegLevels, grid_levels, level_decimals
from paperdesk.engine.fastpath.inputs import BarHistory
from paperdesk.engine.fastpath.price_grid import (
    grid_places,
    grid_units,
    open_decimals_of,
    unit_dtype,
)
from paperdesk.engine.fastpath.vectorised import target_sides
from paperdesk.execution import SlippageModel


@dataclass(frozen=True, slots=True)
class BracketGrid:
    """``raw_opens``: per bar, the open in units at the rows a fill can take (the signals' next
    bars, the legs' bars and a holding limit's exits'), 0 elsewhere (never read);
    ``close_ticks`` per signal; ``hits``, ``hit_highs``, ``hit_lows`` per signal (the bar where
    its legs act, ``NO_HIT`` and 0 where none)."""

    places: int
    raw_opens: npt.NDArray[Any]
    close_ticks: npt.NDArray[Any]
    open_decimals: dict[int, Decimal]
    levels: LegLevels
    hits: npt.NDArray[np.int64]
    hit_highs: list[int]
    hit_lows: list[int]
    last_close: Decimal


def bracket_grid(
    feed: BarHistory,
    frame: pd.DataFrame,
    signal_rows: npt.NDArray[np.intp],
    allow_short: bool,
    slippage: SlippageModel,
    instrument: Instrument,
    check_places: Callable[[int], None],
    cooldown: int = 0,
    exit_rows: list[int] | None = None,
) -> BracketGrid:
    """The grid of a bracket run; ``exit_rows``: the rows a holding limit's exits may fill at
    (their opens join the grid, as ``price_grid``'s)."""
    length = feed.length
    next_rows = np.minimum(signal_rows + 1, length - 1)
    closes = [feed.close_price(row) for row in signal_rows.tolist()]
    last_close = feed.close_price(length - 1)
    entries = [feed.open_price(row) for row in next_rows.tolist()]
    # the grid's places are at least these prices': refused before the legs and hits are made
    check_places(grid_places([*entries, *closes, last_close], slippage))
    sides = target_sides(frame["direction"].to_numpy().astype(np.int64), allow_short)
    stops = frame["stop"].to_numpy(dtype=np.float64)
    targets = frame["target"].to_numpy(dtype=np.float64)
    decimals = level_decimals(stops, targets, sides, instrument)
    rows64 = signal_rows.astype(np.int64)
    hits = first_hits_near(
        rows64 + 1,
        window_ends(rows64, sides, length, cooldown),
        sides > 0,
        ~np.isnan(stops) & (sides != 0),
        ~np.isnan(targets) & (sides != 0),
        stops,
        targets,
        feed.highs,
        feed.lows,
    )
    hit_list = hits.tolist()
    reached = [row for row in hit_list if row >= 0]
    open_rows = sorted(set(next_rows.tolist()) | set(reached) | set(exit_rows or ()))
    known = dict(zip(next_rows.tolist(), entries, strict=True))
    opens = [known[row] if row in known else feed.open_price(row) for row in open_rows]
    highs = [feed.high_price(row) for row in reached]
    lows = [feed.low_price(row) for row in reached]
    legs = list(decimals.values())
    places, units = grid_units(
        [*opens, *closes, *highs, *lows, last_close, *legs], slippage, check_places
    )
    parts = np.cumsum([len(opens), len(closes), len(highs), len(lows), 1]).tolist()
    open_units = units[: parts[0]]
    close_units = units[parts[0] : parts[1]]
    high_units = units[parts[1] : parts[2]]
    low_units = units[parts[2] : parts[3]]
    level_units = units[parts[4] :]
    dtype = unit_dtype(units[: parts[4]], slippage)
    raw_opens: npt.NDArray[Any] = np.zeros(length, dtype=dtype)
    raw_opens[open_rows] = np.array(open_units, dtype=dtype)
    hit_highs = [0] * len(hit_list)
    hit_lows = [0] * len(hit_list)
    found = iter(zip(high_units, low_units, strict=True))
    for signal, row in enumerate(hit_list):
        if row >= 0:
            hit_highs[signal], hit_lows[signal] = next(found)
    return BracketGrid(
        places,
        raw_opens,
        np.array(close_units, dtype=dtype),
        open_decimals_of(open_units, opens),
        grid_levels(decimals, level_units, stops, targets, sides, places, instrument),
        hits,
        hit_highs,
        hit_lows,
        last_close,
    )
