"""``rsi-divergence``: price makes a lower low while RSI makes a higher low (and mirrored)."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from typing import ClassVar, NamedTuple

import numpy as np
import numpy.typing as npt
import pandas as pd
from numpy.lib.stride_tricks import sliding_window_view

from paperdesk.analysis.indicators import (
    FloatArray,
    InsufficientHistory,
    atr,
    open_atr,
    open_rsi,
    rsi,
)
from paperdesk.analysis.strategies.base import (
    Strategy,
    atr_levels,
    column,
    drop_before,
    make_signal_frame,
    require_at_least,
    require_period,
)
from paperdesk.analysis.strategies.common import (
    MIN_BARS_HELP,
    STOP_ATR_HELP,
    TARGET_ATR_HELP,
    period_field,
)
from paperdesk.analysis.strategies.incremental import (
    Bars,
    IncrementalSignals,
    bar_prices,
    opening_checks,
)
from paperdesk.analysis.strategies.reasons import compose, words
from paperdesk.analysis.strategies.registry import register

__all__ = [
    "ATR_PERIOD",
    "FULL_CONFIDENCE_DIVERGENCE",
    "DivergenceIncremental",
    "RsiDivergence",
    "RsiDivergenceParameters",
    "pivot_highs",
    "pivot_lows",
]

ATR_PERIOD = 14
"""Period of the ATR used for ATR stops and targets."""

FULL_CONFIDENCE_DIVERGENCE = 20.0
"""RSI points between the two pivots that earn full confidence."""

IntArray = npt.NDArray[np.intp]


@dataclass(frozen=True, slots=True)
class RsiDivergenceParameters:
    """RSI period, pivot half-width, max bars between pivots, ATR stop / target multiples."""

    period: int = field(default=14, metadata=period_field("RSI period (Wilder), in bars", 2))
    pivot_width: int = field(
        default=3, metadata=period_field("bars on each side that confirm a pivot", 1)
    )
    lookback: int = field(  # at least pivot_width + 1: the lowest bound with the smallest width
        default=60,
        metadata=period_field("most bars between the two pivots compared", 2),
    )
    stop_atr: float = field(default=0.0, metadata=STOP_ATR_HELP)
    target_atr: float = field(default=0.0, metadata=TARGET_ATR_HELP)
    min_bars: int = field(default=0, metadata=MIN_BARS_HELP)


def _pivot_lows(values: npt.NDArray[np.float64], width: int) -> IntArray:
    """Rows ``p`` whose value is strictly below the ``width`` values on each side (a pivot
    is only known at row ``p + width``). NaN values are never pivots and block neighbours."""
    count = values.shape[0]
    if count < 2 * width + 1:
        return np.empty(0, dtype=np.intp)
    # nearest[i] = min(values[i : i + width]); the left side of p is nearest[p - width] and
    # the right side nearest[p + 1], for p in [width, count - width - 1].
    nearest = sliding_window_view(values, width).min(axis=1)
    centre = values[width : count - width]
    mask = (centre < nearest[: count - 2 * width]) & (centre < nearest[width + 1 :])
    return np.flatnonzero(mask) + width


def pivot_lows(low: npt.ArrayLike, width: int) -> IntArray:
    """Pivot-low rows: ``width`` bars on each side have strictly higher lows."""
    return _pivot_lows(np.asarray(low, dtype=np.float64), width)


def pivot_highs(high: npt.ArrayLike, width: int) -> IntArray:
    """Pivot-high rows: ``width`` bars on each side have strictly lower highs."""
    return _pivot_lows(-np.asarray(high, dtype=np.float64), width)


def _divergent_pairs(
    pivots: IntArray,
    prices: npt.NDArray[np.float64],
    strength: npt.NDArray[np.float64],
    lookback: int,
    sign: int,
) -> tuple[IntArray, IntArray]:
    """Consecutive pivot pairs (p1, p2) with ``p2 - p1 <= lookback`` where price moves
    against ``sign`` (lower low for sign 1) while RSI moves with it (higher low)."""
    first, second = pivots[:-1], pivots[1:]
    price_change = prices[second] - prices[first]
    rsi_change = strength[second] - strength[first]
    keep = (
        (second - first <= lookback)
        & (sign * price_change < 0.0)
        & (sign * rsi_change > 0.0)  # NaN RSI (warm-up) compares False
    )
    return first[keep], second[keep]


@register
class RsiDivergence(Strategy[RsiDivergenceParameters]):
    """Regular RSI divergence between two consecutive confirmed pivots.

    Bullish: consecutive pivot lows ``p1 < p2`` (``p2 - p1 <= lookback``) with
    ``low[p2] < low[p1]`` and ``RSI[p2] > RSI[p1]`` give a long at ``p2 + pivot_width``, the
    bar where the second pivot is confirmed; default stop = ``low[p2]``. Bearish mirrored on
    pivot highs (short, stop = ``high[p2]``). With ``stop_atr`` > 0 the stop is
    close -/+ ``stop_atr`` * ATR(14) instead; ``target_atr`` > 0 sets close +/- k * ATR(14).
    Confidence = ``|RSI[p2] - RSI[p1]| / FULL_CONFIDENCE_DIVERGENCE`` clipped to [0, 1].
    If a bullish and a bearish divergence are confirmed at the same bar they cancel out.
    Pivots are found with vectorised window minima; pairing is vectorised too (O(n)).
    """

    name: ClassVar[str] = "rsi-divergence"
    description: ClassVar[str] = (
        "Long on a bullish RSI divergence (price lower low, RSI higher low), short on a "
        "bearish one, when the second pivot is confirmed."
    )
    Parameters: ClassVar[type[RsiDivergenceParameters]] = RsiDivergenceParameters

    @classmethod
    def check_parameters(cls, params: RsiDivergenceParameters) -> None:
        require_period("period", params.period, 2)
        require_period("pivot_width", params.pivot_width, 1)
        require_period("lookback", params.lookback, params.pivot_width + 1)
        require_at_least("stop_atr", params.stop_atr, 0.0)
        require_at_least("target_atr", params.target_atr, 0.0)
        require_at_least("min_bars", params.min_bars, 0)

    @property
    def warmup(self) -> int:
        width = self.params.pivot_width
        return max(max(self.params.period, width) + 2 * width + 1, self.params.min_bars)

    def compute(self, bars: pd.DataFrame) -> pd.DataFrame:
        parameters = self.params
        width = parameters.pivot_width
        high, low, close = column(bars, "high"), column(bars, "low"), column(bars, "close")
        strength = rsi(close, parameters.period)

        bull_first, bull_second = _divergent_pairs(
            pivot_lows(low, width), low, strength, parameters.lookback, 1
        )
        bear_first, bear_second = _divergent_pairs(
            pivot_highs(high, width), high, strength, parameters.lookback, -1
        )
        first = np.concatenate([bull_first, bear_first])
        second = np.concatenate([bull_second, bear_second])
        direction = np.concatenate(
            [np.ones(bull_first.shape[0], np.int8), -np.ones(bear_first.shape[0], np.int8)]
        )
        positions = second + width
        order = np.argsort(positions, kind="stable")
        first, second, direction, positions = (
            first[order],
            second[order],
            direction[order],
            positions[order],
        )
        unique_positions, counts = np.unique(positions, return_counts=True)
        conflicted = np.isin(positions, unique_positions[counts > 1])
        first, second, direction, positions = (
            first[~conflicted],
            second[~conflicted],
            direction[~conflicted],
            positions[~conflicted],
        )

        values = DivergenceValues(
            strength[first],
            strength[second],
            np.where(direction > 0, low[first], high[first]),
            np.where(direction > 0, low[second], high[second]),
            close[positions],
            atr(high, low, close, ATR_PERIOD)[positions],
            _minutes(bars.index[first]),
            _minutes(bars.index[second]),
        )
        frame = self.rows(bars, positions, direction, values)
        return drop_before(frame, bars, parameters.min_bars)

    def rows(
        self,
        bars: pd.DataFrame,
        positions: IntArray,
        direction: npt.NDArray[np.int8],
        values: DivergenceValues,
    ) -> pd.DataFrame:
        """The signal rows at ``positions`` (where a divergence is confirmed) of ``bars``, from
        the values of the pivot pairs (the one construction of a row, for ``compute`` and the
        incremental form)."""
        parameters = self.params
        divergence = np.abs(values.strength_second - values.strength_first)
        confidence = divergence / FULL_CONFIDENCE_DIVERGENCE
        close_at, range_at = values.close, values.average_true_range
        pivot_price = values.price_second
        stop = atr_levels(close_at, range_at, direction, parameters.stop_atr, -1)
        if stop is None:
            stop = pivot_price
        target = atr_levels(close_at, range_at, direction, parameters.target_atr, 1)
        reasons = compose(
            words(direction, "bullish", "bearish"),
            " RSI divergence: ",
            words(direction, "low", "high"),
            " ",
            pivot_price,
            " at ",
            values.label_second,
            words(direction, " below ", " above "),
            values.price_first,
            " at ",
            values.label_first,
            " while RSI ",
            words(direction, "rose", "fell"),
            " ",
            np.round(values.strength_first, 2),
            " -> ",
            np.round(values.strength_second, 2),
        )
        return make_signal_frame(
            bars,
            positions,
            direction,
            confidence=confidence,
            stop=stop,
            target=target,
            reason=reasons,
        )

    def incremental(self, bars: pd.DataFrame) -> IncrementalSignals | None:
        """TA-Lib's RSI and ATR handles, the latest RSI values and the last pivot of each
        side."""
        if not opening_checks(bars, PRICES) or len(bars) < 2 * self.params.pivot_width + 1:
            return None
        try:
            return DivergenceIncremental(self, bars)
        except InsufficientHistory:
            return None


PRICES = ("high", "low", "close")


def _minutes(labels: pd.Index) -> npt.NDArray[np.str_]:
    """Bar labels as UTC minutes (``2024-01-02T15:30``), for the reasons."""
    utc = pd.DatetimeIndex(labels).tz_convert("UTC").tz_localize(None).to_numpy()
    return np.datetime_as_string(utc, unit="m")


class DivergenceValues(NamedTuple):
    """The values an rsi-divergence row is built from, one per row (first: the earlier pivot
    of the pair, second: the later one)."""

    strength_first: FloatArray
    strength_second: FloatArray
    price_first: FloatArray
    price_second: FloatArray
    close: FloatArray
    average_true_range: FloatArray
    label_first: npt.NDArray[np.str_]
    label_second: npt.NDArray[np.str_]


class Pivot(NamedTuple):
    row: int
    price: float
    strength: float


class DivergenceIncremental(IncrementalSignals):
    """rsi-divergence one bar at a time: the RSI and ATR handles, the RSI of the last
    ``pivot_width + 1`` bars (a pivot is confirmed ``pivot_width`` bars after it), and the last
    confirmed pivot low and high (the earlier pivot of the next pair)."""

    def __init__(self, strategy: RsiDivergence, bars: pd.DataFrame) -> None:
        parameters = strategy.params
        width = parameters.pivot_width
        self.strategy = strategy
        high, low, close = column(bars, "high"), column(bars, "low"), column(bars, "close")
        self.strength, strength = open_rsi(close, parameters.period)
        self.range, _ = open_atr(high, low, close, ATR_PERIOD)
        self.recent: deque[float] = deque(strength[-(width + 1) :].tolist(), maxlen=width + 1)
        self.low_pivot = _last_pivot(pivot_lows(low, width), low, strength)
        self.high_pivot = _last_pivot(pivot_highs(high, width), high, strength)

    def step(self, bars: Bars, index: int) -> pd.DataFrame | None:
        high, low, close = bar_prices(bars, index)
        parameters = self.strategy.params
        width = parameters.pivot_width
        self.recent.append(self.strength.update(close))
        average_true_range = self.range.update(high, low, close)
        second = index - width  # the bar a pivot is confirmed for now
        strength = self.recent[0]
        lows = bars.column("low")[second - width : index + 1]
        highs = bars.column("high")[second - width : index + 1]
        bullish = _paired(self.low_pivot, second, lows, width, strength, parameters.lookback, 1)
        bearish = _paired(self.high_pivot, second, -highs, width, strength, parameters.lookback, -1)
        if _is_pivot(lows, width):
            self.low_pivot = Pivot(second, float(lows[width]), strength)
        if _is_pivot(-highs, width):
            self.high_pivot = Pivot(second, float(highs[width]), strength)
        if (bullish is None) == (bearish is None) or index < parameters.min_bars:
            return None  # no divergence, or one of each cancelling out
        first, direction = (bullish, 1) if bullish is not None else (bearish, -1)
        assert first is not None
        price_second = lows[width] if direction > 0 else highs[width]
        values = DivergenceValues(
            np.array([first.strength]),
            np.array([strength]),
            np.array([first.price]),
            np.array([price_second]),
            np.array([close]),
            np.array([average_true_range]),
            _minutes(bars.frame.index[[first.row]]),
            _minutes(bars.frame.index[[second]]),
        )
        return self.strategy.rows(
            bars.frame.iloc[index:],
            np.array([0], dtype=np.intp),
            np.array([direction], dtype=np.int8),
            values,
        )


def _last_pivot(pivots: IntArray, prices: FloatArray, strength: FloatArray) -> Pivot | None:
    if pivots.shape[0] == 0:
        return None
    row = int(pivots[-1])
    return Pivot(row, float(prices[row]), float(strength[row]))


def _is_pivot(values: FloatArray, width: int) -> bool:
    """Whether the middle of ``2 * width + 1`` values is a pivot low (as ``_pivot_lows``)."""
    if values.shape[0] != 2 * width + 1:
        return False
    centre = values[width]
    return bool(centre < values[:width].min() and centre < values[width + 1 :].min())


def _paired(
    previous: Pivot | None,
    second: int,
    values: FloatArray,
    width: int,
    strength: float,
    lookback: int,
    sign: int,
) -> Pivot | None:
    """The earlier pivot when the middle of ``values`` (prices, negated highs for ``sign``
    -1) is a pivot making a divergent pair with it (as ``_divergent_pairs``), else None."""
    if previous is None or not _is_pivot(values, width):
        return None
    price_change = np.float64(sign * values[width]) - np.float64(previous.price)
    rsi_change = np.float64(strength) - np.float64(previous.strength)
    divergent = (
        second - previous.row <= lookback
        and sign * price_change < 0.0
        and sign * rsi_change > 0.0  # NaN RSI (warm-up) compares False
    )
    return previous if divergent else None
