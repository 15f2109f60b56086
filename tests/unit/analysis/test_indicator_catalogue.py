"""The indicator catalogue behind ``paperdesk indicator``: each name computes the indicator
function it stands for, and parameters are checked with errors that name them."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
import pytest

from paperdesk.analysis import indicators
from paperdesk.analysis.indicator_catalogue import (
    INDICATORS,
    compute_indicator,
    indicator_spec,
    resolve_parameters,
)
from paperdesk.domain.errors import InvalidInputError

LoadBars = Callable[[str], pd.DataFrame]


def test_each_name_is_its_indicator_function(load_bars: LoadBars) -> None:
    bars = load_bars("lean_SPY_1d.csv")
    close, high, low = bars["close"], bars["high"], bars["low"]
    expected = {
        "sma": (indicators.sma(close, 20),),
        "ema": (indicators.ema(close, 20),),
        "rsi": (indicators.rsi(close, 14),),
        "macd": indicators.macd(close, 12, 26, 9),
        "tsi": (indicators.tsi(close, 25, 13),),
        "atr": (indicators.atr(high, low, close, 14),),
    }
    assert list(INDICATORS) == list(expected)
    for name, lines in expected.items():
        spec = indicator_spec(name)
        computed = compute_indicator(spec, bars, resolve_parameters(spec, {}))
        assert list(computed) == list(spec.lines)
        for got, want in zip(computed.values(), lines, strict=True):
            np.testing.assert_array_equal(got, want)


def test_parameters_come_as_numbers_or_text_and_the_seed_in_any_case(load_bars: LoadBars) -> None:
    spec = indicator_spec(" MACD ")
    resolved = resolve_parameters(spec, {"fast": "5", "slow": 35, "seed": "First"})
    assert resolved == {"fast": 5, "slow": 35, "signal": 9, "seed": "first"}
    bars = load_bars("bt_2006-day-001_1d.csv")
    line, signal, _ = compute_indicator(spec, bars, resolved).values()
    want_line, want_signal, _ = indicators.macd(bars["close"], 5, 35, 9, "first")
    np.testing.assert_array_equal(line, want_line)
    np.testing.assert_array_equal(signal, want_signal)


def test_the_strategies_name_ema_seed_is_the_seed_of_every_ema_indicator() -> None:
    for name in ("ema", "macd", "tsi"):
        spec = indicator_spec(name)
        assert resolve_parameters(spec, {"ema_seed": "first"})["seed"] == "first"
    with pytest.raises(InvalidInputError, match="indicator 'rsi' has no parameter 'ema_seed'"):
        resolve_parameters(indicator_spec("rsi"), {"ema_seed": "first"})


@pytest.mark.parametrize(
    ("name", "given", "message"),
    [
        ("ema", {"seed": 1}, "parameter 'seed' must be one of sma, first, got 1"),
        ("ema", {"period": True}, "parameter 'period' must be a whole number"),
        ("ema", {"period": 2.5}, "parameter 'period' must be a whole number"),
        ("rsi", {"period": "-3"}, "parameter 'period' must be a whole number of bars"),
        ("tsi", {"signal": 7}, "indicator 'tsi' has no parameter 'signal'; valid parameters"),
    ],
)
def test_bad_parameters_name_the_parameter(
    name: str, given: dict[str, object], message: str
) -> None:
    with pytest.raises(InvalidInputError, match=message):
        resolve_parameters(indicator_spec(name), given)


def test_an_unknown_indicator_lists_the_known_ones() -> None:
    with pytest.raises(InvalidInputError, match="expected one of sma, ema, rsi, macd, tsi, atr"):
        indicator_spec("kama")
