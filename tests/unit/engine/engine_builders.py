"""Builders for engine tests: hand-made bar frames and a strategy that emits scripted signals."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from decimal import Decimal
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

    @property
    def warmup(self) -> int:
        return 0

    def compute(self, bars: pd.DataFrame) -> pd.DataFrame:
        rows = np.array(sorted(r for r in self.script if r < len(bars)), dtype=np.intp)
        values = [self.script[int(r)] for r in rows]
        return make_signal_frame(
            bars,
            rows,
            [v[0] for v in values],
            stop=[v[1] for v in values],
            target=[v[2] for v in values],
            reason=[f"scripted {v[0]}" for v in values],
        )


def make_bars(
    rows: Sequence[tuple[float, float, float, float]],
    *,
    volume: float = 1000.0,
    start: str = "2024-01-02 14:00",
    freq: str = "1h",
) -> pd.DataFrame:
    """Bars from (open, high, low, close) tuples, one ``freq`` apart, visible at their close."""
    index = pd.date_range(start, periods=len(rows), freq=freq, tz="UTC", name="ts")
    frame = pd.DataFrame(
        rows, columns=["open", "high", "low", "close"], index=index, dtype=np.float64
    )
    frame["volume"] = volume
    frame["ts_close"] = index + pd.Timedelta(freq)
    frame.attrs.update(symbol="TEST", timeframe=freq.replace("min", "m"))
    return frame


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
