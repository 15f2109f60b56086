"""``rsi-divergence``: price makes a lower low while RSI makes a higher low (and mirrored)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

import numpy as np
import numpy.typing as npt
import pandas as pd
from numpy.lib.stride_tricks import sliding_window_view

from paperdesk.analysis.indicators import atr, rsi
from paperdesk.analysis.strategies.base import (
    Strategy,
    atr_levels,
    column,
    drop_before,
    make_signal_frame,
    require_at_least,
    require_period,
    settling_bars,
)
from paperdesk.analysis.strategies.common import (
    MIN_BARS_HELP,
    STOP_ATR_HELP,
    TARGET_ATR_HELP,
    period_field,
)
from paperdesk.analysis.strategies.reasons import compose, words
from paperdesk.analysis.strategies.registry import register

__all__ = [
    "ATR_PERIOD",
    "FULL_CONFIDENCE_DIVERGENCE",
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

    @property
    def history_window(self) -> int:
        """The RSI's and the ATR's Wilder averages forgotten to the last bit, and room for the
        earlier pivot of a pair (``lookback`` bars before the later one), doubled."""
        parameters = self.params
        averages = settling_bars(max(parameters.period, ATR_PERIOD), wilder=True)
        return 2 * (self.warmup + averages + parameters.lookback + 2 * parameters.pivot_width)

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

        divergence = np.abs(strength[second] - strength[first])
        confidence = divergence / FULL_CONFIDENCE_DIVERGENCE
        close_at = close[positions]
        range_at = atr(high, low, close, ATR_PERIOD)[positions]
        pivot_price = np.where(direction > 0, low[second], high[second])
        stop = atr_levels(close_at, range_at, direction, parameters.stop_atr, -1)
        if stop is None:
            stop = pivot_price
        target = atr_levels(close_at, range_at, direction, parameters.target_atr, 1)

        labels = pd.DatetimeIndex(bars.index).tz_convert("UTC").tz_localize(None).to_numpy()
        reasons = compose(
            words(direction, "bullish", "bearish"),
            " RSI divergence: ",
            words(direction, "low", "high"),
            " ",
            pivot_price,
            " at ",
            np.datetime_as_string(labels[second], unit="m"),
            words(direction, " below ", " above "),
            np.where(direction > 0, low[first], high[first]),
            " at ",
            np.datetime_as_string(labels[first], unit="m"),
            " while RSI ",
            words(direction, "rose", "fell"),
            " ",
            np.round(strength[first], 2),
            " -> ",
            np.round(strength[second], 2),
        )
        frame = make_signal_frame(
            bars,
            positions,
            direction,
            confidence=confidence,
            stop=stop,
            target=target,
            reason=reasons,
        )
        return drop_before(frame, bars, parameters.min_bars)
