"""Strategies: registry, parameters, causality, cross semantics and reference runs."""

from __future__ import annotations

import json
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import pandas as pd
import pytest

from paperdesk.analysis import create_strategy, get_strategy_class, strategy_names, to_signals
from paperdesk.analysis.indicators import rsi
from paperdesk.analysis.strategies.base import (
    SIGNAL_COLUMNS,
    NoParameters,
    Strategy,
    make_signal_frame,
)
from paperdesk.analysis.strategies.per_bar import BarStrategy
from paperdesk.analysis.strategies.rsi_divergence import pivot_lows
from paperdesk.domain import Direction, InvalidInputError, Signal, UnknownNameError
from paperdesk.domain.decisions import StrategyContext

LoadBars = Callable[[str], pd.DataFrame]

EXPECTED_NAMES = ["buy-and-hold", "macd-cross", "rsi-divergence", "sma-cross", "tsi-momentum"]
PER_BAR_NAMES = ["buy-and-hold"]  # remembers that it entered: a per-bar strategy
VECTORISED_NAMES = [name for name in EXPECTED_NAMES if name not in PER_BAR_NAMES]


def vectorised_names() -> list[str]:
    """The registered strategies of the vectorised kind (causal by the truncation test; a
    per-bar strategy is causal by construction: it only ever sees the bars up to its own)."""
    return [name for name in strategy_names() if isinstance(create_strategy(name), Strategy)]


def make_bars(close: list[float] | np.ndarray, spread: float = 0.5) -> pd.DataFrame:
    """Daily bars whose low/high are ``close -/+ spread`` (open = close)."""
    closes = np.asarray(close, dtype=np.float64)
    return pd.DataFrame(
        {
            "open": closes,
            "high": closes + spread,
            "low": closes - spread,
            "close": closes,
            "volume": np.full(closes.shape[0], 1000.0),
        },
        index=pd.date_range("2020-01-01", periods=closes.shape[0], freq="D", tz="UTC"),
    )


def check_frame(frame: pd.DataFrame, bars: pd.DataFrame) -> None:
    assert list(frame.columns) == list(SIGNAL_COLUMNS)
    assert frame["direction"].dtype == np.int8
    for name in ("confidence", "stop", "target"):
        assert frame[name].dtype == np.float64
    assert frame.index.isin(bars.index).all()
    assert frame.index.is_monotonic_increasing
    assert frame.index.is_unique
    assert frame["direction"].isin([-1, 0, 1]).all()
    assert frame["confidence"].between(0.0, 1.0).all()
    assert all(isinstance(reason, str) and reason for reason in frame["reason"])


# ---------------------------------------------------------------- registry
def test_registry_lists_every_strategy() -> None:
    assert strategy_names() == EXPECTED_NAMES
    for name in strategy_names():
        cls = get_strategy_class(name)
        assert cls.name == name
        assert cls.description
        kind = BarStrategy if name in PER_BAR_NAMES else Strategy
        assert isinstance(create_strategy(name), kind)


def test_unknown_strategy_names_the_registered_ones() -> None:
    with pytest.raises(UnknownNameError, match="unknown strategy 'nope'") as error:
        create_strategy("nope")
    for name in EXPECTED_NAMES:
        assert name in str(error.value)


def test_create_strategy_parses_loose_values() -> None:
    strategy = create_strategy(
        "tsi-momentum", {"long": "30", "short": 10, "zero_line_filter": "true", "stop_atr": "1.5"}
    )
    params = strategy.params
    assert (params.long, params.short, params.signal) == (30, 10, 7)
    assert params.zero_line_filter is True
    assert params.stop_atr == 1.5
    assert create_strategy("sma-cross", {"fast": "5.0"}).params.fast == 5


