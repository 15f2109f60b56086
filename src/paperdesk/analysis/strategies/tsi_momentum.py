"""``tsi-momentum``: long when the TSI crosses above its signal line, short when below."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar, NamedTuple

import numpy as np
import numpy.typing as npt
import pandas as pd

from paperdesk.analysis.indicators import (
    EMA_SEEDS,
    EmaSeed,
    FloatArray,
    InsufficientHistory,
    SignArray,
    atr,
    crossing_points,
    ema,
    open_atr,
    open_ema,
    tsi,
)
from paperdesk.analysis.strategies.base import (
    LineCross,
    Strategy,
    column,
    drop_before,
    line_cross_frame,
    require_at_least,
    require_period,
)
from paperdesk.analysis.strategies.common import (
    EMA_SEED_HELP,
    MIN_BARS_HELP,
    STOP_ATR_HELP,
    TARGET_ATR_HELP,
    period_field,
    require_choice,
)
from paperdesk.analysis.strategies.incremental import (
    Bars,
    Crossing,
    IncrementalSignals,
    StepRefused,
    bar_prices,
    finite_bar,
    opening_checks,
)
from paperdesk.analysis.strategies.registry import register

__all__ = ["ATR_PERIOD", "TsiIncremental", "TsiMomentum", "TsiMomentumParameters"]

IntArray = npt.NDArray[np.intp]

ATR_PERIOD = 14
"""Period of the ATR used for stops and targets."""


@dataclass(frozen=True, slots=True)
class TsiMomentumParameters:
    """TSI smoothing periods, signal EMA period, zero-line filter and ATR stop/target."""

    long: int = field(
        default=25, metadata=period_field("first (long) smoothing period of the TSI, in bars", 1)
    )
    short: int = field(
        default=13, metadata=period_field("second (short) smoothing period of the TSI, in bars", 1)
    )
    signal: int = field(
        default=7, metadata=period_field("EMA period of the signal line, in bars", 2)
    )
    zero_line_filter: bool = field(
        default=False, metadata={"help": "only go long above zero and short below it"}
    )
    stop_atr: float = field(default=0.0, metadata=STOP_ATR_HELP)
    target_atr: float = field(default=0.0, metadata=TARGET_ATR_HELP)
    ema_seed: str = field(default="sma", metadata={**EMA_SEED_HELP, "enum": list(EMA_SEEDS)})
    min_bars: int = field(default=0, metadata=MIN_BARS_HELP)


@register
class TsiMomentum(Strategy[TsiMomentumParameters]):
    """True Strength Index crossing its EMA(``signal``) (``indicators.tsi``, ``crossing_points``).

    With ``zero_line_filter`` a long is emitted only while TSI > 0 and a short only while
    TSI < 0. Confidence = ``0.5 + 0.5 * direction * TSI / 50`` clipped to [0, 1]: a long
    with strong positive momentum (TSI >= 50) is fully confident, one at TSI = 0 is 0.5,
    and shorts mirror. Stop / target: close -/+ k * ATR(14) as in ``macd-cross``.
    ``ema_seed`` seeds the TSI's four EMAs and the signal EMA; ``min_bars`` drops the crosses
    before that row.
    """

    name: ClassVar[str] = "tsi-momentum"
    description: ClassVar[str] = (
        "Long when TSI(long, short) crosses above its EMA(signal), short when below; "
        "optional zero-line filter and ATR stop and target."
    )
    Parameters: ClassVar[type[TsiMomentumParameters]] = TsiMomentumParameters

    @classmethod
    def check_parameters(cls, params: TsiMomentumParameters) -> None:
        require_period("long", params.long, 1)
        require_period("short", params.short, 1)
        require_period("signal", params.signal, 2)
        require_at_least("stop_atr", params.stop_atr, 0.0)
        require_at_least("target_atr", params.target_atr, 0.0)
        require_choice("ema_seed", params.ema_seed, EMA_SEEDS)
        require_at_least("min_bars", params.min_bars, 0)

    @property
    def warmup(self) -> int:
        parameters = self.params
        return max(parameters.long + parameters.short + parameters.signal - 2, parameters.min_bars)

    def compute(self, bars: pd.DataFrame) -> pd.DataFrame:
        parameters = self.params
        close = column(bars, "close")
        seed = parameters.ema_seed
        index_line = tsi(close, parameters.long, parameters.short, seed)
        signal_line = ema(index_line, parameters.signal, seed)
        positions, direction = crossing_points(index_line - signal_line)
        if parameters.zero_line_filter:
            positions, direction = _above_or_below_zero(positions, direction, index_line)
        average_true_range = atr(column(bars, "high"), column(bars, "low"), close, ATR_PERIOD)
        values = TsiValues(
            index_line[positions],
            signal_line[positions],
            average_true_range[positions],
            close[positions],
        )
        return drop_before(self.rows(bars, positions, direction, values), bars, parameters.min_bars)

    def rows(
        self, bars: pd.DataFrame, positions: IntArray, direction: SignArray, values: TsiValues
    ) -> pd.DataFrame:
        """The signal rows at ``positions`` (crosses kept by the filter) of ``bars``, from the
        values there (the one construction of a row, for ``compute`` and the incremental
        form)."""
        parameters = self.params
        value_at = values.index_line
        confidence = 0.5 + 0.5 * direction * value_at / 50.0
        crossing = LineCross(
            "TSI",
            value_at,
            values.signal_line,
            values.close,
            values.average_true_range,
            parameters.stop_atr,
            parameters.target_atr,
        )
        return line_cross_frame(bars, positions, direction, confidence, crossing)

    def incremental(self, bars: pd.DataFrame) -> IncrementalSignals | None:
        """The TA-Lib seeding steps exactly (TA-Lib's EMA and ATR handles); ``ema_seed="first"``
        (pandas) has no form."""
        if self.params.ema_seed != EmaSeed.SMA or not opening_checks(bars, PRICES):
            return None
        try:
            return TsiIncremental(self, bars)
        except InsufficientHistory:
            return None


PRICES = ("high", "low", "close")


def _above_or_below_zero(
    positions: IntArray, direction: SignArray, index_line: FloatArray
) -> tuple[IntArray, SignArray]:
    """The crosses of the zero-line filter: longs above zero, shorts below."""
    at_cross = index_line[positions]
    keep = ((direction > 0) & (at_cross > 0.0)) | ((direction < 0) & (at_cross < 0.0))
    return positions[keep], direction[keep]


class TsiValues(NamedTuple):
    """The values a tsi-momentum row is built from, one per row."""

    index_line: FloatArray
    signal_line: FloatArray
    average_true_range: FloatArray
    close: FloatArray


class TsiIncremental(IncrementalSignals):
    """tsi-momentum one bar at a time: the TSI's four EMAs, the signal EMA and the ATR as
    TA-Lib handles, the last close and the carried sign of TSI minus signal."""

    def __init__(self, strategy: TsiMomentum, bars: pd.DataFrame) -> None:
        parameters = strategy.params
        self.strategy = strategy
        high, low, close = column(bars, "high"), column(bars, "low"), column(bars, "close")
        difference = np.empty_like(close)  # as indicators.tsi computes it
        difference[:1] = np.nan
        np.subtract(close[1:], close[:-1], out=difference[1:])
        self.momentum, momentum = open_ema(difference, parameters.long)
        self.smoothed, numerator = open_ema(momentum, parameters.short)
        self.size, size = open_ema(np.abs(difference), parameters.long)
        self.smoothed_size, denominator = open_ema(size, parameters.short)
        with np.errstate(divide="ignore", invalid="ignore"):
            index_line = 100.0 * numerator / denominator
        index_line[denominator == 0.0] = np.nan
        defined = np.flatnonzero(~np.isnan(index_line))
        if defined.shape[0] == 0 or not np.isfinite(index_line[defined[0] :]).all():
            # a NaN after the first value: TA-Lib's EMA carries it, a handle refuses it
            raise InsufficientHistory("the TSI is undefined after its first value")
        self.signal, signal_line = open_ema(index_line, parameters.signal)
        self.range, _ = open_atr(high, low, close, ATR_PERIOD)
        self.crossing = Crossing(index_line - signal_line)
        self.close = float(close[-1])

    def step(self, bars: Bars, index: int) -> pd.DataFrame | None:
        high, low, close = bar_prices(bars, index)
        difference = np.float64(close) - np.float64(self.close)
        numerator = np.float64(self.smoothed.update(self.momentum.update(float(difference))))
        denominator = self.smoothed_size.update(self.size.update(float(np.abs(difference))))
        if denominator == 0.0:
            raise StepRefused("the TSI is undefined (a flat price from its start)")
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            index_line = float(100.0 * numerator / np.float64(denominator))
        finite_bar(index_line)
        signal_line = self.signal.update(index_line)
        average_true_range = self.range.update(high, low, close)
        self.close = close
        crossed = self.crossing.step(index_line - signal_line)
        if crossed == 0 or index < self.strategy.params.min_bars:
            return None
        positions = np.array([0], dtype=np.intp)
        direction = np.array([crossed], dtype=np.int8)
        values = TsiValues(
            *(np.array([value]) for value in (index_line, signal_line, average_true_range, close))
        )
        if self.strategy.params.zero_line_filter:
            positions, direction = _above_or_below_zero(positions, direction, values.index_line)
            if positions.shape[0] == 0:
                return None
        return self.strategy.rows(bars.frame.iloc[index:], positions, direction, values)
