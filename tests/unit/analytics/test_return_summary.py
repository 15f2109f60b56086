"""``relative.summarise`` computes the mean, deviation and moments of a return series once, bit
for bit what NumPy's ``mean`` and ``std(ddof=1)`` and ``return_moments`` give apart, so the
statistics read off it do not move."""

from __future__ import annotations

import math

import numpy as np
import pytest

from paperdesk.analytics.relative import (
    probabilistic_sharpe_ratio,
    return_moments,
    sharpe_sortino,
    summarise,
)


def _series(seed: int, size: int) -> np.ndarray:
    generator = np.random.default_rng(seed)
    shape = seed % 4
    if shape == 0:
        return generator.normal(0.0002, 0.01, size)
    if shape == 1:  # fat tails and a crash
        values = generator.standard_t(3, size) * 0.004
        values[size // 2] = -0.35
        return values
    if shape == 2:  # mostly flat: a strategy out of the market
        values = np.zeros(size)
        values[:: max(1, size // 7)] = generator.normal(
            0.0, 0.02, len(values[:: max(1, size // 7)])
        )
        return values
    return generator.uniform(-1e-9, 1e-9, size) + 1e-3  # tiny dispersion around a mean


@pytest.mark.parametrize("size", [2, 3, 17, 1000, 131_073])
@pytest.mark.parametrize("seed", range(8))
def test_the_summary_is_bit_for_bit_the_separate_figures(seed: int, size: int) -> None:
    returns = _series(seed, size)
    summary = summarise(returns)
    assert summary.count == size
    assert summary.mean == float(returns.mean())
    assert summary.deviation == float(returns.std(ddof=1))
    skewness, kurtosis = return_moments(returns)
    assert (summary.skewness, summary.kurtosis) == (skewness, kurtosis)


def test_no_dispersion_leaves_the_moments_undefined() -> None:
    flat = np.full(5, 0.01)
    summary = summarise(flat)
    assert summary.deviation == 0.0
    assert math.isnan(summary.skewness)
    assert math.isnan(summary.kurtosis)
    assert probabilistic_sharpe_ratio(flat, summary=summary) is None
    assert summarise(np.zeros(0)).count == 0
    assert math.isnan(summarise(np.array([0.5])).deviation)


@pytest.mark.parametrize("risk_free", [0.0, 1e-5])
@pytest.mark.parametrize("seed", range(4))
def test_the_ratios_from_a_summary_are_the_ratios_without(seed: int, risk_free: float) -> None:
    returns = _series(seed, 5000)
    summary = summarise(returns)
    assert sharpe_sortino(returns, 252.0, risk_free, summary) == sharpe_sortino(
        returns, 252.0, risk_free
    )
    with_summary = probabilistic_sharpe_ratio(returns, risk_free, summary=summary)
    assert with_summary == probabilistic_sharpe_ratio(returns, risk_free)
    # and equal to the figures written out with NumPy's own std and mean
    deviation = float(returns.std(ddof=1))
    mean = float((returns - risk_free).mean()) if risk_free else float(returns.mean())
    sharpe, sortino = sharpe_sortino(returns, 252.0, risk_free, summary)
    assert sharpe == mean / deviation * math.sqrt(252.0)
    excess = returns - risk_free if risk_free else returns
    downside = math.sqrt(float(np.mean(np.minimum(excess, 0.0) ** 2)))
    assert sortino == (mean / downside * math.sqrt(252.0) if downside > 0 else None)