# ---------------------------------------------------------------- parameter errors
def test_unknown_parameter_lists_the_valid_ones() -> None:
    with pytest.raises(InvalidInputError, match="no parameter 'fats'") as error:
        create_strategy("sma-cross", {"fats": "3"})
    assert "valid parameters: fast, min_bars, mode, slow" in str(error.value)
    with pytest.raises(InvalidInputError, match=r"valid parameters: min_bars$"):
        create_strategy("buy-and-hold", {"x": 1})

    class Parameterless(BarStrategy[NoParameters]):
        name: ClassVar[str] = "parameterless"
        description: ClassVar[str] = "takes no parameters"

        @property
        def warmup(self) -> int:
            return 0

        def decide(self, history: pd.DataFrame, context: StrategyContext) -> None:
            return None

    with pytest.raises(InvalidInputError, match="valid parameters: none"):
        Parameterless.parse_params({"x": 1})


@pytest.mark.parametrize(
    ("name", "values", "message"),
    [
        ("sma-cross", {"fast": "ten"}, "parameter 'fast': value 'ten' is not a valid int"),
        ("sma-cross", {"slow": 2.5}, "parameter 'slow': value 2.5 is not a valid int"),
        ("sma-cross", {"slow": True}, "parameter 'slow': value 'true' is not a valid int"),
        ("macd-cross", {"stop_atr": "x"}, "parameter 'stop_atr': value 'x' is not a valid float"),
        ("macd-cross", {"stop_atr": "nan"}, "parameter 'stop_atr'.*not a valid float"),
        # the plain ASCII grammar of every other number: no underscores, no other scripts'
        # digits, the typed text named (not the float it would have become)
        ("sma-cross", {"fast": "1_0"}, "parameter 'fast': value '1_0' is not a valid int"),
        ("sma-cross", {"fast": "\u0663"}, "parameter 'fast': value '\u0663' is not a valid int"),
        ("sma-cross", {"fast": "\uff11\uff10"}, "value '\uff11\uff10' is not a valid int"),
        ("sma-cross", {"fast": "1e400"}, "value '1e400' is beyond a 64-bit whole number"),
        ("macd-cross", {"stop_atr": "1_5"}, "value '1_5' is not a valid float"),
        ("macd-cross", {"stop_atr": "1e400"}, "parameter 'stop_atr': value '1e400'.*finite"),
        (
            "tsi-momentum",
            {"zero_line_filter": "maybe"},
            "parameter 'zero_line_filter': value 'maybe' is not a valid bool",
        ),
    ],
)
def test_bad_parameter_values(name: str, values: dict[str, object], message: str) -> None:
    with pytest.raises(InvalidInputError, match=message):
        create_strategy(name, values)


@pytest.mark.parametrize(
    ("name", "values", "message"),
    [
        ("sma-cross", {"slow": "1"}, "parameter 'slow' must be at least 2, got 1"),
        ("sma-cross", {"fast": 30, "slow": 20}, "'fast' \\(30\\) must be smaller than 'slow'"),
        ("macd-cross", {"fast": 26, "slow": 12}, "'fast' \\(26\\) must be smaller than 'slow'"),
        ("macd-cross", {"target_atr": -1}, "parameter 'target_atr' must be at least 0"),
        ("tsi-momentum", {"long": 0}, "parameter 'long' must be at least 1, got 0"),
        ("rsi-divergence", {"period": 1}, "parameter 'period' must be at least 2, got 1"),
        ("rsi-divergence", {"pivot_width": 0}, "parameter 'pivot_width' must be at least 1"),
    ],
)
def test_parameter_ranges(name: str, values: dict[str, object], message: str) -> None:
    with pytest.raises(InvalidInputError, match=message):
        create_strategy(name, values)


def test_constructor_rejects_foreign_parameter_objects() -> None:
    macd_params = get_strategy_class("macd-cross").parse_params({})
    with pytest.raises(InvalidInputError, match="expects SmaCrossParameters"):
        get_strategy_class("sma-cross")(macd_params)


