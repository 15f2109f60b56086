"""The longest drawdown against a plain loop over the curve (flat stretches, ties with the peak,
curves that never recover or never fall), and the return moments against exact fractions."""

from __future__ import annotations

from datetime import UTC, datetime
from fractions import Fraction

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from paperdesk.analytics.metrics import compute_stats
from paperdesk.analytics.relative import return_moments

DAY = pd.Timedelta(days=1)


def longest_underwater_days(values: list[float], times: pd.DatetimeIndex, start: float) -> float:
    """A loop: the longest time from a peak (the start, dated at the first bar) to the first bar
    back at or above it, or to the last bar if it never recovers."""
    peak, peak_time, longest, below = start, times[0], pd.Timedelta(0), False
    for moment, value in zip(times, values, strict=True):
        if value < peak:
            below = True
            continue
        if below:
            longest = max(longest, moment - peak_time)
        peak, peak_time, below = value, moment, False
    if below:
        longest = max(longest, times[-1] - peak_time)
    return longest / DAY


@st.composite
def curves(draw: st.DrawFn) -> tuple[list[float], pd.DatetimeIndex, float]:
    """Few distinct levels, so ties with the peak and flat stretches are common; uneven gaps (of
    days: hours would make the CAGR of a short curve overflow a float)."""
    count = draw(st.integers(1, 60))
    levels = draw(st.lists(st.sampled_from([90.0, 95.0, 100.0, 105.0, 110.0]), min_size=count,
                           max_size=count))  # fmt: skip
    gaps = draw(st.lists(st.integers(1, 5), min_size=count, max_size=count))
    start = draw(st.sampled_from([90.0, 100.0, 110.0]))
    moments = datetime(2024, 1, 1, tzinfo=UTC) + pd.to_timedelta(np.cumsum(gaps), unit="D")
    return levels, pd.DatetimeIndex(moments), start


@settings(max_examples=300, deadline=None)
@given(curve=curves())
def test_the_longest_drawdown_is_the_loops(
    curve: tuple[list[float], pd.DatetimeIndex, float],
) -> None:
    values, times, start = curve
    stats = compute_stats(
        pd.Series(values, index=times),
        [],
        in_market=np.ones(len(values), dtype=bool),
        start_equity=start,
        ambiguous_bars=0,
        fees=0.0,
    )
    expected = longest_underwater_days(values, times, start)
    assert stats.max_drawdown_duration_days == pytest.approx(expected, rel=1e-12, abs=1e-12)


def _exact_moments(returns: list[float]) -> tuple[float, float]:
    exact = [Fraction(value) for value in returns]
    mean = sum(exact, Fraction(0)) / len(exact)
    centred = [value - mean for value in exact]
    second = sum((value**2 for value in centred), Fraction(0)) / len(exact)
    third = sum((value**3 for value in centred), Fraction(0)) / len(exact)
    fourth = sum((value**4 for value in centred), Fraction(0)) / len(exact)
    return float(third) / float(second) ** 1.5, float(fourth / second**2)


@pytest.mark.parametrize("seed", range(5))
def test_return_moments_are_the_exact_ones(seed: int) -> None:
    generator = np.random.default_rng(seed)
    returns = generator.standard_t(4, 2000) * 1e-3  # fat tails: a kurtosis well above 3
    skewness, kurtosis = return_moments(returns)
    exact_skewness, exact_kurtosis = _exact_moments(returns.tolist())
    assert skewness == pytest.approx(exact_skewness, rel=1e-9, abs=1e-12)
    assert kurtosis == pytest.approx(exact_kurtosis, rel=1e-12)
    assert kurtosis > 3
