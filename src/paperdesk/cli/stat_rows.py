"""The statistic rows the backtest report and the performance table share: the conventions the
figures follow, the risk figures and the benchmark-relative ones (docs/statistics.md)."""

from __future__ import annotations

import math
from datetime import timedelta
from typing import TYPE_CHECKING

from paperdesk.cli.money import NOT_AVAILABLE, duration, float_money, percent, ratio

if TYPE_CHECKING:
    from paperdesk.service.performance import Stats

Row = tuple[str, str]


def conventions_row(stats: Stats) -> Row:
    """How Sharpe and the rest were annualised: ``bar returns, 252/yr, risk-free 0.00%``."""
    periods = stats.periods_per_year
    per_year = f"{periods:,.6g}/yr" if periods is not None else "n/a per year"
    basis = f"{stats.returns_basis} returns, {per_year}"
    return ("Returns", f"{basis}, risk-free {percent(stats.risk_free_rate_pct)}")


def drawdown_duration(stats: Stats) -> str:
    """The longest drawdown as every duration reads: ``1061 d``, ``3 d 4 h``, ``12 min``;
    ``none`` for a curve never below its peak (not ``0 s``, a unit of no bar)."""
    days = stats.max_drawdown_duration_days
    if not math.isfinite(days):
        return NOT_AVAILABLE
    return duration(timedelta(days=days)) if days else "none"


def risk_rows(stats: Stats) -> list[Row]:
    return [
        ("Volatility (annual)", percent(stats.volatility_pct)),
        ("Probabilistic Sharpe", percent(stats.probabilistic_sharpe_pct)),
    ]


def expectancy_row(stats: Stats, currency: str) -> Row:
    return ("Expectancy (net)", float_money(stats.expectancy, currency))


def benchmark_rows(stats: Stats) -> list[Row]:
    """Alpha, beta, tracking error, information and Treynor ratio; none without a benchmark."""
    if stats.benchmark is None:
        return []
    return [
        ("Benchmark", stats.benchmark),
        ("Alpha (annual)", percent(stats.alpha_pct)),
        ("Beta", ratio(stats.beta)),
        ("Tracking error", percent(stats.tracking_error_pct)),
        ("Information ratio", ratio(stats.information_ratio)),
        ("Treynor ratio", percent(_times_100(stats.treynor_ratio))),
    ]


def _times_100(value: float | None) -> float | None:
    """Treynor's fraction (0.12: 12% a year per unit of beta) shown as a percentage."""
    return value * 100 if value is not None else None


__all__ = ["NOT_AVAILABLE", "benchmark_rows", "conventions_row", "drawdown_duration",
           "expectancy_row", "risk_rows"]  # fmt: skip
