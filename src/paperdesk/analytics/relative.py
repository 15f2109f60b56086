"""Risk-adjusted figures of a return series: Sharpe, Sortino, probabilistic Sharpe ratio, and
alpha, beta, tracking error, information and Treynor ratio against a benchmark's returns.

Every function takes per-period simple returns, the periods per year that annualise them and the
risk-free rate per period; an undefined figure is None. The formulas are in docs/statistics.md.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd


@dataclass(frozen=True, slots=True)
class BenchmarkStats:
    alpha: float | None  # annualised Jensen's alpha, a fraction
    beta: float | None
    tracking_error: float | None  # annualised, a fraction
    information_ratio: float | None
    treynor_ratio: float | None  # annualised excess return per unit of beta, a fraction
    periods: int  # aligned returns the figures are computed on


NO_BENCHMARK = BenchmarkStats(None, None, None, None, None, 0)
NOISE = 1e-9  # active returns this small against the returns' own deviation are float rounding


@dataclass(frozen=True, slots=True)
class ReturnSummary:
    """What several figures read off one return series, computed once (``summarise``)."""

    count: int
    mean: float  # mean(r)
    deviation: float  # std(r, ddof=1); NaN with fewer than two returns
    skewness: float  # population moments (``return_moments``); NaN without dispersion
    kurtosis: float


def summarise(returns: np.ndarray) -> ReturnSummary:
    """The mean, deviation and moments of ``returns`` from one centred series, bit for bit what
    ``returns.mean()``, ``returns.std(ddof=1)`` and ``return_moments(returns)`` give apart:
    NumPy's ``std`` is the square root of sum((r - mean)^2) / (n - 1) with the same mean and
    the same sum of the same squares as the moments take."""
    count = int(returns.size)
    if count == 0:
        nan = float("nan")
        return ReturnSummary(0, nan, nan, nan, nan)
    mean = returns.mean()
    centred = returns - mean
    squares = centred * centred
    sum_of_squares = squares.sum()
    deviation = float(np.sqrt(sum_of_squares / (count - 1))) if count > 1 else float("nan")
    second = float(sum_of_squares / count)
    if not second > 0:
        nan = float("nan")
        return ReturnSummary(count, float(mean), deviation, nan, nan)
    skewness, kurtosis = _higher_moments(centred, squares, second)
    return ReturnSummary(count, float(mean), deviation, skewness, kurtosis)


def sharpe_sortino(
    returns: np.ndarray,
    periods_per_year: float,
    risk_free: float = 0.0,
    summary: ReturnSummary | None = None,
) -> tuple[float | None, float | None]:
    """Sharpe = mean(r - rf) / std(r, ddof=1) x sqrt(P); Sortino = mean(r - rf) /
    sqrt(mean(min(r - rf, 0)^2)) x sqrt(P). ``summary``: ``summarise(returns)``, when known."""
    if returns.size < 2 or not periods_per_year > 0:
        return None, None
    scale = math.sqrt(periods_per_year)
    excess = returns - risk_free if risk_free else returns
    if summary is None:
        summary = summarise(returns)
    mean = float(excess.mean()) if risk_free else summary.mean  # r - 0.0 is r, bit for bit
    deviation = summary.deviation
    sharpe = mean / deviation * scale if deviation > 0 else None
    losses = np.minimum(excess, 0.0)
    downside = math.sqrt(float(np.mean(np.multiply(losses, losses, out=losses))))  # ** 2 is x x
    sortino = mean / downside * scale if downside > 0 else None
    return sharpe, sortino


def probabilistic_sharpe_ratio(
    returns: np.ndarray,
    risk_free: float = 0.0,
    benchmark_sharpe: float = 0.0,
    summary: ReturnSummary | None = None,
) -> float | None:
    """Bailey & Lopez de Prado (2012): the probability that the true per-period Sharpe ratio
    exceeds ``benchmark_sharpe``, Phi((SR - SR*) sqrt(n - 1) / sqrt(1 - g3 SR + (g4 - 1) / 4
    SR^2)) with SR = mean(r - rf) / std(r, ddof=1) not annualised, g3 the skewness and g4 the
    (non-excess) kurtosis of the returns as population moments. None with fewer than three
    returns, no dispersion, or a non-positive variance term. ``summary``: ``summarise(returns)``,
    when known."""
    n = returns.size
    if n < 3:
        return None
    if summary is None:
        summary = summarise(returns)
    deviation = summary.deviation
    if not deviation > 0:
        return None
    mean = float((returns - risk_free).mean()) if risk_free else summary.mean
    sharpe = mean / deviation
    skewness, kurtosis = summary.skewness, summary.kurtosis
    variance_term = 1.0 - skewness * sharpe + (kurtosis - 1.0) / 4.0 * sharpe**2
    if not variance_term > 0:
        return None
    z = (sharpe - benchmark_sharpe) * math.sqrt(n - 1) / math.sqrt(variance_term)
    return 0.5 * math.erfc(-z / math.sqrt(2.0))


def return_moments(returns: np.ndarray) -> tuple[float, float]:
    """The skewness and the (non-excess: 3 for a normal law) kurtosis of ``returns`` as
    population moments: mean(c^3) / mean(c^2)^1.5 and mean(c^4) / mean(c^2)^2 with c the
    returns less their mean. The returns must have some dispersion.

    The powers are products (c^2 x c, c^2 x c^2): NumPy sends ``c**3`` and ``c**4`` to libm's
    ``pow``, about 100 ns a value (the whole statistics of a 1M-bar run took half its time),
    where a product costs under 1 ns; each power is within one rounding of the exact one either
    way, far inside the mean's own rounding."""
    centred = returns - returns.mean()
    squares = centred * centred
    return _higher_moments(centred, squares, float(np.mean(squares)))