# ---------------------------------------------------------------- real data
@pytest.mark.parametrize("name", VECTORISED_NAMES)
def test_every_strategy_signals_on_spy_daily(load_bars: LoadBars, name: str) -> None:
    bars = load_bars("lean_SPY_1d.csv")
    strategy = create_strategy(name)
    frame = strategy.signals(bars)
    check_frame(frame, bars)
    assert len(frame) >= 1
    first_row = int(bars.index.searchsorted(frame.index[0]))
    assert first_row >= strategy.warmup
    signals = to_signals(frame, name, "SPY")
    assert len(signals) == len(frame)
    assert all(isinstance(signal, Signal) for signal in signals)
    assert signals[0].ts == frame.index[0].to_pydatetime()
    assert signals[0].ts.tzinfo is not None
    assert signals[0].direction is Direction(int(frame["direction"].iloc[0]))


def test_registered_strategies_emit_on_spy_daily(load_bars: LoadBars) -> None:
    """Iterates the registry, so a strategy added later is covered too."""
    bars = load_bars("lean_SPY_1d.csv")
    for name in vectorised_names():
        strategy = create_strategy(name)
        assert isinstance(strategy, Strategy)
        assert len(strategy.signals(bars)) >= 1, name


def test_rsi_divergence_gives_several_signals_both_ways(load_bars: LoadBars) -> None:
    frame = create_strategy("rsi-divergence").signals(load_bars("lean_SPY_1d.csv"))
    assert (frame["direction"] == 1).sum() >= 5
    assert (frame["direction"] == -1).sum() >= 5


def _cut_points(length: int, warmup: int, count: int = 25) -> list[int]:
    start = min(max(warmup - 2, 0), length - 1)
    return sorted(set(np.linspace(start, length - 1, count).astype(int).tolist()))


def assert_causal(strategy: Strategy[Any], bars: pd.DataFrame) -> None:
    """``signals(bars[: t + 1])`` equals ``signals(bars)`` up to ``t`` for 25 cut points."""
    full = strategy.signals(bars)
    for cut in _cut_points(len(bars), strategy.warmup):
        label = bars.index[cut]
        partial = strategy.signals(bars.iloc[: cut + 1])
        pd.testing.assert_frame_equal(
            partial.loc[:label], full.loc[:label], check_exact=True, obj=f"{strategy.name}@{cut}"
        )


@pytest.mark.parametrize("data", ["daily", "hourly"])
def test_every_strategy_is_causal(load_bars: LoadBars, data: str) -> None:
    if data == "daily":
        bars = load_bars("lean_SPY_1d.csv")
    else:
        bars = load_bars("lean_SPY_1h.csv").iloc[-3000:]
    for name in vectorised_names():
        strategy = create_strategy(name)
        assert isinstance(strategy, Strategy)
        assert_causal(strategy, bars)


class _PeekingStrategy(Strategy[NoParameters]):
    """Deliberately non-causal (not registered): longs when TOMORROW's close is higher."""

    name: ClassVar[str] = "peeking"
    description: ClassVar[str] = "test double"

    @property
    def warmup(self) -> int:
        return 0

    def compute(self, bars: pd.DataFrame) -> pd.DataFrame:
        close = bars["close"].to_numpy()
        positions = np.flatnonzero(close[1:] > close[:-1])
        count = positions.shape[0]
        return make_signal_frame(bars, positions, np.ones(count), reason=["peek"] * count)


def test_causality_check_catches_a_peeking_strategy(load_bars: LoadBars) -> None:
    with pytest.raises(AssertionError):
        assert_causal(_PeekingStrategy(), load_bars("lean_SPY_1d.csv"))
    assert "peeking" not in strategy_names()


