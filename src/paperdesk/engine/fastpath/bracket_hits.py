"""Where a bracket's legs act, for every signal that could open a position: the first bar of its
window (from the entry's fill bar to the next signal that would close the position, or the last
bar) whose low reaches a long's stop or whose high reaches its target (a short's mirrored), and
which leg trades there at what price, by the venue's rule (``execution.fills.bracket_exit``).

Highs and lows need not be on the tick: a bar's low is the Decimal of its float's shortest repr,
and a leg's price a whole number of ticks below 10**15, at most 15 significant digits, whose
float is the correctly rounded quotient ticks / 10**places. Rounding to the nearest double is
monotonic, and two decimals of at most 15 significant digits never round to the same double, so
comparing the low's float with the leg's float compares the two Decimals exactly. Opens are on
the tick (eligibility), and compared in ticks.

A signal's window and levels do not depend on what happened before it, so the search runs once
for all signals, vectorised: the first bars of every window at once, then the next, longer
stretch of the windows not yet hit, and so on."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import numpy.typing as npt

from paperdesk.engine.fastpath.errors import FastPathUnsupportedError

NO_HIT = -1
_FIRST_WIDTH = 8
_GROWTH = 4
_BELOW_ANY = -np.inf  # a level no price reaches
_ABOVE_ANY = np.inf


def window_ends(
    rows: npt.NDArray[np.int64], sides: npt.NDArray[np.int64], length: int, cooldown: int = 0
) -> npt.NDArray[np.int64]:
    """Per signal: the row of the next signal whose side differs from its own (a position on its
    side is closed there, or is left alone by the signals before it), else the last row. With a
    ``cooldown`` (``routing.filters.Cooldown``), the next such signal at least ``cooldown`` rows
    after it: a position is opened by an accepted signal, so the router rejects every signal
    before that row, and the signals between of its own side are repeats it rejects too."""
    count = len(sides)
    ends = np.full(count, length - 1, dtype=np.int64)
    if count < 2:
        return ends
    changes = (
        np.flatnonzero(sides[1:] != sides[:-1]) + 1
    )  # signals whose side differs from the previous
    if not len(changes):
        return ends
    if cooldown <= 0:
        following = np.searchsorted(changes, np.arange(count), side="right")
        inside = following < len(changes)
        ends[inside] = rows[changes[following[inside]]]
        return ends
    # the first signal out of the cooldown, then the first from it on whose side differs
    first = np.maximum(np.searchsorted(rows, rows + cooldown, side="left"), np.arange(count) + 1)
    # per signal: the first later one whose side differs from its own (count: none)
    following = np.searchsorted(changes, np.arange(count), side="right")
    next_change = np.full(count + 1, count, dtype=np.int64)
    next_change[:count] = np.where(
        following < len(changes), changes[np.minimum(following, len(changes) - 1)], count
    )
    safe = np.minimum(first, count - 1)
    differs = (first < count) & (sides[safe] != sides)
    found = np.where(differs, first, next_change[np.where(first < count, first, count)])
    inside = found < count
    ends[inside] = rows[found[inside]]
    return ends


def first_hits(
    starts: npt.NDArray[np.int64],
    ends: npt.NDArray[np.int64],
    long: npt.NDArray[np.bool_],
    stop_ticks: npt.NDArray[np.int64],
    target_ticks: npt.NDArray[np.int64],
    places: int,
    highs: npt.NDArray[np.float64],
    lows: npt.NDArray[np.float64],
) -> npt.NDArray[np.int64]:
    """For each window [start, end] (inclusive; none when start > end) the first row whose bar
    reaches a leg, else ``NO_HIT``. A level of -1 is no leg. Long: low <= stop or high >= target;
    short: high >= stop or low <= target (a bar opening through a leg reaches it too)."""
    has_stop, has_target = stop_ticks >= 0, target_ticks >= 0
    stops, targets = level_floats(stop_ticks, places), level_floats(target_ticks, places)
    return _first_hits(starts, ends, long, has_stop, has_target, stops, targets, highs, lows)


_NEAR = 1e-9  # far above the error of an adjusted float (raw x scale: a few 2**-53 relatively)


def first_hits_near(
    starts: npt.NDArray[np.int64],
    ends: npt.NDArray[np.int64],
    long: npt.NDArray[np.bool_],
    has_stop: npt.NDArray[np.bool_],
    has_target: npt.NDArray[np.bool_],
    stops: npt.NDArray[np.float64],
    targets: npt.NDArray[np.float64],
    highs: npt.NDArray[np.float64],
    lows: npt.NDArray[np.float64],
) -> npt.NDArray[np.int64]:
    """``first_hits`` where the highs and lows are floats near exact prices (an adjusted
    series': raw x scale) and the levels the floats of their own Decimals: the hits with each
    level moved a relative 1e-9 towards the prices and away from them; where they differ (a
    price that close to a level) the fast path gives up, else they are the exact hits."""
    toward = 1.0 - _NEAR, 1.0 + _NEAR  # a level below (down) moved up, one above moved down
    near = _first_hits(
        starts, ends, long, has_stop, has_target,
        np.where(long, stops * toward[1], stops * toward[0]),
        np.where(long, targets * toward[0], targets * toward[1]),
        highs, lows,
    )  # fmt: skip
    far = _first_hits(
        starts, ends, long, has_stop, has_target,
        np.where(long, stops * toward[0], stops * toward[1]),
        np.where(long, targets * toward[1], targets * toward[0]),
        highs, lows,
    )  # fmt: skip
    if not np.array_equal(near, far):
        raise FastPathUnsupportedError("a bar's high or low too close to a leg to compare")
    return near


def _first_hits(
    starts: npt.NDArray[np.int64],
    ends: npt.NDArray[np.int64],
    long: npt.NDArray[np.bool_],
    has_stop: npt.NDArray[np.bool_],
    has_target: npt.NDArray[np.bool_],
    stops: npt.NDArray[np.float64],
    targets: npt.NDArray[np.float64],
    highs: npt.NDArray[np.float64],
    lows: npt.NDArray[np.float64],
) -> npt.NDArray[np.int64]:
    count = len(starts)
    hits = np.full(count, NO_HIT, dtype=np.int64)
    # as "low <= down or high >= up": a long's stop and target, a short's target and stop
    down = np.where(
        long, np.where(has_stop, stops, _BELOW_ANY), np.where(has_target, targets, _BELOW_ANY)
    )
    up = np.where(
        long, np.where(has_target, targets, _ABOVE_ANY), np.where(has_stop, stops, _ABOVE_ANY)
    )
    pending = np.flatnonzero((starts <= ends) & (has_stop | has_target))
    offset, width = 0, _FIRST_WIDTH
    last = len(highs) - 1
    while len(pending):
        first = starts[pending] + offset
        steps = np.arange(width, dtype=np.int64)
        at = first[:, None] + steps[None, :]
        inside = at <= ends[pending][:, None]
        at = np.minimum(at, last)
        reached = (lows[at] <= down[pending][:, None]) | (highs[at] >= up[pending][:, None])
        reached &= inside
        found = reached.any(axis=1)
        hits[pending[found]] = first[found] + reached[found].argmax(axis=1)
        going_on = ~found & (first + width <= ends[pending])
        pending = pending[going_on]
        offset += width
        width *= _GROWTH
    return hits


def level_floats(ticks: npt.NDArray[np.int64], places: int) -> npt.NDArray[np.float64]:
    """Each level's float: ticks / 10**places correctly rounded (both exact as doubles)."""
    if len(ticks) and int(np.abs(ticks).max()) >= _PLAIN_TICKS:
        raise FastPathUnsupportedError("a leg price of more than 15 digits")
    return ticks.astype(np.float64) / float(10**places)


_PLAIN_TICKS = 10**15


class LegExit(NamedTuple):
    """The leg that trades on a bar and its price in ticks before slippage."""

    is_stop: bool
    ticks: int
    at_open: bool  # the bar opened through the leg: the price is the open
    ambiguous: bool  # both legs reached, neither at the open: the stop-loss by the rule


def leg_exit(
    long: bool,
    stop: int,
    target: int,
    stop_level: float,
    target_level: float,
    open_: int,
    high: float,
    low: float,
) -> LegExit:
    """``fills.bracket_exit`` on a bar that reaches a leg (ticks of -1: no leg; the open and the
    levels in ticks, the high and low as floats against the levels' floats): the stop-loss is a
    stop order (the open when the bar opens at or through it), the take-profit a limit
    (likewise); when both are reached the one the bar opened through trades, else the
    stop-loss (ambiguous)."""
    stop_open = target_open = stop_reached = target_reached = False
    if long:
        if stop >= 0:
            stop_open = open_ <= stop
            stop_reached = stop_open or low <= stop_level
        if target >= 0:
            target_open = open_ >= target
            target_reached = target_open or high >= target_level
    else:
        if stop >= 0:
            stop_open = open_ >= stop
            stop_reached = stop_open or high >= stop_level
        if target >= 0:
            target_open = open_ <= target
            target_reached = target_open or low <= target_level
    if target_reached and (not stop_reached or (target_open and not stop_open)):
        return LegExit(False, open_ if target_open else target, target_open, False)
    if not stop_reached:
        raise AssertionError("no leg reached on a bar found to reach one")
    return LegExit(True, open_ if stop_open else stop, stop_open, target_reached and not stop_open)