def _higher_moments(centred: np.ndarray, squares: np.ndarray, second: float) -> tuple[float, float]:
    """(skewness, kurtosis) from the centred returns, their squares and mean(squares); writes
    over ``centred`` and ``squares``."""
    cubes = np.multiply(squares, centred, out=centred)
    skewness = float(np.mean(cubes)) / second**1.5
    np.multiply(squares, squares, out=squares)  # the fourth powers
    return skewness, float(np.mean(squares)) / second**2


def benchmark_stats(
    returns: pd.Series, benchmark: pd.Series, periods_per_year: float, risk_free: float = 0.0
) -> BenchmarkStats:
    """The CAPM figures on the periods both series have a return for (inner join on time):
    beta = cov(r, b) / var(b) (ddof=1); alpha = P (mean(r - rf) - beta mean(b - rf));
    tracking error = std(r - b, ddof=1) sqrt(P) (0 when below ``NOISE`` times the larger of the
    two series' deviations: float rounding, not tracking); information ratio = P mean(r - b) /
    tracking error; Treynor = P mean(r - rf) / beta."""
    joined = pd.concat([returns, benchmark], axis=1, join="inner").dropna()
    if len(joined) < 2 or not periods_per_year > 0:
        return BenchmarkStats(None, None, None, None, None, len(joined))
    ours = joined.iloc[:, 0].to_numpy(dtype=np.float64)
    theirs = joined.iloc[:, 1].to_numpy(dtype=np.float64)
    variance = float(theirs.var(ddof=1))
    beta = float(np.cov(ours, theirs, ddof=1)[0, 1]) / variance if variance > 0 else None
    active = ours - theirs
    deviation = float(active.std(ddof=1))
    if deviation <= NOISE * max(float(ours.std(ddof=1)), float(theirs.std(ddof=1))):
        deviation = 0.0  # the same returns computed two ways differ only by rounding
    tracking = deviation * math.sqrt(periods_per_year)
    information = float(active.mean()) * periods_per_year / tracking if tracking > 0 else None
    excess = float((ours - risk_free).mean())
    alpha = treynor = None
    if beta is not None:
        alpha = periods_per_year * (excess - beta * float((theirs - risk_free).mean()))
        treynor = periods_per_year * excess / beta if beta != 0 else None
    return BenchmarkStats(
        _finite(alpha), _finite(beta), _finite(tracking), _finite(information), _finite(treynor),
        len(joined),
    )  # fmt: skip


def _finite(value: float | None) -> float | None:
    return value if value is not None and math.isfinite(value) else None