def test_signals_ignore_extra_columns_and_reject_bad_frames(load_bars: LoadBars) -> None:
    bars = load_bars("lean_SPY_1d.csv").iloc[:300]
    strategy = create_strategy("macd-cross")
    with_extra = bars.assign(symbol="SPY", vwap=bars["close"])
    pd.testing.assert_frame_equal(strategy.signals(with_extra), strategy.signals(bars))
    with pytest.raises(InvalidInputError, match="missing column\\(s\\) low"):
        strategy.signals(bars.drop(columns="low"))
    with pytest.raises(InvalidInputError, match="timezone-aware"):
        strategy.signals(bars.tz_localize(None))
    with pytest.raises(InvalidInputError, match="sorted ascending"):
        strategy.signals(bars.iloc[::-1])
    empty = strategy.signals(bars.iloc[:0])
    assert len(empty) == 0
    assert list(empty.columns) == list(SIGNAL_COLUMNS)
    assert len(strategy.signals(bars.iloc[:10])) == 0


# ---------------------------------------------------------------- sma-cross semantics
def test_sma_cross_reproduces_backtrader_crossover(
    reference_data: Path, load_bars: LoadBars
) -> None:
    reference = json.loads(
        (reference_data / "reference" / "backtrader_tests_public.json").read_text()
    )
    expected = reference["sma_cross_strategy"]
    bars = load_bars("bt_2006-day-001_1d.csv")
    frame = create_strategy("sma-cross", {"fast": 1, "slow": 15}).signals(bars)
    close = bars["close"]
    ups = frame.index[frame["direction"] == 1]
    # backtrader buys on every up-cross while flat and closes on the next down-cross
    assert [f"{value:.2f}" for value in close[ups]] == expected["buycreate_close"]
    downs = frame.index[(frame["direction"] == -1) & (frame.index > ups[0])]
    assert [f"{value:.2f}" for value in close[downs]] == expected["sellcreate_close"]
    assert frame["reason"].iloc[0].startswith("close 3641.42 crossed above SMA(15) ")


def test_sma_cross_reproduces_backtesting_py_goog(load_bars: LoadBars) -> None:
    bars = load_bars("btpy_GOOG_1d.csv")
    frame = create_strategy("sma-cross").signals(bars)
    # backtesting.py's README run: 93 closed trades + 1 open trade = 94 crosses
    assert len(frame) == 94
    fast, slow = bars["close"].rolling(10).mean(), bars["close"].rolling(20).mean()
    strict = ((fast.shift() < slow.shift()) & (fast > slow)) | (
        (fast.shift() > slow.shift()) & (fast < slow)
    )
    assert frame.index.equals(bars.index[strict.to_numpy()])
    assert (np.diff(frame["direction"].to_numpy().astype(int)) != 0).all()  # alternate


def test_sma_cross_exact_zero_difference_is_not_a_double_cross() -> None:
    # price mode (fast <= 1): close against SMA(2); values chosen so the difference is exact
    closes = [10.0, 10.0, 8.0, 8.0, 8.0, 12.0, 10.0, 10.0, 6.0]
    # SMA(2):   nan, 10,   9,   8,   8,   10,   11,   10,   8
    # close-SMA: nan, 0,  -1,   0,   0,    2,   -1,    0,  -2
    bars = make_bars(closes)
    frame = create_strategy("sma-cross", {"fast": 1, "slow": 2}).signals(bars)
    assert [bars.index.get_loc(label) for label in frame.index] == [5, 6]
    assert frame["direction"].tolist() == [1, -1]
    assert frame["reason"].tolist() == [
        "close 12 crossed above SMA(2) 10",
        "close 10 crossed below SMA(2) 11",
    ]


