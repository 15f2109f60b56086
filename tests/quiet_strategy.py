"""A strategy that never signals, loaded by path: for tests that trade by hand only."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

import pandas as pd

from paperdesk.analysis.strategies.base import NoParameters, Strategy, empty_signal_frame
from paperdesk.config import StrategySpec

QUIET_PATH = f"{Path(__file__).resolve()}:Quiet"
QUIET = {"strategies": (StrategySpec("quiet"),), "strategy_paths": (QUIET_PATH,)}


class Quiet(Strategy[NoParameters]):
    name: ClassVar[str] = "quiet"
    description: ClassVar[str] = "Never signals (a test double)."
    Parameters: ClassVar[type[NoParameters]] = NoParameters

    @property
    def warmup(self) -> int:
        return 0

    def compute(self, bars: pd.DataFrame) -> pd.DataFrame:
        return empty_signal_frame(bars.index)
