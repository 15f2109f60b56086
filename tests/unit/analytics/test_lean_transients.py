"""The statistics that a long curve's transient columns dominate, computed with fewer of them:
the longest drawdown against a bar-by-bar walk, the returns bit for bit against the formula."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from paperdesk.analytics.metrics import _longest_drawdown_days, _peak_line
from paperdesk.analytics.returns import period_returns
from paperdesk.config.statistics import ReturnBasis


def walked_longest_drawdown(values: np.ndarray, stamps: np.ndarray, start: float) -> float:
    """Bar by bar: a stretch runs from the last bar at or above the running peak (the start
    equity is the first, at the first bar) to the first bar back at or above it, or the end."""
    longest, peak, peak_at, underwater = 0, start, 0, False
    for row, value in enumerate(values):
        if value >= peak:
            if underwater:
                longest = max(longest, int(stamps[row] - stamps[peak_at]))
            peak, peak_at, underwater = value, row, False
        else:
            underwater = True
    if underwater:
        longest = max(longest, int(stamps[-1] - stamps[peak_at]))
    return longest / 86_400e9


def random_curve(seed: int) -> tuple[np.ndarray, pd.DatetimeIndex, float]:
    generator = np.random.default_rng(seed)
    length = int(generator.integers(1, 80))
    if seed % 2:  # few levels: ties with the peak and long flat stretches
        values = generator.choice([98.0, 99.0, 100.0, 101.0], length)
    else:
        values = 100.0 + np.cumsum(generator.normal(0, 1, length))
    stamps = np.sort(generator.choice(np.arange(10**6), length, replace=False)) * 60_000_000_000
    start = float(generator.choice([90.0, 100.0, 120.0]))
    return values, pd.DatetimeIndex(stamps).tz_localize("UTC"), start


@pytest.mark.parametrize("seed", range(400))
def test_the_longest_drawdown_is_the_bar_by_bar_walk(seed: int) -> None:
    values, times, start = random_curve(seed)
    expected = walked_longest_drawdown(values, times.asi8, start)
    assert _longest_drawdown_days(values, times, _peak_line(values, start)) == expected


@pytest.mark.parametrize("seed", range(40))
def test_bar_returns_are_bit_for_bit_the_formula(seed: int) -> None:
    values, times, start = random_curve(seed)
    previous = np.concatenate(([start], values[:-1]))
    expected = (values - previous) / previous
    returns = period_returns(pd.Series(values, index=times), start, ReturnBasis.BAR, "24/7")
    assert returns.to_numpy().tobytes() == expected.tobytes()
    assert returns.index.equals(times)