def test_sma_cross_touch_and_return_is_no_cross() -> None:
    closes = [10.0, 10.0, 12.0, 11.0, 12.0, 13.0]
    # SMA(2):  nan, 10, 11, 11.5, 11.5, 12.5 -> d: nan, 0, 1, -0.5, 0.5, 0.5
    frame = create_strategy("sma-cross", {"fast": 0, "slow": 2}).signals(make_bars(closes))
    assert frame["direction"].tolist() == [-1, 1]
    closes = [10.0, 12.0, 11.0, 11.0, 13.0]
    # SMA(2): nan, 11, 11.5, 11, 12 -> d: nan, 1, -0.5, 0, 1 : down at 2, up at 4 (through 0)
    frame = create_strategy("sma-cross", {"fast": 1, "slow": 2}).signals(make_bars(closes))
    assert frame["direction"].tolist() == [-1, 1]
    assert [label.day for label in frame.index] == [3, 5]


def test_sma_cross_first_cross_after_warmup() -> None:
    # fast SMA(2) is above SMA(3) from the first bar both exist: that is no cross
    closes = [1.0, 2.0, 3.0, 4.0, 5.0, 4.0, 3.0, 2.0]
    bars = make_bars(closes)
    strategy = create_strategy("sma-cross", {"fast": 2, "slow": 3})
    frame = strategy.signals(bars)
    assert strategy.warmup == 3
    assert len(frame) == 1
    # SMA2: 4.5@5, SMA3: 4.33@5 ; SMA2 3.5@6 < SMA3 4@6 -> first cross at row 6
    assert bars.index.get_loc(frame.index[0]) == 6
    assert frame["direction"].iloc[0] == -1
    assert frame["confidence"].iloc[0] == 1.0
    assert np.isnan(frame["stop"].iloc[0])
    assert np.isnan(frame["target"].iloc[0])


# ---------------------------------------------------------------- macd / tsi details
def test_macd_cross_atr_stop_and_target(load_bars: LoadBars) -> None:
    bars = load_bars("lean_SPY_1d.csv").iloc[:800]
    plain = create_strategy("macd-cross").signals(bars)
    assert plain["stop"].isna().all()
    assert plain["target"].isna().all()
    frame = create_strategy("macd-cross", {"stop_atr": 2, "target_atr": "3"}).signals(bars)
    pd.testing.assert_index_equal(frame.index, plain.index)
    close = bars["close"].reindex(frame.index)
    sign = frame["direction"].astype(float)
    implied_atr_stop = (close - frame["stop"]) / (2 * sign)
    implied_atr_target = (frame["target"] - close) / (3 * sign)
    np.testing.assert_allclose(implied_atr_stop, implied_atr_target, rtol=1e-9)
    assert (implied_atr_stop > 0).all()
    longs = frame[frame["direction"] == 1]
    assert (longs["stop"] < close[longs.index]).all()
    assert (longs["target"] > close[longs.index]).all()
    assert frame["reason"].str.match(r"MACD -?[\d.]+ crossed (above|below) signal -?[\d.]+").all()


def test_tsi_zero_line_filter(load_bars: LoadBars) -> None:
    bars = load_bars("lean_SPY_1d.csv")
    plain = create_strategy("tsi-momentum").signals(bars)
    filtered = create_strategy("tsi-momentum", {"zero_line_filter": True}).signals(bars)
    assert 0 < len(filtered) < len(plain)
    assert filtered.index.isin(plain.index).all()
    values = filtered["reason"].str.extract(r"^TSI (-?[\d.]+)")[0].astype(float)
    assert ((filtered["direction"] == 1) == (values > 0)).all()


# ---------------------------------------------------------------- rsi-divergence
def divergence_series() -> np.ndarray:
    rise = 100.0 + np.arange(30) * 1.0  # steady rise: no pivots
    crash = rise[-1] - 5.0 * np.arange(1, 9)  # sharp fall: very low RSI at the first low
    rebound = crash[-1] + 2.0 * np.arange(1, 7)
    steps = np.tile([-1.6, 0.5], 12)  # slow grind down to a LOWER low, RSI much higher
    grind = rebound[-1] + np.cumsum(steps)
    recovery = grind[-1] + 2.0 * np.arange(1, 11)
    return np.concatenate([rise, crash, rebound, grind, recovery])


