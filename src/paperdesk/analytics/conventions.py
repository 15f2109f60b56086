"""The conventions a run's statistics follow: bar length, calendar, trading session, return
basis, risk-free rate and benchmark (from the run description's statistics section)."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from paperdesk.config.run import TradingSession
from paperdesk.config.statistics import ReturnBasis, StatisticsConfig


@dataclass(frozen=True, slots=True)
class Benchmark:
    """A benchmark's closes, indexed by bar close time (UTC)."""

    symbol: str
    closes: pd.Series


@dataclass(frozen=True, slots=True)
class Conventions:
    """``timeframe`` None: periods per year are estimated from the curve itself (periods over
    its span in 365.25-day years), the rule before the calendar was used. ``session``: the hours
    the run trades intraday US equity bars in, so the bars whose returns count and the session
    the periods per year count (``analytics.returns.traded_bars``, docs/statistics.md)."""

    timeframe: str | None = None
    calendar: str = "24/7"
    session: TradingSession = TradingSession.REGULAR
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
        session: TradingSession = TradingSession.REGULAR,
        benchmark: Benchmark | None = None,
    ) -> Conventions:
        return cls(
            timeframe=timeframe,
            calendar=calendar,
            session=session,
            returns=settings.returns,
            risk_free_rate_pct=float(settings.risk_free_rate),
            benchmark=benchmark,
        )
