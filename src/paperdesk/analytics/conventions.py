"""The conventions a run's statistics follow: bar length, calendar, return basis, risk-free rate
and benchmark (from the run description's statistics section)."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from paperdesk.config.statistics import ReturnBasis, StatisticsConfig


@dataclass(frozen=True, slots=True)
class Benchmark:
    """A benchmark's closes, indexed by bar close time (UTC)."""

    symbol: str
    closes: pd.Series


@dataclass(frozen=True, slots=True)
class Conventions:
    """``timeframe`` None: periods per year are estimated from the curve itself (periods over
    its span in 365.25-day years), the rule before the calendar was used."""

    timeframe: str | None = None
    calendar: str = "24/7"
    returns: ReturnBasis = ReturnBasis.BAR
    risk_free_rate_pct: float = 0.0
    benchmark: Benchmark | None = None

    @classmethod
    def of(
        cls,
        settings: StatisticsConfig,
        *,
        timeframe: str | None,
        calendar: str,
        benchmark: Benchmark | None = None,
    ) -> Conventions:
        return cls(
            timeframe=timeframe,
            calendar=calendar,
            returns=settings.returns,
            risk_free_rate_pct=float(settings.risk_free_rate),
            benchmark=benchmark,
        )
