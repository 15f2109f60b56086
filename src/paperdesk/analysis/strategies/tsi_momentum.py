"""``tsi-momentum``: long when the TSI crosses above its signal line, short when below."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

import pandas as pd

from paperdesk.analysis.indicators import EMA_SEEDS, atr, crossing_points, ema, tsi
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
    EMA_SEED_HELP,
    MIN_BARS_HELP,
    STOP_ATR_HELP,
    TARGET_ATR_HELP,
    period_field,
    require_choice,
)
from paperdesk.analysis.strategies.reasons import compose, words
from paperdesk.analysis.strategies.registry import register

__all__ = ["ATR_PERIOD", "TsiMomentum", "TsiMomentumParameters"]

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

    @property
    def history_window(self) -> int:
        """The TSI's two EMAs and the signal line's EMA, forgotten to the last bit, and the
        ATR's Wilder average (doubled: a margin the bar-by-bar test does not need)."""
        parameters = self.params
        chain = sum(map(settling_bars, (parameters.long, parameters.short, parameters.signal)))
        return 2 * (self.warmup + max(chain, settling_bars(ATR_PERIOD, wilder=True)))

    def compute(self, bars: pd.DataFrame) -> pd.DataFrame:
        parameters = self.params
        close = column(bars, "close")
        seed = parameters.ema_seed
        index_line = tsi(close, parameters.long, parameters.short, seed)
        signal_line = ema(index_line, parameters.signal, seed)
        positions, direction = crossing_points(index_line - signal_line)
        if parameters.zero_line_filter:
            at_cross = index_line[positions]
            keep = ((direction > 0) & (at_cross > 0.0)) | ((direction < 0) & (at_cross < 0.0))
            positions, direction = positions[keep], direction[keep]
        value_at = index_line[positions]
        confidence = 0.5 + 0.5 * direction * value_at / 50.0
        range_at = atr(column(bars, "high"), column(bars, "low"), close, ATR_PERIOD)[positions]
        close_at = close[positions]
        reasons = compose(
            "TSI ",
            value_at,
            " crossed ",
            words(direction, "above", "below"),
            " signal ",
            signal_line[positions],
            significant=4,
        )
        frame = make_signal_frame(
            bars,
            positions,
            direction,
            confidence=confidence,
            stop=atr_levels(close_at, range_at, direction, parameters.stop_atr, -1),
            target=atr_levels(close_at, range_at, direction, parameters.target_atr, 1),
            reason=reasons,
        )
        return drop_before(frame, bars, parameters.min_bars)
