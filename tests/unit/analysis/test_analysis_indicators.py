"""Indicator wrappers against public reference values (StockCharts, backtrader, Lean, ta)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import talib

from paperdesk.analysis import indicators
from paperdesk.analysis.strategies.reasons import compose, format_numbers, words
from paperdesk.domain.errors import InvalidInputError

LoadBars = Callable[[str], pd.DataFrame]


def _reference(reference_data: Path, *parts: str) -> Path:
    path = reference_data.joinpath("reference", *parts)
    assert path.is_file(), f"reference file {path} is missing from the repository"
    return path


# ---------------------------------------------------------------- StockCharts RSI
def test_rsi_matches_stockcharts_wilder_worksheet(reference_data: Path) -> None:
    worksheet = pd.read_csv(_reference(reference_data, "ta_stockcharts", "cs-rsi.csv"))
    vectors = json.loads(_reference(reference_data, "indicator_vectors_public.json").read_text())
    expected = vectors["stockcharts_rsi14"]
    values = indicators.rsi(worksheet["Close"].to_numpy(), 14)
    by_date = dict(zip(worksheet["Date"], values, strict=True))

    assert len(expected["values"]) == 19
    for date, text in expected["values"].items():
        assert f"{by_date[date]:.2f}" == text, date
    first = float(expected["first_value_full_precision"])
    assert by_date["05-Jan-10"] == pytest.approx(first, abs=1e-9)
    # warm-up: RSI(14) needs 14 changes, i.e. 15 closes; the first value is at row 14
    assert np.isnan(values[:14]).all()
    assert not np.isnan(values[14])


# ---------------------------------------------------------------- backtrader test suite
def _backtrader_checkpoints(reference_data: Path) -> dict[str, dict[str, object]]:
    data = json.loads(_reference(reference_data, "backtrader_tests_public.json").read_text())
    return {entry["indicator"]: entry for entry in data["indicator_checkpoints"]}


def _at_dates(bars: pd.DataFrame, values: np.ndarray, dates: list[str]) -> list[str]:
    labels = pd.DatetimeIndex(bars.index).strftime("%Y-%m-%d")
    series = pd.Series(values, index=labels)
    return [f"{series[date]:f}" for date in dates]


@pytest.mark.parametrize(
    ("indicator", "compute"),
    [
        ("SMA", lambda close: {"sma": indicators.sma(close, 30)}),
        ("EMA", lambda close: {"ema": indicators.ema(close, 30)}),
        ("RSI", lambda close: {"rsi": indicators.rsi(close, 14)}),
        (
            "MACDHisto",
            lambda close: dict(
                zip(("macd", "signal", "histo"), indicators.macd(close, 12, 26, 9), strict=True)
            ),
        ),
    ],
)
def test_indicators_match_backtrader_test_suite(
    reference_data: Path,
    load_bars: LoadBars,
    indicator: str,
    compute: Callable[[np.ndarray], dict[str, np.ndarray]],
) -> None:
    checkpoint = _backtrader_checkpoints(reference_data)[indicator]
    bars = load_bars("bt_2006-day-001_1d.csv")
    lines = compute(bars["close"].to_numpy())
    dates = checkpoint["checkpoint_dates"]
    assert isinstance(dates, list)
    expected = checkpoint["values_at_checkpoints"]
    assert isinstance(expected, dict)
    for line, values in expected.items():
        assert _at_dates(bars, lines[line], dates) == values, line
        # the second checkpoint is backtrader's minperiod: the first valid value (the MACD
        # line itself exists from row slow - 1 = 25; backtrader reports all lines from 34)
        minperiod = checkpoint["minperiod"]
        assert isinstance(minperiod, int)
        if line != "macd":
            assert np.isnan(lines[line][: minperiod - 1]).all()
        assert not np.isnan(lines[line][minperiod - 1])


def test_talib_macd_is_not_the_backtrader_convention(load_bars: LoadBars) -> None:
    """Why ``indicators.macd`` does not call ``talib.MACD``: TA-Lib starts the fast EMA at the
    slow EMA's first row, so its first values differ from backtrader's (they converge later)."""
    close = load_bars("bt_2006-day-001_1d.csv")["close"].to_numpy()
    line, signal, _ = indicators.macd(close)
    talib_line, talib_signal, _ = talib.MACD(close, 12, 26, 9)
    first = 33  # backtrader's MACDHisto minperiod 34
    assert abs(talib_line[first] - line[first]) > 1e-3
    assert abs(talib_signal[first] - signal[first]) > 1e-3
    assert talib_line[-1] == pytest.approx(line[-1], abs=1e-6)


def test_macd_signal_is_seeded_with_the_mean_of_the_first_macd_values() -> None:
    close = 100.0 + np.cumsum(np.random.default_rng(3).normal(0.0, 1.0, 200))
    line, signal, histogram = indicators.macd(close, 12, 26, 9)
    first_line = 25
    assert np.isnan(line[:first_line]).all()
    assert not np.isnan(line[first_line])
    first_signal = first_line + 8
    assert np.isnan(signal[:first_signal]).all()
    assert signal[first_signal] == pytest.approx(line[first_line : first_signal + 1].mean())
    np.testing.assert_allclose(histogram, line - signal, equal_nan=True)


# ---------------------------------------------------------------- Lean and ta library
def test_ema_matches_lean_spy_ema(reference_data: Path) -> None:
    frame = pd.read_csv(_reference(reference_data, "lean_testdata", "spy_ema.csv"))
    values = indicators.ema(frame["close"].to_numpy(), 14)
    assert values[-1] == pytest.approx(403.40804319737924, abs=1e-9)
    expected = frame["EMA14"].to_numpy(dtype=float)
    np.testing.assert_allclose(values, expected, rtol=1e-12, equal_nan=True)


def test_macd_agrees_with_ta_library_only_near_the_end(reference_data: Path) -> None:
    worksheet = pd.read_csv(_reference(reference_data, "ta_stockcharts", "cs-macd.csv"))
    line, signal, _ = indicators.macd(worksheet["Close"].to_numpy())
    # The ta library starts its EMAs from the FIRST close (pandas ewm adjust=False, no SMA
    # seed); paperdesk seeds each EMA with an SMA. The seed's influence decays geometrically,
    # so after ~120 bars the two differ by ~1e-4 on the last bar, not by float noise.
    assert line[-1] == pytest.approx(worksheet["MACD_line"].iloc[-1], abs=2e-4)
    assert signal[-1] == pytest.approx(worksheet["MACD_signal"].iloc[-1], abs=2e-4)
    assert abs(signal[-1] - worksheet["MACD_signal"].iloc[-1]) > 1e-6  # really different
    # ... while early values disagree clearly
    assert abs(line[30] - worksheet["MACD_line"].iloc[30]) > 1e-3


# ---------------------------------------------------------------- SMA precision, TSI, ATR
@pytest.mark.parametrize(
    ("name", "period"),
    [("btpy_GOOG_1d.csv", 10), ("btpy_GOOG_1d.csv", 20), ("lean_SPY_1d.csv", 15)],
)
def test_sma_equals_rolling_mean(load_bars: LoadBars, name: str, period: int) -> None:
    close = load_bars(name)["close"]
    expected = close.rolling(period).mean().to_numpy()
    np.testing.assert_allclose(indicators.sma(close, period), expected, rtol=1e-9, equal_nan=True)


def _reference_ema(values: list[float], period: int) -> list[float]:
    """Plain-Python SMA-seeded EMA that skips leading NaNs."""
    alpha = 2.0 / (period + 1)
    result = [float("nan")] * len(values)
    start = next((i for i, value in enumerate(values) if not np.isnan(value)), len(values))
    if start + period > len(values):
        return result
    current = sum(values[start : start + period]) / period
    result[start + period - 1] = current
    for i in range(start + period, len(values)):
        current = alpha * values[i] + (1 - alpha) * current
        result[i] = current
    return result


def test_tsi_matches_plain_python_definition(reference_data: Path) -> None:
    path = _reference(reference_data, "inputs", "stockcharts_close_2010_2012.csv")
    frame = pd.read_csv(path)
    close = frame[frame.columns[-1]].to_numpy(dtype=float)
    changes = [float("nan")] + [close[i] - close[i - 1] for i in range(1, len(close))]
    numerator = _reference_ema(_reference_ema(changes, 25), 13)
    denominator = _reference_ema(_reference_ema([abs(c) for c in changes], 25), 13)
    expected = [100 * n / d for n, d in zip(numerator, denominator, strict=True)]
    values = indicators.tsi(close, 25, 13)
    np.testing.assert_allclose(values, expected, rtol=1e-10, equal_nan=True)
    assert np.isnan(values[: 25 + 13 - 1]).all()
    assert not np.isnan(values[25 + 13 - 1])
    assert np.nanmax(np.abs(values)) <= 100.0


def test_tsi_of_a_flat_series_is_nan() -> None:
    assert np.isnan(indicators.tsi(np.full(60, 5.0), 5, 3)).all()


def test_atr_is_wilder_with_sma_seed(reference_data: Path) -> None:
    worksheet = pd.read_csv(_reference(reference_data, "ta_stockcharts", "cs-atr.csv"))
    high, low, close = (worksheet[c].to_numpy() for c in ("High", "Low", "Close"))
    values = indicators.atr(high, low, close, 14)
    true_range = np.maximum(high[1:], close[:-1]) - np.minimum(low[1:], close[:-1])
    assert np.isnan(values[:14]).all()
    assert values[14] == pytest.approx(true_range[:14].mean())
    assert values[15] == pytest.approx((values[14] * 13 + true_range[14]) / 14)


def test_period_validation() -> None:
    with pytest.raises(InvalidInputError, match="rsi period must be at least 2, got 1"):
        indicators.rsi(np.arange(30.0), 1)
    with pytest.raises(InvalidInputError, match="fast \\(26\\) must be smaller than slow"):
        indicators.macd(np.arange(60.0), 26, 12)
    with pytest.raises(InvalidInputError, match="must be an integer"):
        indicators.sma(np.arange(60.0), 2.5)  # type: ignore[arg-type]


# ---------------------------------------------------------------- crossings
def _slow_crossings(difference: list[float]) -> list[int]:
    result, carried = [], 0
    for value in difference:
        sign = 1 if value > 0 else -1 if value < 0 else 0
        result.append(1 if sign > 0 > carried else -1 if sign < 0 < carried else 0)
        carried = sign or carried
    return result


def test_crossings_carry_the_last_nonzero_sign() -> None:
    nan = float("nan")
    # touching zero and turning back is no cross; crossing THROUGH zero is one cross
    difference = [nan, nan, -1.0, 0.0, -2.0, 0.0, 0.0, 3.0, 0.0, nan, 1.0, -1.0]
    expected = [0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, -1]
    assert indicators.crossings(difference).tolist() == expected
    positions, directions = indicators.crossing_points(difference)
    assert positions.tolist() == [7, 11]
    assert directions.tolist() == [1, -1]
    assert indicators.crossings(difference).dtype == np.int8


def test_crossings_first_defined_value_is_never_a_cross() -> None:
    assert indicators.crossings([float("nan"), 1.0, -1.0]).tolist() == [0, 0, -1]
    assert indicators.crossings([]).tolist() == []
    assert indicators.crossings([0.0, 0.0]).tolist() == [0, 0]


def test_crossings_match_a_plain_loop_on_random_series() -> None:
    rng = np.random.default_rng(7)
    for _ in range(500):
        values = rng.choice([-2.0, -1.0, 0.0, 1.0, 2.0, np.nan], size=int(rng.integers(0, 40)))
        assert indicators.crossings(values).tolist() == _slow_crossings(values.tolist())


# ---------------------------------------------------------------- reason formatting
def test_format_numbers_matches_python_fixed_point() -> None:
    rng = np.random.default_rng(11)
    values = rng.standard_normal(5000) * 10.0 ** rng.integers(-8, 14, 5000)
    for value, text in zip(values.tolist(), format_numbers(values), strict=True):
        magnitude = abs(value)
        decimals = int(min(max(5 - np.floor(np.log10(magnitude)), 0), 10))
        expected = f"{value:.{decimals}f}"
        expected = expected.rstrip("0").rstrip(".") if "." in expected else expected
        assert text == ("0" if expected == "-0" else expected)


def test_format_numbers_special_values() -> None:
    values = [111.0891, 2.5, -0.0, 0.0, -7.0, 99.999999, float("nan"), float("inf"), 5e20]
    assert format_numbers(values) == [
        "111.089",
        "2.5",
        "0",
        "0",
        "-7",
        "100",
        "nan",
        "inf",
        "5e+20",
    ]


def test_compose_joins_parts_per_row() -> None:
    direction = np.array([1, -1], dtype=np.int8)
    texts = compose("A ", np.array([1.5, -2.25]), " went ", words(direction, "up", "down"), "!")
    assert texts == ["A 1.5 went up!", "A -2.25 went down!"]
    assert compose("only text") == ["only text"]
    assert compose("x", np.array([])) == []