def test_rsi_divergence_long_at_confirmation_of_second_pivot() -> None:
    bars = make_bars(divergence_series(), spread=0.25)
    strategy = create_strategy("rsi-divergence")  # period 14, pivot_width 3, lookback 60
    lows = pivot_lows(bars["low"].to_numpy(), 3)
    assert len(lows) == 2  # the construction has exactly two pivot lows
    first, second = lows.tolist()
    low = bars["low"].to_numpy()
    strength = rsi(bars["close"].to_numpy(), 14)
    assert low[second] < low[first]
    assert strength[second] > strength[first] + 5

    frame = strategy.signals(bars)
    assert len(frame) == 1
    assert bars.index.get_loc(frame.index[0]) == second + 3
    assert frame["direction"].iloc[0] == 1
    assert frame["stop"].iloc[0] == low[second]
    expected_confidence = min(1.0, (strength[second] - strength[first]) / 20.0)
    assert frame["confidence"].iloc[0] == pytest.approx(expected_confidence)
    assert frame["reason"].iloc[0].startswith("bullish RSI divergence: low ")
    # not known before the pivot is confirmed
    assert len(strategy.signals(bars.iloc[: second + 3])) == 0
    # beyond the lookback the pair does not count
    narrow = create_strategy("rsi-divergence", {"lookback": second - first - 1})
    assert len(narrow.signals(bars)) == 0
    # an ATR stop replaces the pivot stop
    atr_stop = create_strategy("rsi-divergence", {"stop_atr": 1}).signals(bars)
    assert atr_stop["stop"].iloc[0] != low[second]
    assert atr_stop["stop"].iloc[0] < bars["close"].iloc[second + 3]


def test_rsi_divergence_bearish_mirror() -> None:
    closes = 400.0 - divergence_series()
    bars = make_bars(closes, spread=0.25)
    frame = create_strategy("rsi-divergence").signals(bars)
    assert frame["direction"].tolist() == [-1]
    assert frame["reason"].iloc[0].startswith("bearish RSI divergence: high ")


# ---------------------------------------------------------------- buy-and-hold / to_signals
def _context(bars: pd.DataFrame, state: dict[str, Any]) -> StrategyContext:
    ts = bars.index[-1].to_pydatetime()
    return StrategyContext(
        strategy="buy-and-hold",
        symbol="ABC",
        ts=ts,
        bar_index=len(bars) - 1,
        cash=Decimal(100),
        equity=Decimal(100),
        state=state,
    )


def test_buy_and_hold_goes_long_on_the_first_bar_it_sees_and_only_then() -> None:
    bars = make_bars([10.0, 11.0, 12.0])
    strategy = create_strategy("buy-and-hold")
    assert isinstance(strategy, BarStrategy)
    first = strategy.decision(bars, _context(bars, {}))  # at the 3rd bar of the history
    assert isinstance(first.action, Signal)
    assert first.action.direction is Direction.LONG
    assert first.state == {"entered": True}
    assert strategy.decision(bars, _context(bars, {"entered": True})).action is None


def test_to_signals() -> None:
    bars = make_bars([10.0, 11.0, 12.0])
    frame = make_signal_frame(bars, [0], 1, reason="buy and hold: enter long at the first bar")
    assert frame.index.tolist() == [bars.index[0]]
    [signal] = to_signals(frame, "buy-and-hold", "ABC")
    assert signal.direction is Direction.LONG
    assert signal.stop is None
    assert signal.target is None
    assert (signal.strategy, signal.symbol, signal.confidence) == ("buy-and-hold", "ABC", 1.0)
    stop_frame = frame.assign(stop=9.5, target=12.25)
    [with_levels] = to_signals(stop_frame, "buy-and-hold", "ABC")
    assert with_levels.stop == Decimal("9.5")
    assert with_levels.target == Decimal("12.25")
