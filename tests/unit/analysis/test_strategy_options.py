"""The built-in strategies' options: ``sma-cross`` ``mode=cross|level`` and every strategy's
``min_bars``, by hand on real bundled data."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import numpy as np
import pandas as pd
import pytest

from paperdesk.analysis import create_strategy
from paperdesk.analysis.strategies.base import Strategy
from paperdesk.analysis.strategies.sma_cross import level_changes
from paperdesk.domain import Direction, InvalidInputError
from paperdesk.domain.decisions import StrategyContext

LoadBars = Callable[[str], pd.DataFrame]


def _sides_by_hand(difference: pd.Series) -> list[tuple[int, int]]:
    """(row, side) whenever the sign of the last non-zero difference is first known or flips."""
    changes: list[tuple[int, int]] = []
    side = 0
    for row, value in enumerate(difference.tolist()):
        if np.isnan(value) or value == 0.0:
            continue
        now = 1 if value > 0 else -1
        if now != side:
            changes.append((row, now))
            side = now
    return changes


def test_level_mode_enters_on_the_first_bar_the_condition_holds(load_bars: LoadBars) -> None:
    bars = load_bars("bt_2006-day-001_1d.csv")
    close = bars["close"]
    difference = close - close.rolling(15).mean()
    level = create_strategy("sma-cross", {"fast": 1, "slow": 15, "mode": "level"}).signals(bars)
    cross = create_strategy("sma-cross", {"fast": 1, "slow": 15}).signals(bars)
    expected = _sides_by_hand(difference)
    assert [(bars.index.get_loc(ts), int(d)) for ts, d in level["direction"].items()] == expected
    # the first decision is the first bar with both lines (row 14, 2006-01-20): the close
    # 3550.80 is below its SMA(15) 3629.45, so level mode says "below" there ...
    first = level.iloc[0]
    assert level.index[0] == pd.Timestamp("2006-01-20", tz="UTC") == bars.index[14]
    assert (int(first["direction"]), first["reason"]) == (
        -1,
        "close 3550.8 is below SMA(15) 3629.45",
    )
    # ... where cross mode waits for the first cross; after that the two agree bar for bar
    assert cross.index[0] == pd.Timestamp("2006-01-26", tz="UTC")
    pd.testing.assert_series_equal(level["direction"].iloc[1:], cross["direction"])


def test_level_mode_with_fast_and_slow_averages(load_bars: LoadBars) -> None:
    bars = load_bars("btpy_GOOG_1d.csv")
    close = bars["close"]
    difference = close.rolling(10).mean() - close.rolling(20).mean()
    level = create_strategy("sma-cross", {"mode": "level"}).signals(bars)
    expected = _sides_by_hand(difference)
    assert [(bars.index.get_loc(ts), int(d)) for ts, d in level["direction"].items()] == expected
    assert expected[0][0] == 19  # both averages exist from row slow - 1
    assert create_strategy("sma-cross", {"mode": "level"}).warmup == 19
    assert create_strategy("sma-cross").warmup == 20


def test_min_bars_delays_the_first_level_decision_to_that_row(load_bars: LoadBars) -> None:
    bars = load_bars("bt_2006-day-001_1d.csv")
    params = {"fast": 1, "slow": 15, "mode": "level", "min_bars": 100}
    frame = create_strategy("sma-cross", params).signals(bars)
    # row 100 (2006-05-25): close 3635.00 is 81.21 below its SMA(15): the first decision, a
    # short signal there, although the close has been below since 2006-05-12 (no cross at 100)
    assert frame.index[0] == bars.index[100] == pd.Timestamp("2006-05-25", tz="UTC")
    assert int(frame["direction"].iloc[0]) == -1
    assert frame["reason"].iloc[0] == "close 3635 is below SMA(15) 3716.21"
    whole = create_strategy("sma-cross", {**params, "min_bars": 0}).signals(bars)
    pd.testing.assert_frame_equal(frame.iloc[1:], whole[whole.index > bars.index[100]])


@pytest.mark.parametrize(
    ("name", "params"),
    [
        ("sma-cross", {}),
        ("sma-cross", {"fast": 1, "slow": 15}),
        ("macd-cross", {"stop_atr": 2.0}),
        ("macd-cross", {"ema_seed": "first"}),
        ("tsi-momentum", {}),
        ("rsi-divergence", {}),
    ],
)
@pytest.mark.parametrize("min_bars", [1, 35, 1000, 10_000])
def test_min_bars_drops_exactly_the_decisions_before_that_row(
    load_bars: LoadBars, name: str, params: dict[str, object], min_bars: int
) -> None:
    bars = load_bars("lean_SPY_1d.csv")
    whole = create_strategy(name, params).signals(bars)
    strategy = create_strategy(name, {**params, "min_bars": min_bars})
    delayed = strategy.signals(bars)
    kept = whole[bars.index.get_indexer(whole.index) >= min_bars]
    pd.testing.assert_frame_equal(delayed, kept)
    first_row = int(bars.index.get_indexer(whole.index[:1])[0])
    assert (len(kept) < len(whole)) == (min_bars > first_row)  # before the warm-up: no change
    assert strategy.warmup >= min_bars
    assert strategy.warmup == max(create_strategy(name, params).warmup, min_bars)


def test_min_bars_zero_is_today(load_bars: LoadBars) -> None:
    bars = load_bars("lean_SPY_1d.csv")
    for name in ("sma-cross", "macd-cross", "tsi-momentum", "rsi-divergence"):
        strategy = create_strategy(name, {"min_bars": 0})
        assert isinstance(strategy, Strategy)
        pd.testing.assert_frame_equal(strategy.signals(bars), create_strategy(name).signals(bars))


def test_min_bars_longer_than_the_history_gives_no_signal(load_bars: LoadBars) -> None:
    bars = load_bars("bt_2006-day-001_1d.csv")
    frame = create_strategy("sma-cross", {"mode": "level", "min_bars": 255}).signals(bars)
    assert frame.empty
    assert list(frame.columns) == list(create_strategy("sma-cross").signals(bars))


def _context(bars: pd.DataFrame) -> StrategyContext:
    """The context at the close of the last bar of ``bars`` (a daily bar closes a day later)."""
    return StrategyContext(
        strategy="buy-and-hold",
        symbol="SPY",
        ts=(bars.index[-1] + pd.Timedelta(days=1)).to_pydatetime(),
        bar_index=len(bars) - 1,
        cash=Decimal(10_000),
        equity=Decimal(10_000),
    )


def test_buy_and_hold_waits_min_bars(load_bars: LoadBars) -> None:
    bars = load_bars("lean_SPY_1d.csv").iloc[:40]
    strategy = create_strategy("buy-and-hold", {"min_bars": 30})
    assert strategy.warmup == 30
    assert strategy.decision(bars.iloc[:30], _context(bars.iloc[:30])).action is None
    decision = strategy.decision(bars.iloc[:31], _context(bars.iloc[:31]))
    assert decision.action is not None
    assert decision.action.direction is Direction.LONG
    default = create_strategy("buy-and-hold")
    assert default.decision(bars.iloc[:1], _context(bars.iloc[:1])).action is not None


@pytest.mark.parametrize(
    ("name", "values", "message"),
    [
        (
            "sma-cross",
            {"mode": "levels"},
            "parameter 'mode' must be one of cross, level, got 'levels'",
        ),
        ("sma-cross", {"mode": "LEVEL"}, "parameter 'mode' must be one of cross, level"),
        ("sma-cross", {"min_bars": "-1"}, "parameter 'min_bars' must be at least 0, got -1"),
        ("macd-cross", {"min_bars": "2.5"}, "parameter 'min_bars': value '2.5' is not a valid int"),
        ("tsi-momentum", {"min_bars": -3}, "parameter 'min_bars' must be at least 0"),
        ("rsi-divergence", {"min_bars": -1}, "parameter 'min_bars' must be at least 0"),
        ("buy-and-hold", {"min_bars": "many"}, "parameter 'min_bars': value 'many'"),
    ],
)
def test_bad_option_values_name_the_parameter(
    name: str, values: dict[str, object], message: str
) -> None:
    with pytest.raises(InvalidInputError, match=message.replace("(", r"\(")):
        create_strategy(name, values)


def test_level_changes_keeps_the_side_through_an_exact_zero_and_nan() -> None:
    rows, sides = level_changes([np.nan, 0.0, 2.0, 0.0, np.nan, 3.0, -1.0, 0.0, 1.0])
    assert rows.tolist() == [2, 6, 8]
    assert sides.tolist() == [1, -1, 1]
    rows, sides = level_changes([np.nan, -2.0, -1.0, -3.0, 4.0], min_bars=3)
    assert (rows.tolist(), sides.tolist()) == ([3, 4], [-1, 1])


@pytest.mark.parametrize(
    ("name", "params"),
    [
        ("sma-cross", {"mode": "level"}),
        ("sma-cross", {"fast": 1, "slow": 15, "mode": "level", "min_bars": 300}),
        ("sma-cross", {"min_bars": 500}),
        ("macd-cross", {"ema_seed": "first"}),
        ("macd-cross", {"ema_seed": "first", "min_bars": 400}),
        ("tsi-momentum", {"ema_seed": "first", "min_bars": 100}),
        ("rsi-divergence", {"min_bars": 250}),
    ],
)
def test_the_options_keep_the_strategies_causal(
    load_bars: LoadBars, name: str, params: dict[str, object]
) -> None:
    from test_analysis_strategies import assert_causal

    strategy = create_strategy(name, params)
    assert isinstance(strategy, Strategy)
    assert_causal(strategy, load_bars("lean_SPY_1d.csv"))
