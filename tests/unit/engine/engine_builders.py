"""Builders for engine tests: hand-made bar frames and a strategy that emits scripted signals."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from decimal import Decimal
from functools import lru_cache
from typing import Any, ClassVar

import numpy as np
import pandas as pd

from paperdesk.analysis.strategies.base import NoParameters, Strategy, make_signal_frame
from paperdesk.config import ExecutionConfig, RiskConfig, RunConfig, SizingConfig

ScriptRow = tuple[int, float, float]  # direction, stop, target (NaN for none)


class Scripted(Strategy[NoParameters]):
    """Emits exactly the signals it is given, at the given row numbers (not registered)."""

    name: ClassVar[str] = "scripted"
    description: ClassVar[str] = "test strategy"
    # causal by construction (a row's signal is the script's, whatever bars follow it), so the
    # backtest's look-ahead check, which recomputes the signals on up to 8 cuts of the history,
    # is skipped: it was most of the engine-equivalence tests' time; the check has tests of
    # its own (``test_backtest_lookahead.py``, which also checks a scripted strategy)
    check_look_ahead: ClassVar[bool] = False

    def __init__(self, script: Mapping[int, ScriptRow | int]) -> None:
        super().__init__()
        self.script = {
            row: (v, np.nan, np.nan) if isinstance(v, int) else v for row, v in script.items()
        }
        # the last bars this strategy computed on and their signal frame: a property test asks
        # for the same bars' signals three or four times (its eligibility check, then each
        # engine), and the frame depends only on the script and the bars' index
        self._computed: tuple[pd.DataFrame, pd.Index, pd.DataFrame] | None = None

    @property
    def warmup(self) -> int:
        return 0

    def compute(self, bars: pd.DataFrame) -> pd.DataFrame:
        """The script's rows of ``bars``; a copy of the frame made last time when ``bars`` is
        the same frame with the same index (each caller gets a frame of its own)."""
        computed = self._computed
        if computed is not None and computed[0] is bars and computed[1] is bars.index:
            return computed[2].copy()
        rows = np.array(sorted(r for r in self.script if r < len(bars)), dtype=np.intp)
        values = [self.script[int(r)] for r in rows]
        frame = make_signal_frame(
            bars,
            rows,
            [v[0] for v in values],
            stop=[v[1] for v in values],
            target=[v[2] for v in values],
            reason=[f"scripted {v[0]}" for v in values],
        )
        self._computed = (bars, bars.index, frame)
        return frame.copy()


def make_bars(
    rows: Sequence[tuple[float, float, float, float]],
    *,
    volume: float = 1000.0,
    start: str = "2024-01-02 14:00",
    freq: str = "1h",
) -> pd.DataFrame:
    """Bars from (open, high, low, close) tuples, one ``freq`` apart, visible at their close.
    (Built column by column on stamps made once per length: the property tests make thousands
    of frames, and the row-wise constructor and the date range were most of that.)"""
    index, closes = _stamps(start, len(rows), freq)
    prices = np.array(rows, dtype=np.float64).reshape(len(rows), 4)
    columns = {name: prices[:, number] for number, name in enumerate(_PRICE_COLUMNS)}
    frame = pd.DataFrame(
        {**columns, "volume": np.full(len(rows), volume, dtype=np.float64), "ts_close": closes},
        # a view of its own: the stamps are shared, but an index's name and freq can be set
        # in place, which must not reach the next frame of this length
        index=index.view(),
    )
    frame.attrs.update(symbol="TEST", timeframe=freq.replace("min", "m"))
    return frame


_PRICE_COLUMNS = ("open", "high", "low", "close")


@lru_cache(maxsize=512)
def _stamps(start: str, periods: int, freq: str) -> tuple[pd.DatetimeIndex, pd.DatetimeIndex]:
    """``periods`` bar opens from ``start``, ``freq`` apart, and their closes (their values are
    immutable, so frames share them; each frame gets a view of the index, see ``make_bars``)."""
    index = pd.date_range(start, periods=periods, freq=freq, tz="UTC", name="ts")
    return index, index + pd.Timedelta(freq)


def make_config(**overrides: Any) -> RunConfig:
    """A plain run: 10,000 cash, 10 units per entry, no costs, no exposure cap."""
    sizing = overrides.pop("sizing", SizingConfig(method="fixed", quantity=Decimal(10)))
    risk = overrides.pop("risk", RiskConfig(exposure_cap_percent=None))
    execution = overrides.pop(
        "execution", ExecutionConfig(slippage_bps=Decimal(0), commission="none")
    )
    return RunConfig(
        strategy="scripted",
        symbol="TEST",
        timeframe="1h",
        sizing=sizing,
        risk=risk,
        execution=execution,
        **overrides,
    )


def bracket_step(
    direction: int, stop: float, target: float, allow_short: bool
) -> tuple[int, float, float]:
    """One row of a scripted bracket strategy: an entry's stop below and target above its
    price for a long (the other way for a short), a target equal to the stop dropped (NaN)."""
    entering = direction == 1 or (direction == -1 and allow_short)
    if entering and not (math.isnan(stop) or math.isnan(target)):
        low, high = sorted((stop, target))
        stop, target = (low, high) if direction == 1 else (high, low)
        if stop == target:
            target = math.nan
    return direction, stop, target
