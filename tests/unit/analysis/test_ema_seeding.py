"""EMA seeding both ways (``seed="sma"``: TA-Lib, backtrader, Lean; ``seed="first"``: pandas
``ewm(adjust=False)``, the ta library) against pandas and plain-Python computations on real data."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from paperdesk.analysis import create_strategy, indicators
from paperdesk.domain.errors import InvalidInputError

LoadBars = Callable[[str], pd.DataFrame]


def _pandas_ema(values: pd.Series, period: int) -> pd.Series:
    """The ta library's ``_ema``: ``ewm(span, adjust=False, min_periods=span)``."""
    return values.ewm(span=period, adjust=False, min_periods=period).mean()


def _first_seeded(values: list[float], period: int) -> list[float]:
    """Plain Python: start from the first non-NaN value, alpha 2/(n+1); NaN until n values."""
    alpha = 2.0 / (period + 1)
    result = [float("nan")] * len(values)
    current, seen = float("nan"), 0
    for row, value in enumerate(values):
        if np.isnan(value) and seen == 0:
            continue
        current = value if seen == 0 else alpha * value + (1 - alpha) * current
        seen += 1
        if seen >= period:
            result[row] = current
    return result


def _sma_seeded(values: list[float], period: int) -> list[float]:
    """Plain Python: the SMA of the first ``period`` values, then alpha 2/(n+1)."""
    alpha = 2.0 / (period + 1)
    result = [float("nan")] * len(values)
    current = sum(values[:period]) / period
    result[period - 1] = current
    for row in range(period, len(values)):
        current = alpha * values[row] + (1 - alpha) * current
        result[row] = current
    return result


@pytest.mark.parametrize("period", [2, 14, 30, 200])
def test_first_seeded_ema_is_pandas_ewm_adjust_false_on_spy(
    load_bars: LoadBars, period: int
) -> None:
    close = load_bars("lean_SPY_1d.csv")["close"]
    values = indicators.ema(close, period, seed="first")
    expected = _pandas_ema(close, period).to_numpy()
    np.testing.assert_allclose(values, expected, rtol=1e-12, equal_nan=True)
    plain = _first_seeded(close.tolist()[:600], period)
    np.testing.assert_allclose(values[:600], plain, rtol=1e-12, equal_nan=True)
    # the same first row as the SMA seed, and clearly another value there
    sma_seeded = indicators.ema(close, period)
    assert np.isnan(values[: period - 1]).all()
    assert not np.isnan(values[period - 1])
    assert np.isnan(sma_seeded[: period - 1]).all()
    assert not np.isnan(sma_seeded[period - 1])
    assert values[period - 1] != pytest.approx(sma_seeded[period - 1], rel=1e-6)


def test_sma_seeded_ema_is_the_default_and_the_plain_python_recursion(
    load_bars: LoadBars,
) -> None:
    close = load_bars("bt_2006-day-001_1d.csv")["close"]
    np.testing.assert_allclose(
        indicators.ema(close, 30), _sma_seeded(close.tolist(), 30), rtol=1e-12, equal_nan=True
    )
    np.testing.assert_array_equal(indicators.ema(close, 30), indicators.ema(close, 30, "sma"))


def test_first_seeded_macd_is_the_ta_library_on_the_stockcharts_worksheet(
    reference_data: Path,
) -> None:
    worksheet = pd.read_csv(reference_data / "reference" / "ta_stockcharts" / "cs-macd.csv")
    close = worksheet["Close"]
    line, signal, histogram = indicators.macd(close, 12, 26, 9, seed="first")
    np.testing.assert_allclose(line[-3:], [1.05834511, 1.02346981, 0.99565048], atol=1e-6)
    np.testing.assert_allclose(signal[-3:], [0.93354444, 0.95152952, 0.96035371], atol=1e-6)
    # the whole MACD line, early rows included, is the worksheet's (EMAs from the first close)
    defined = ~np.isnan(line)
    assert np.flatnonzero(defined)[0] == 25
    np.testing.assert_allclose(line[defined], worksheet["MACD_line"][defined], atol=1e-8)
    # the ta library's MACD written in pandas: the signal starts from the first MACD value
    fast, slow = _pandas_ema(close, 12), _pandas_ema(close, 26)
    expected_line = fast - slow
    expected_signal = _pandas_ema(expected_line, 9)
    np.testing.assert_allclose(line, expected_line, rtol=1e-12, equal_nan=True)
    np.testing.assert_allclose(signal, expected_signal, rtol=1e-12, equal_nan=True)
    np.testing.assert_allclose(histogram, line - signal, equal_nan=True)
    # the SMA-seeded convention misses the published values by ~1e-4 on the last bar
    sma_line, sma_signal, _ = indicators.macd(close, 12, 26, 9)
    assert sma_line[-1] == pytest.approx(0.9957283, abs=1e-7)
    assert sma_signal[-1] == pytest.approx(0.96046815, abs=1e-8)
    assert 5e-5 < abs(sma_line[-1] - 0.99565048) < 2e-4
    assert 5e-5 < abs(sma_signal[-1] - 0.96035371) < 2e-4
    # ... and by far more early on (the ta MACD differs by up to 0.17)
    assert np.nanmax(np.abs(sma_line - line)) > 0.1


