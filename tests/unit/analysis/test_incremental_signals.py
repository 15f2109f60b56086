"""A strategy's incremental form (``Strategy.incremental``), stepped bar by bar, gives exactly
the rows of the whole-history computation at every bar: the same frame rows (values, reasons,
dtypes) and the same domain signals, on random series with long flat stretches, gaps and
spikes, and on real data.

This is what lets the live tick step the form instead of recomputing the history
(``paperdesk.live.signal_cache``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from paperdesk.analysis.strategies import create_strategy
from paperdesk.analysis.strategies.base import Strategy, to_signals
from paperdesk.analysis.strategies.incremental import Bars, FrameColumns, StepRefused

LoadBars = Callable[[str], pd.DataFrame]

VARIANTS: list[tuple[str, dict[str, Any]]] = [
    ("macd-cross", {}),
    ("macd-cross", {"fast": 3, "slow": 7, "signal": 4, "stop_atr": 2.0, "target_atr": 3.0}),
    ("macd-cross", {"fast": 5, "slow": 12, "signal": 3, "min_bars": 150}),
    ("tsi-momentum", {}),
    ("tsi-momentum", {"long": 8, "short": 4, "signal": 3, "stop_atr": 1.5}),
    ("tsi-momentum", {"long": 6, "short": 3, "signal": 2, "zero_line_filter": True}),
    ("rsi-divergence", {}),
    ("rsi-divergence", {"period": 5, "pivot_width": 2, "lookback": 20, "target_atr": 2.0}),
    ("rsi-divergence", {"period": 3, "pivot_width": 1, "lookback": 8, "stop_atr": 1.0}),
    ("rsi-divergence", {"period": 4, "pivot_width": 1, "lookback": 300, "min_bars": 100}),
]
NAMES = sorted({name for name, _ in VARIANTS})


def built(name: str, parameters: dict[str, Any]) -> Strategy[Any]:
    strategy = create_strategy(name, parameters)
    assert isinstance(strategy, Strategy)
    return strategy


def frame_of(closes: np.ndarray, spread: np.ndarray) -> pd.DataFrame:
    """Bars around ``closes``: the high and low ``spread`` away (0: a bar of one price)."""
    index = pd.date_range("2001-01-01", periods=closes.shape[0], freq="h", tz="UTC", name="ts")
    return pd.DataFrame(
        {
            "open": closes,
            "high": closes + spread,
            "low": closes - spread,
            "close": closes,
            "volume": 1000.0,
        },
        index=index,
    )


# a piece of a series: (kind, length, size) with kind "walk", "flat", "gap" or "spike"
PIECE = st.tuples(
    st.sampled_from(["walk", "walk", "flat", "gap", "spike"]),
    st.integers(1, 150),
    st.floats(0.001, 0.3),
)


def series(pieces: list[tuple[str, int, float]], seed: int) -> pd.DataFrame:
    """A made-up price series from ``pieces``: random walks, runs of one identical price
    (high = low = close), jumps (gaps) and one-bar spikes."""
    random = np.random.default_rng(seed)
    price = 100.0
    closes: list[float] = []
    spreads: list[float] = []
    for kind, length, size in pieces:
        if kind == "walk":
            for step in random.normal(0.0, size / 10, length):
                price = max(1.0, price * (1.0 + step))
                closes.append(round(price, 2))
                spreads.append(round(abs(random.normal(0.0, price * size / 20)), 2))
        elif kind == "flat":
            closes.extend([price] * length)
            spreads.extend([0.0] * length)
        elif kind == "gap":
            price = max(1.0, price * (1.0 + (size if random.random() < 0.5 else -size / 2)))
            closes.append(round(price, 2))
            spreads.append(0.5)
        else:  # a spike: one bar far away, then back
            closes.append(round(price * (1.0 + size * 5), 2))
            spreads.append(round(price * size, 2))
    return frame_of(np.asarray(closes, dtype=np.float64), np.asarray(spreads, dtype=np.float64))


def compare_stepped(strategy: Strategy[Any], bars: pd.DataFrame, start: int) -> int:
    """Open the form on ``bars[: start + 1]``, step it through the rest and compare every bar
    with the whole history's rows; the number of rows compared."""
    full = strategy.signals(bars)
    with_rows = set(bars.index.get_indexer(full.index).tolist())
    form = strategy.incremental(bars.iloc[: start + 1])
    assert form is not None, f"{strategy.name}: no form on {start + 1} bars"
    compared = 0
    columns = FrameColumns(bars)
    for index in range(start + 1, len(bars)):
        rows = form.step(Bars(columns, index + 1), index)
        where = f"{strategy.name} {strategy.params} bar {index}"
        if index not in with_rows:
            assert rows is None, f"{where}: the form has a row, the whole history none"
            continue
        assert rows is not None, f"{where}: the whole history has a row, the form none"
        label = bars.index[index]
        expected = full.loc[label:label]
        pd.testing.assert_frame_equal(rows, expected, check_exact=True, obj=where)
        assert to_signals(rows, strategy.name, "X") == to_signals(expected, strategy.name, "X")
        compared += len(rows)
    return compared


