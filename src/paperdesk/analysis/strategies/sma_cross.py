"""``sma-cross``: long when the fast SMA crosses above the slow SMA (or stays above it, in
``level`` mode), short when below."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import ClassVar

import numpy as np
import numpy.typing as npt
import pandas as pd

from paperdesk.analysis.indicators import FloatArray, SignArray, crossing_points, sma
from paperdesk.analysis.strategies.base import (
    Strategy,
    check_bars,
    column,
    drop_before,
    empty_signal_frame,
    make_signal_frame,
    require,
    require_at_least,
    require_period,
)
from paperdesk.analysis.strategies.common import MIN_BARS_HELP, period_field, require_choice
from paperdesk.analysis.strategies.reasons import compose, words
from paperdesk.analysis.strategies.registry import register

__all__ = ["MODES", "SmaCross", "SmaCrossParameters", "level_changes"]

MODES: tuple[str, ...] = ("cross", "level")


@dataclass(frozen=True, slots=True)
class SmaCrossParameters:
    """``fast`` <= 1 compares the close itself with SMA(``slow``)."""

    fast: int = field(
        default=10, metadata=period_field("fast SMA period in bars (<= 1: the close itself)", 0)
    )
    slow: int = field(default=20, metadata=period_field("slow SMA period in bars", 2))
    mode: str = field(
        default="cross",
        metadata={
            "help": "cross: trade only the crosses; level: long from the first bar the fast "
            "line is above the slow one, short (or flat without --allow-short) when below",
            "enum": list(MODES),
        },
    )
    min_bars: int = field(default=0, metadata=MIN_BARS_HELP)


def level_changes(
    difference: npt.ArrayLike, min_bars: int = 0
) -> tuple[npt.NDArray[np.intp], SignArray]:
    """Rows where the side of ``difference`` (fast minus slow) is first known or changes, from
    row ``min_bars`` on, and that side (+1 above, -1 below).

    The side is the sign of the last non-zero, non-NaN difference (an exact zero keeps the
    side, as ``crossing_points`` does). The first row at or after ``min_bars`` with a known
    side always counts, so a level strategy enters on the first bar its condition holds, not
    only on a cross; after that the rows are the crosses.
    """
    values = np.asarray(difference, dtype=np.float64)
    sides = np.where(values > 0.0, 1.0, np.where(values < 0.0, -1.0, np.nan))
    carried = pd.Series(sides).ffill().to_numpy(dtype=np.float64, copy=True)
    carried[: max(min_bars, 0)] = np.nan
    previous = np.concatenate([[np.nan], carried[:-1]])
    changed = ~np.isnan(carried) & (carried != previous)
    rows = np.flatnonzero(changed)
    return rows, carried[rows].astype(np.int8)


@register
class SmaCross(Strategy[SmaCrossParameters]):
    """Moving-average crossover with backtrader ``CrossOver`` semantics, or its level form.

    ``d = fast_line - slow_line`` (the fast line is the close when ``fast <= 1``).

    * ``mode="cross"`` (the default): the last non-zero sign of ``d`` is carried forward, an
      up-cross (``d > 0`` after a negative carried sign) emits a long, a down-cross a short (see
      ``indicators.crossing_points``). No signal before both lines exist; the first bar where
      both exist is never a cross.
    * ``mode="level"``: the signal follows the side of ``d`` (``level_changes``): a long on the
      first bar ``d > 0`` (from the first bar both lines exist, or from ``min_bars``), a short
      on the first bar ``d < 0``, then one signal at each change of side. The router turns a
      short into "close the long" without ``--allow-short``, so level mode is long/flat by
      default and long/short with it (backtrader's and backtesting.py's long-only and
      reversing examples).

    ``min_bars`` drops every decision before that row. Confidence is always 1; no stop or target.
    """

    name: ClassVar[str] = "sma-cross"
    description: ClassVar[str] = (
        "Long when SMA(fast) crosses above SMA(slow), short when it crosses below "
        "(fast <= 1: the close against SMA(slow); mode=level: long while above, short below)."
    )
    Parameters: ClassVar[type[SmaCrossParameters]] = SmaCrossParameters

    @classmethod
    def check_parameters(cls, params: SmaCrossParameters) -> None:
        require_period("fast", params.fast, 0)
        require_period("slow", params.slow, 2)
        require(
            params.fast < params.slow,
            f"parameter 'fast' ({params.fast}) must be smaller than 'slow' ({params.slow})",
        )
        require_choice("mode", params.mode, MODES)
        require_at_least("min_bars", params.min_bars, 0)

    @property
    def warmup(self) -> int:
        first = self.params.slow - 1 if self.params.mode == "level" else self.params.slow
        return max(first, self.params.min_bars)

    def compute(self, bars: pd.DataFrame) -> pd.DataFrame:
        positions, direction, reasons = self._crossings(bars)
        frame = make_signal_frame(bars, positions, direction, reason=reasons())
        return drop_before(frame, bars, self.params.min_bars)

    def signals_reasons_later(
        self, bars: pd.DataFrame
    ) -> tuple[pd.DataFrame, Callable[[], list[str]] | None]:
        """``signals`` with the reason strings (a fifth of a 1M-bar fast-path run) made only
        when asked for: the same rows, the same strings."""
        check_bars(bars)
        if len(bars) == 0:
            return empty_signal_frame(bars.index), None
        positions, direction, reasons = self._crossings(bars)
        frame = make_signal_frame(bars, positions, direction, reason="")
        frame = drop_before(frame, bars, self.params.min_bars)
        dropped = len(positions) - len(frame)  # drop_before drops leading rows only

        def later() -> list[str]:
            return reasons()[dropped:]

        return frame, later

    def _crossings(
        self, bars: pd.DataFrame
    ) -> tuple[npt.NDArray[np.intp], SignArray, Callable[[], list[str]]]:
        """The signal rows, their directions and the function making their reason strings."""
        close = column(bars, "close")
        parameters = self.params
        fast_period, slow_period = parameters.fast, parameters.slow
        price_mode = fast_period <= 1
        fast_line: FloatArray = close if price_mode else sma(close, fast_period)
        slow_line = sma(close, slow_period)
        level = parameters.mode == "level"
        if level:
            positions, direction = level_changes(fast_line - slow_line, parameters.min_bars)
        else:
            positions, direction = crossing_points(fast_line - slow_line)
        fast_label = "close" if price_mode else f"SMA({fast_period})"
        fast_values, slow_values = fast_line[positions], slow_line[positions]

        def reasons() -> list[str]:
            return compose(
                f"{fast_label} ",
                fast_values,
                " is " if level else " crossed ",
                words(direction, "above", "below"),
                f" SMA({slow_period}) ",
                slow_values,
            )

        return positions, direction, reasons