def test_first_seeded_tsi_is_the_ta_library_formula(reference_data: Path) -> None:
    frame = pd.read_csv(reference_data / "reference" / "inputs" / "stockcharts_close_2010_2012.csv")
    close = frame[frame.columns[-1]].astype(float)
    difference = close.diff()
    numerator = _pandas_ema(_pandas_ema(difference, 25), 13)
    denominator = _pandas_ema(_pandas_ema(difference.abs(), 25), 13)
    expected = (100 * numerator / denominator).to_numpy()
    values = indicators.tsi(close, 25, 13, seed="first")
    np.testing.assert_allclose(values, expected, rtol=1e-10, equal_nan=True)
    assert np.isnan(values[: 25 + 13 - 1]).all()
    assert not np.isnan(values[25 + 13 - 1])
    sma_seeded = indicators.tsi(close, 25, 13)
    assert abs(values[25 + 13 - 1] - sma_seeded[25 + 13 - 1]) > 0.1


@pytest.mark.parametrize("seed", ["median", "", "SMA!"])
def test_an_unknown_seed_names_the_allowed_values(seed: str) -> None:
    with pytest.raises(InvalidInputError, match="ema seed must be one of sma, first"):
        indicators.ema(np.arange(40.0), 5, seed)
    with pytest.raises(InvalidInputError, match="one of sma, first"):
        indicators.macd(np.arange(40.0), seed=seed)


def test_seed_names_are_read_in_any_case() -> None:
    close = np.linspace(10.0, 20.0, 50)
    np.testing.assert_array_equal(
        indicators.ema(close, 5, " First "), indicators.ema(close, 5, "first")
    )


# ---------------------------------------------------------------- the strategies' parameter
@pytest.mark.parametrize("name", ["macd-cross", "tsi-momentum"])
def test_the_strategies_signals_change_with_the_seed(load_bars: LoadBars, name: str) -> None:
    bars = load_bars("lean_SPY_1d.csv")
    default = create_strategy(name).signals(bars)
    explicit = create_strategy(name, {"ema_seed": "sma"}).signals(bars)
    first = create_strategy(name, {"ema-seed": "first"}).signals(bars)
    pd.testing.assert_frame_equal(default, explicit)
    assert len(default.index.symmetric_difference(first.index)) > 0
    # the seed's influence fades: late in 23 years of data the crosses are the same bars
    late = bars.index[-1000]
    pd.testing.assert_index_equal(
        default.index[default.index > late], first.index[first.index > late]
    )


def test_the_macd_strategy_uses_the_seeded_lines(load_bars: LoadBars) -> None:
    bars = load_bars("lean_SPY_1d.csv")
    close = bars["close"].to_numpy()
    _, _, histogram = indicators.macd(close, 12, 26, 9, seed="first")
    positions, _ = indicators.crossing_points(histogram)
    frame = create_strategy("macd-cross", {"ema_seed": "first"}).signals(bars)
    pd.testing.assert_index_equal(frame.index, bars.index[positions])


@pytest.mark.parametrize("name", ["macd-cross", "tsi-momentum"])
def test_a_bad_seed_names_the_parameter_and_the_allowed_values(name: str) -> None:
    with pytest.raises(
        InvalidInputError, match="parameter 'ema_seed' must be one of sma, first, got 'ta'"
    ):
        create_strategy(name, {"ema_seed": "ta"})