@settings(
    max_examples=12,  # x 10 variants, each stepping every bar of up to 1,200 (the suite's time)
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(
    pieces=st.lists(PIECE, min_size=3, max_size=8),
    seed=st.integers(0, 2**32 - 1),
    start_share=st.floats(0.0, 0.9),
)
@pytest.mark.parametrize(("name", "parameters"), VARIANTS)
def test_the_stepped_form_equals_the_whole_history_on_random_series(
    name: str,
    parameters: dict[str, Any],
    pieces: list[tuple[str, int, float]],
    seed: int,
    start_share: float,
) -> None:
    strategy = built(name, parameters)
    bars = series(pieces, seed)
    opened = strategy.incremental(bars.iloc[: 2 * strategy.warmup + 2])
    if opened is None or len(bars) < 2 * strategy.warmup + 3:
        return  # too short to open a form (the tick computes the whole history)
    first = 2 * strategy.warmup + 1
    start = first + int(start_share * (len(bars) - 1 - first))
    compare_stepped(strategy, bars, start)


@pytest.mark.parametrize("name", NAMES)
def test_the_stepped_form_equals_the_whole_history_on_real_data(
    load_bars: LoadBars, name: str
) -> None:
    """Hourly SPY and EURUSD, default and other parameters: rows are found and all equal."""
    compared = 0
    for file in ("lean_SPY_1h.csv", "lean_oanda_EURUSD_1h.csv"):
        bars = load_bars(file).iloc[-1500:]
        for variant_name, parameters in VARIANTS:
            if variant_name == name:
                compared += compare_stepped(built(name, parameters), bars, 300)
    assert compared > 20, f"{name}: too few signal rows compared ({compared})"


def trend_then_flat(flat: int) -> pd.DataFrame:
    """300 rising closes, ``flat`` identical ones, then one up-move (made-up prices)."""
    closes = [100.0 + 0.5 * i for i in range(300)] + [250.0] * flat + [251.0]
    return frame_of(np.asarray(closes), np.zeros(len(closes)))


@pytest.mark.parametrize("name", ["macd-cross", "tsi-momentum"])
def test_after_a_long_flat_stretch_the_stepped_form_gives_the_whole_history_cross(
    name: str,
) -> None:
    """After 3,000 identical closes the whole history keeps a tiny leftover of the old trend
    (with its sign) that a window of the latest bars computes as exactly 0, so a bounded
    window missed the next cross; the stepped form carries the leftover and gives the
    cross of the whole history."""
    strategy = built(name, {})
    bars = trend_then_flat(3000)
    label = bars.index[-1]
    full = strategy.signals(bars).loc[label:]
    if name == "macd-cross":
        assert [int(value) for value in full["direction"]] == [1]  # a cross up in the full
    form = strategy.incremental(bars.iloc[:200])
    assert form is not None
    rows = None
    columns = FrameColumns(bars)
    for index in range(200, len(bars)):
        rows = form.step(Bars(columns, index + 1), index)
    if len(full) == 0:
        assert rows is None
    else:
        assert rows is not None
        pd.testing.assert_frame_equal(rows, full, check_exact=True)


def test_a_form_refuses_a_bar_it_cannot_step_exactly() -> None:
    """A non-finite price, or a bar not after the previous one: ``StepRefused`` (the tick
    computes the whole history)."""
    closes = 100.0 + np.sin(np.arange(400) / 7.0) * 5
    bars = frame_of(closes, np.full(400, 0.5))
    for name in NAMES:
        strategy = built(name, {})
        broken = bars.copy()
        broken.iloc[350, broken.columns.get_loc("close")] = np.nan
        form = strategy.incremental(broken.iloc[:350])
        assert form is not None
        with pytest.raises(StepRefused):
            form.step(Bars(broken, 351), 350)
        assert strategy.incremental(broken.iloc[:351]) is None  # no form on a NaN either
        repeated = bars.iloc[[*range(351), 350]]
        form = strategy.incremental(bars.iloc[:351])
        assert form is not None
        with pytest.raises(StepRefused):
            form.step(Bars(repeated), 351)


def test_the_pandas_seeded_averages_have_no_form() -> None:
    """``ema_seed="first"`` (pandas ewm) is not stepped: those parameters compute the whole
    history; so does a strategy without a form (sma-cross)."""
    bars = frame_of(100.0 + np.arange(300) % 17, np.full(300, 0.5))
    assert built("macd-cross", {"ema_seed": "first"}).incremental(bars) is None
    assert built("tsi-momentum", {"ema_seed": "first"}).incremental(bars) is None
    assert built("sma-cross", {}).incremental(bars) is None
    assert built("macd-cross", {}).incremental(bars) is not None
