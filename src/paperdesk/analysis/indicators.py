"""Thin, documented wrappers around TA-Lib: float64 numpy in, float64 numpy out.

Every function takes one-dimensional float64 arrays (anything ``numpy.asarray`` accepts,
including a pandas Series) and returns arrays of the same length, with NaN during the
warm-up. Every output value at row ``t`` depends on input rows ``<= t`` only (causal), and
the prefix of an output does not change when more rows are appended.

Seeding conventions (verified against public reference values in the unit tests):

* ``sma`` is the plain mean of the last ``period`` values (TA-Lib keeps a running sum; it
  equals ``pandas.Series.rolling(period).mean()`` to ~1e-14 relative on the bundled data).
* ``ema`` uses ``alpha = 2 / (period + 1)`` and is SEEDED WITH THE SMA of its first
  ``period`` inputs, so the first value is at row ``period - 1``. This is TA-Lib's default
  (``talib.set_unstable_period`` left at 0) and the convention of backtrader and Lean; it
  reproduces backtrader's EMA(30) test values and Lean's ``spy_ema.csv`` exactly. With
  ``seed="first"`` the recursion starts from the first (non-NaN) input instead, as the ``ta``
  library and ``pandas.Series.ewm(span=period, adjust=False)`` do; the first ``period - 1``
  values are still NaN (the ta library's ``min_periods=period``), so both seedings give their
  first value at the same row. The two conventions converge only after many bars (on the
  StockCharts MACD worksheet they still differ by ~1e-4 after 124 bars).
* ``rsi`` is Wilder's RSI: average gain / loss seeded with the simple mean of the first
  ``period`` changes, then smoothed with ``alpha = 1 / period``; the first value is at row
  ``period``. This is StockCharts' worksheet and backtrader's RSI.
* ``macd`` is deliberately NOT ``talib.MACD``: TA-Lib seeds the fast EMA over a window aligned
  with the slow one, which differs from backtrader. paperdesk computes
  ``macd_line = EMA(close, fast) - EMA(close, slow)`` (each EMA seeded with the SMA of its own
  first inputs) and ``signal = EMA(macd_line, signal)``; TA-Lib's wrapper skips the leading
  NaNs of ``macd_line``, so the signal is seeded with the SMA of the first ``signal`` MACD
  values (backtrader's ``MACDHisto``). First MACD value at row ``slow - 1``, first signal at
  row ``slow + signal - 2``. ``seed`` applies to all three EMAs: with ``seed="first"`` the
  MACD line starts from the first close and the signal from the first MACD value (row
  ``slow - 1``), which is the ``ta`` library's ``MACD`` exactly.
* ``tsi`` (True Strength Index, absent from TA-Lib) is composed from ``ema``:
  ``100 * EMA_short(EMA_long(diff)) / EMA_short(EMA_long(|diff|))`` with
  ``diff[t] = close[t] - close[t-1]``; the leading NaN of ``diff`` is skipped, so the first
  value is at row ``long + short - 1``. A zero denominator (a flat price) gives NaN. ``seed``
  applies to the four EMAs (``seed="first"``: the ``ta`` library's ``TSIIndicator``).
* ``atr`` is Wilder's average true range (TA-Lib): seeded with the simple mean of the first
  ``period`` true ranges starting at row 1; the first value is at row ``period``.

TA-Lib propagates a NaN in the MIDDLE of an input to every later output of the recursive
indicators (EMA, RSI, ATR); callers must pass gap-free data.

Carried forward one bar at a time (``open_ema``, ``open_rsi``, ``open_atr``): TA-Lib's own
streaming handles (``talib.stream``, TA-Lib C 0.8.1 and the Python wrapper 0.8.2), opened on a
history; each ``update`` with the next bar gives the value the functions above give at that
bar, to the last bit (TA-Lib steps the same recurrence in the same C code). Only the TA-Lib
conventions stream: ``ema`` with ``seed="first"`` (pandas) has no handle.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
import talib
from talib import stream

from paperdesk.domain.errors import InvalidInputError

FloatArray = npt.NDArray[np.float64]
SignArray = npt.NDArray[np.int8]

__all__ = [
    "EmaSeed",
    "FloatArray",
    "InsufficientHistory",
    "SignArray",
    "atr",
    "crossing_points",
    "crossings",
    "ema",
    "macd",
    "open_atr",
    "open_ema",
    "open_rsi",
    "rsi",
    "sma",
    "tsi",
]


class EmaSeed(StrEnum):
    """How an exponential moving average starts (see the module docstring)."""

    SMA = "sma"  # TA-Lib, backtrader, Lean: the first value is the SMA of the first inputs
    FIRST = "first"  # pandas ewm(adjust=False), the ta library: start from the first input


EMA_SEEDS: tuple[str, ...] = tuple(seed.value for seed in EmaSeed)


def ema_seed(value: object, label: str = "ema seed") -> EmaSeed:
    """``value`` as an ``EmaSeed``; ``InvalidInputError`` naming ``label`` and the allowed
    values otherwise."""
    if isinstance(value, EmaSeed):
        return value
    try:
        return EmaSeed(value.strip().lower() if isinstance(value, str) else str(value))
    except ValueError:
        allowed = ", ".join(EMA_SEEDS)
        raise InvalidInputError(f"{label} must be one of {allowed}, got {value!r}") from None


def _as_float(values: Any, label: str = "values") -> FloatArray:
    array = np.ascontiguousarray(values, dtype=np.float64)
    if array.ndim != 1:
        raise InvalidInputError(f"{label} must be one-dimensional, got shape {array.shape}")
    return array


def _check_period(label: str, period: int, minimum: int) -> None:
    if isinstance(period, bool) or not isinstance(period, int | np.integer):
        raise InvalidInputError(f"{label} must be an integer, got {period!r}")
    if period < minimum:
        raise InvalidInputError(f"{label} must be at least {minimum}, got {period}")


def sma(close: Any, period: int) -> FloatArray:
    """Simple moving average of the last ``period`` values; first value at row ``period-1``."""
    _check_period("sma period", period, 1)
    return np.asarray(talib.SMA(_as_float(close, "close"), timeperiod=period), dtype=np.float64)


def ema(close: Any, period: int, seed: EmaSeed | str = EmaSeed.SMA) -> FloatArray:
    """Exponential moving average, alpha 2/(period+1); first value at row ``period - 1``.

    ``seed="sma"`` (the default, TA-Lib): the value at row ``period - 1`` is the SMA of the
    first ``period`` inputs. ``seed="first"``: the recursion starts from the first input
    (``pandas.Series.ewm(span=period, adjust=False, min_periods=period)``, the ta library).
    Leading NaNs of the input are skipped either way (the seed is taken from the first
    non-NaN values), which is what lets EMAs be chained.
    """
    _check_period("ema period", period, 1)
    values = _as_float(close, "close")
    if ema_seed(seed) is EmaSeed.SMA:
        return np.asarray(talib.EMA(values, timeperiod=period), dtype=np.float64)
    smoothed = pd.Series(values).ewm(span=period, adjust=False, min_periods=period).mean()
    return np.asarray(smoothed.to_numpy(dtype=np.float64), dtype=np.float64)


def rsi(close: Any, period: int = 14) -> FloatArray:
    """Wilder's RSI in [0, 100] (SMA-seeded averages); first value at row ``period``."""
    _check_period("rsi period", period, 2)
    return np.asarray(talib.RSI(_as_float(close, "close"), timeperiod=period), dtype=np.float64)


def macd(
    close: Any,
    fast: int = 12,
    slow: int = 26,
    signal: int = 9,
    seed: EmaSeed | str = EmaSeed.SMA,
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """MACD line, signal line and histogram (backtrader convention with ``seed="sma"``, the ta
    library's with ``seed="first"``; see the module docstring)."""
    _check_period("macd fast", fast, 1)
    _check_period("macd slow", slow, 2)
    _check_period("macd signal", signal, 1)
    if fast >= slow:
        raise InvalidInputError(f"macd fast ({fast}) must be smaller than slow ({slow})")
    seeding = ema_seed(seed)
    prices = _as_float(close, "close")
    line = ema(prices, fast, seeding) - ema(prices, slow, seeding)
    signal_line = ema(line, signal, seeding)
    return line, signal_line, line - signal_line


def tsi(
    close: Any, long: int = 25, short: int = 13, seed: EmaSeed | str = EmaSeed.SMA
) -> FloatArray:
    """True Strength Index in [-100, 100], double-smoothed momentum; first value at row
    ``long + short - 1``."""
    _check_period("tsi long", long, 1)
    _check_period("tsi short", short, 1)
    seeding = ema_seed(seed)
    prices = _as_float(close, "close")
    difference = np.empty_like(prices)
    difference[:1] = np.nan
    np.subtract(prices[1:], prices[:-1], out=difference[1:])
    numerator = ema(ema(difference, long, seeding), short, seeding)
    denominator = ema(ema(np.abs(difference), long, seeding), short, seeding)
    with np.errstate(divide="ignore", invalid="ignore"):
        result = 100.0 * numerator / denominator
    result[denominator == 0.0] = np.nan
    return result


def atr(high: Any, low: Any, close: Any, period: int = 14) -> FloatArray:
    """Wilder's average true range; first value at row ``period``."""
    _check_period("atr period", period, 1)
    highs = _as_float(high, "high")
    lows = _as_float(low, "low")
    closes = _as_float(close, "close")
    if not highs.shape == lows.shape == closes.shape:
        raise InvalidInputError(
            f"high, low and close must have the same length, got "
            f"{highs.shape[0]}, {lows.shape[0]} and {closes.shape[0]}"
        )
    return np.asarray(talib.ATR(highs, lows, closes, timeperiod=period), dtype=np.float64)


def crossing_points(difference: Any) -> tuple[npt.NDArray[np.intp], SignArray]:
    """Rows where ``difference`` (e.g. fast line minus slow line) crosses zero, and the sign.

    Returns ``(positions, directions)``: ascending row numbers and +1 (up-cross) / -1
    (down-cross). backtrader's ``CrossOver`` semantics: the last NON-ZERO sign is carried
    forward (an exact zero or a NaN does not reset it); an up-cross at ``t`` is
    ``difference[t] > 0`` while the carried sign before ``t`` is negative, a down-cross the
    mirror. So touching zero and turning back is no cross, and crossing through an exact
    zero is one cross (at the first bar on the other side). The first bar with a defined
    non-zero difference is never a cross. When no difference is exactly zero this equals
    the strict test ``d[t-1] < 0 and d[t] > 0`` (backtesting.py's ``crossover``).
    """
    values = _as_float(difference, "difference")
    count = values.shape[0]
    positive = values > 0.0
    defined = values < 0.0
    defined |= positive  # NaN and exact zero are neither
    first = int(defined.argmax()) if count else 0
    if count == 0 or not defined[first]:
        return np.empty(0, dtype=np.intp), np.empty(0, dtype=np.int8)
    # a cross is a defined value on the other side from the last defined one before it: its
    # neighbour, where that is defined (a change of side there), else the one before the run
    # of zeros and NaNs (looked up for those few rows below); one scan of the whole history
    candidates = positive[1:] != positive[:-1]
    candidates |= ~defined[:-1]
    candidates &= defined[1:]
    positions = np.flatnonzero(candidates) + 1
    after_gap = np.flatnonzero(~defined[positions - 1])
    if after_gap.size:
        rows = positions[after_gap]
        before = _last_defined_before(defined, rows, first)
        crossed = (before >= 0) & (positive[rows] != positive[np.maximum(before, 0)])
        keep = np.ones(positions.shape[0], dtype=bool)
        keep[after_gap] = crossed
        positions = positions[keep]
    directions = np.where(positive[positions], 1, -1).astype(np.int8)
    return positions, directions


def _last_defined_before(
    defined: npt.NDArray[np.bool_], rows: npt.NDArray[np.intp], first: int
) -> npt.NDArray[np.intp]:
    """For each of ``rows`` (each after an undefined one), the last defined row before it, -1
    if none (none is before ``first``, the first defined row): a few steps back for short runs
    of zeros and NaNs, else by a binary search among all the defined rows."""
    before = rows - 1  # undefined
    before[before < first] = -1
    for _ in range(4):
        searching = np.flatnonzero(before >= 0)
        searching = searching[~defined[before[searching]]]
        if not searching.size:
            return before
        before[searching] -= 1
    searching = np.flatnonzero((before >= 0) & ~defined[np.maximum(before, 0)])
    if searching.size:
        known = np.flatnonzero(defined)
        found = np.searchsorted(known, before[searching], side="right") - 1
        before[searching] = np.where(found >= 0, known[np.maximum(found, 0)], -1)
    return before


def crossings(difference: Any) -> SignArray:
    """Dense form of ``crossing_points``: +1 at up-crosses, -1 at down-crosses, else 0."""
    values = _as_float(difference, "difference")
    positions, directions = crossing_points(values)
    result = np.zeros(values.shape[0], dtype=np.int8)
    result[positions] = directions
    return result


InsufficientHistory: type[Exception] = talib.InsufficientHistory  # type: ignore[attr-defined]
"""Raised by ``open_*`` when the history is too short for the indicator's first value. A
handle's ``update`` raises (and changes nothing) on a non-finite input."""


def open_ema(values: Any, period: int) -> tuple[stream.EMA, FloatArray]:
    """A handle of ``ema(values, period)`` (the TA-Lib seeding) after the last value, and that
    EMA over ``values`` (one pass; leading NaNs skipped as ``ema`` skips them)."""
    _check_period("ema period", period, 1)
    handle, output = stream.EMA.open_and_fill(_as_float(values), timeperiod=period)
    return handle, np.asarray(output, dtype=np.float64)


def open_rsi(close: Any, period: int = 14) -> tuple[stream.RSI, FloatArray]:
    """A handle of ``rsi(close, period)`` after the last close, and that RSI over ``close``."""
    _check_period("rsi period", period, 2)
    handle, output = stream.RSI.open_and_fill(_as_float(close, "close"), timeperiod=period)
    return handle, np.asarray(output, dtype=np.float64)


def open_atr(high: Any, low: Any, close: Any, period: int = 14) -> tuple[stream.ATR, FloatArray]:
    """A handle of ``atr(high, low, close, period)`` after the last bar (``update(high, low,
    close)``), and that ATR over the bars."""
    _check_period("atr period", period, 1)
    handle, output = stream.ATR.open_and_fill(
        _as_float(high, "high"), _as_float(low, "low"), _as_float(close, "close"), timeperiod=period
    )
    return handle, np.asarray(output, dtype=np.float64)
