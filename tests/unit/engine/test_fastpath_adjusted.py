"""Runs on no tick grid (tick 0: an adjusted series, whose exact prices are raw x each bar's
``price_scale``, with many decimals) on the integer fast path give exactly the event kernel's
result (by repr): the prices in units of their own decimals plus the slippage factor's
(``fastpath/price_grid.py``)."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal, getcontext, localcontext
from typing import Any

import numpy as np
import pandas as pd
import pytest
from engine_builders import Scripted, make_bars
from hypothesis import assume, event, given, settings
from hypothesis import strategies as st
from test_fastpath_brackets import BRACKET_PARAMETERS, bracket_scripts
from test_fastpath_equivalence import assert_identical, bar_series, eligible_configs
from test_fastpath_signal_sizing import signal_configs

from paperdesk.analysis.strategies.registry import create_strategy
from paperdesk.config import ExecutionConfig, RiskConfig, RunConfig, SizeTiming, SizingConfig
from paperdesk.domain import Instrument
from paperdesk.engine import backtest, fastpath
from paperdesk.engine.backtest import simulate
from paperdesk.engine.fastpath.integer_money import exact_limit
from paperdesk.engine.fastpath.price_grid import price_grid
from paperdesk.engine.result import BacktestResult
from paperdesk.execution import FixedBasisPoints, NoSlippage
from paperdesk.service.backtests import prepare_run

D = Decimal
NO_TICK = replace(Instrument.equity("TEST", calendar="24/7"), tick_size=D(0))
# price scales as Lean factor files give them (price factor x split factor, trailing zeros off)
SCALES = [
    D("0.6566606"),
    D("0.8646266"),
    D("0.9011818"),
    D("0.03218649"),
    D("0.007690763948049"),
    D("0.5"),
    D("1"),
    D("3"),
]


@st.composite
def adjusted_bars(draw: st.DrawFn) -> pd.DataFrame:
    """``bar_series``' two-decimal prices as the raw prices, each bar scaled by one of a few
    factors that change at a few bars (as a factor file's rows do), the floats the strategies
    see their products, as ``data.adjustment.adjusted_frame`` makes them."""
    raw = draw(bar_series())
    count = len(raw)
    changes = sorted(draw(st.lists(st.integers(0, count - 1), max_size=4, unique=True)))
    picks = draw(st.lists(st.sampled_from(SCALES), min_size=len(changes) + 1, max_size=5))
    scales = []
    step = 0
    for row in range(count):
        while step < len(changes) and changes[step] <= row:
            step += 1
        scales.append(picks[step])
    return _adjusted(raw, scales)


def _adjusted(raw: pd.DataFrame, scales: list[Decimal]) -> pd.DataFrame:
    frame = raw.copy()
    factors = np.array([float(scale) for scale in scales])
    for column in ("open", "high", "low", "close"):
        values = raw[column].to_numpy(dtype=np.float64)
        frame[f"raw_{column}"] = values
        frame[column] = values * factors
    frame["price_scale"] = pd.Series(scales, index=raw.index, dtype=object)
    frame.attrs = {**raw.attrs, "adjustment": "split-dividend"}
    return frame


def _eligible(bars: pd.DataFrame, strategy: Any, config: RunConfig, instrument: Instrument) -> bool:
    feed = backtest._BarArrays(bars, instrument.symbol, "1h")
    frame = strategy.signals(bars)
    rows = bars.index.get_indexer(frame.index)
    return backtest._fast_path_eligible(config, instrument, feed, frame, rows)


def _fast_or_skip(bars: pd.DataFrame, strategy: Scripted, config: RunConfig) -> BacktestResult:
    try:
        return simulate(bars, strategy, config, NO_TICK, engine="fastpath")
    except fastpath.FastPathUnsupportedError:
        event("the fast path gave up")
        assume(False)
        raise


def _assert_same_outcome(
    bars: pd.DataFrame, strategy: Scripted, config: RunConfig
) -> BacktestResult | None:
    """The fast path's result, identical to the event kernel's (None when the kernel raises)."""
    assert _eligible(bars, strategy, config, NO_TICK)
    try:
        slow = simulate(bars, strategy, config, NO_TICK, engine="event")
    except (ArithmeticError, AssertionError) as error:
        # the statistics of wild bars can overflow a float; the ledger's cash can need more
        # than the Decimal context's 28 digits (a 15-decimal scale, slippage and a fee: the
        # kernel's own invariant check fails): the fast path fails alike or gives up
        event(f"the event kernel raises {type(error).__name__}")
        with pytest.raises((type(error), fastpath.FastPathUnsupportedError)):
            simulate(bars, strategy, config, NO_TICK, engine="fastpath")
        return None
    fast = _fast_or_skip(bars, strategy, config)
    assert_identical(fast, slow)
    return fast


@st.composite
def scripts(draw: st.DrawFn, count: int) -> dict[int, int]:
    """Plain signals at random bars (sometimes the last), or alternating ones (a crossover's)."""
    rows = draw(st.lists(st.integers(0, count - 1), min_size=1, max_size=count, unique=True))
    if draw(st.booleans()):
        rows.append(count - 1)
    rows = sorted(set(rows))
    if draw(st.booleans()):
        first = draw(st.sampled_from((-1, 1)))
        return {row: first * (-1) ** number for number, row in enumerate(rows)}
    return {row: draw(st.sampled_from((-1, 0, 1, 1, -1))) for row in rows}


@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_adjusted_runs_sized_at_the_signal_equal_the_event_path(data: st.DataObject) -> None:
    """Percent-equity at the signal or all-in at the fill, a fixed quantity, risk per trade
    (no stop: rejected), caps, fees, slippage, cash and shorts as the raw harness draws them."""
    bars = data.draw(adjusted_bars())
    strategy = Scripted(data.draw(scripts(len(bars))))
    _assert_same_outcome(bars, strategy, data.draw(signal_configs()))


@settings(max_examples=200, deadline=None)
@given(data=st.data())
def test_adjusted_runs_all_in_at_the_fill_equal_the_event_path(data: st.DataObject) -> None:
    """All-in sizing at the fill, no cap (the vectorised path), every fee and slippage."""
    bars = data.draw(adjusted_bars())
    strategy = Scripted(data.draw(scripts(len(bars))))
    _assert_same_outcome(bars, strategy, data.draw(eligible_configs()))


@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_adjusted_brackets_equal_the_event_path(data: st.DataObject) -> None:
    """Stops and targets (the floats' shortest reprs, unrounded on tick 0) on adjusted series,
    every sizing, cap, fee, slippage, cash and short setting of the signal-sizing harness."""
    bars = data.draw(adjusted_bars())
    config = data.draw(signal_configs())
    strategy = Scripted(data.draw(bracket_scripts(bars, config.risk.allow_short)))
    _assert_same_outcome(bars, strategy, config)


@settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_adjusted_brackets_all_in_at_the_fill_equal_the_event_path(data: st.DataObject) -> None:
    bars = data.draw(adjusted_bars())
    config = data.draw(eligible_configs())
    strategy = Scripted(data.draw(bracket_scripts(bars, config.risk.allow_short)))
    _assert_same_outcome(bars, strategy, config)


def _default_config(**changes: Any) -> RunConfig:
    """A user's run: 80% of the equity at the signal, the 80% cap, 5 bp, long only."""
    return RunConfig(strategy="scripted", symbol="TEST", timeframe="1h", **changes)


# (raw open, high, low, close) x scale: 97.31 x 0.6566606 = 63.899642986 (9 decimals, as SPY's)
_CORNER_ROWS = [
    (97.31, 97.53, 96.53, 97.36),
    (97.4, 98.0, 97.0, 97.9),
    (98.25, 99.0, 98.0, 98.5),
    (99.1, 99.5, 98.9, 99.2),
    (98.7, 99.0, 98.0, 98.1),
]


@pytest.mark.parametrize(
    ("scale", "bps", "script"),
    [
        (D("0.6566606"), D(5), {0: 1, 2: 0}),  # a buy's slipped open: 13 decimals, unrounded
        (D("0.6566606"), D(5), {0: -1, 2: 1}),  # short off: rejected at the exact close
        (D("0.6566606"), D(0), {0: 1, 3: -1}),  # no slippage: the fill is the exact open
        (D("0.6566606"), D("2.5"), {0: 1, 3: 0}),  # a finer factor (0.00025): 14 decimals
        (D("0.007690763948049"), D(5), {0: 1, 2: 0}),  # AAPL's 15-decimal scale
        (D("3"), D(5), {1: 1, 3: 0}),  # a whole scale: the opens keep the raw one's exponent
    ],
)
def test_adjusted_hand_cases_equal_the_event_path(
    scale: Decimal, bps: Decimal, script: dict[int, int]
) -> None:
    bars = _adjusted(make_bars(_CORNER_ROWS), [scale] * len(_CORNER_ROWS))
    config = _default_config(execution=ExecutionConfig(slippage_bps=bps))
    strategy = Scripted(script)
    fast = simulate(bars, strategy, config, NO_TICK, engine="fastpath")
    assert_identical(fast, simulate(bars, strategy, config, NO_TICK, engine="event"))
    assert fast.fills  # the exact prices: more decimals than the raw cents
    assert fast.fills[0].price.as_tuple().exponent < -2


def test_an_adjusted_buy_fills_at_the_exact_slipped_open() -> None:
    """97.4 x 0.6566606 = 63.95874244, x 1.0005 = 63.990721811220 (no tick to round to)."""
    bars = _adjusted(make_bars(_CORNER_ROWS), [D("0.6566606")] * len(_CORNER_ROWS))
    config = _default_config()
    fast = simulate(bars, Scripted({0: 1, 2: 0}), config, NO_TICK, engine="fastpath")
    assert repr(fast.fills[0].price) == "Decimal('63.990721811220')"
    assert_identical(fast, simulate(bars, Scripted({0: 1, 2: 0}), config, NO_TICK, engine="event"))


def test_the_grid_holds_the_slipped_prices_in_whole_units() -> None:
    """9 decimals of the prices and 4 of the 5 bp factor: units of 10**-13."""

    class Prices:
        def open_price(self, i: int) -> Decimal:
            return [D("63.899642986"), D("63.95874244")][i]

        def close_price(self, i: int) -> Decimal:
            return [D("63.932476016"), D("64.2")][i]

    grid = price_grid(Prices(), [1], [0], 1, FixedBasisPoints(D(5)))
    assert grid.places == 13
    assert grid.raw_ticks.tolist() == [639587424400000]
    assert grid.close_ticks.tolist() == [639324760160000]
    assert grid.last_close == D("64.2")
    assert repr(grid.open_decimals[639587424400000]) == "Decimal('63.95874244')"
    assert price_grid(Prices(), [1], [0], 1, NoSlippage()).places == 9


def test_an_open_of_two_exponents_is_given_up_on() -> None:
    """One value with two Decimals (97.3 x 1 and 48.65 x 2): which one a fill shows is the
    bar's, not kept by the grid's units, so the fast path gives up (the kernel runs it)."""

    class Prices:
        def open_price(self, i: int) -> Decimal:
            return [D("97.3") * D(1), D("48.65") * D(2)][i]

        def close_price(self, i: int) -> Decimal:
            return D("97.3")

    with pytest.raises(fastpath.FastPathUnsupportedError):
        price_grid(Prices(), [0, 1], [0, 0], 1, NoSlippage())


@pytest.mark.parametrize(
    ("script", "exit_price"),
    [
        ({0: (1, 63.5, 64.6), 4: 0}, "64.6"),  # a target reached on bar 2: at its level
        ({0: (1, 60.123456789012345, 64.4), 4: 0}, "64.516903950"),  # bar 2 opens through it
        ({0: (1, 63.0, 64.0), 4: 0}, "64.0"),  # reached on the entry's own bar
        ({0: (1, 64.2, 66.0), 4: 0}, None),  # a stop above the fill: trades on the entry's bar
        ({0: (1, 63.70123456789, 66.0), 4: 0}, None),  # an 11-decimal stop, slipped
    ],
)
def test_adjusted_bracket_hand_cases_equal_the_event_path(
    script: dict[int, Any], exit_price: str | None
) -> None:
    """The legs keep every digit (tick 0); a take-profit fills at its level or at the open it
    gapped through (98.25 x 0.6566606, not slipped), a stop-loss slipped, as the kernel fills."""
    bars = _adjusted(make_bars(_CORNER_ROWS), [D("0.6566606")] * len(_CORNER_ROWS))
    config = _default_config()
    strategy = Scripted(script)
    assert _eligible(bars, strategy, config, NO_TICK)
    fast = simulate(bars, strategy, config, NO_TICK, engine="fastpath")
    assert_identical(fast, simulate(bars, strategy, config, NO_TICK, engine="event"))
    assert len(fast.fills) == 2
    if exit_price is not None:
        assert repr(fast.fills[1].price) == repr(D(exit_price))


def test_a_low_too_close_to_a_leg_to_tell_by_its_float_is_given_up_on() -> None:
    """A stop at the float of an adjusted low: the float cannot tell the exact low from the
    leg, so the fast path gives up (the kernel runs it)."""
    bars = _adjusted(make_bars(_CORNER_ROWS), [D("0.6566606")] * len(_CORNER_ROWS))
    stop = float(bars["low"].iloc[1])  # the entry bar's
    strategy = Scripted({0: (1, stop, 70.0), 4: 0})
    with pytest.raises(fastpath.FastPathUnsupportedError):
        simulate(bars, strategy, _default_config(), NO_TICK, engine="fastpath")
    assert_identical(
        simulate(bars, strategy, _default_config(), NO_TICK),
        simulate(bars, strategy, _default_config(), NO_TICK, engine="event"),
    )


@pytest.mark.parametrize(
    ("symbol", "strategy_name", "parameters"),
    [
        ("SPY", "sma-cross", {}),
        ("SPY", "macd-cross", {}),
        ("SPY", "tsi-momentum", {}),
        ("SPY", "rsi-divergence", {}),  # its stops: brackets
        ("SPY", "macd-cross", BRACKET_PARAMETERS),  # ATR stop and target: brackets
    ],
)
def test_a_default_run_on_the_bundled_adjusted_bars_takes_the_fast_path(
    symbol: str, strategy_name: str, parameters: dict[str, float]
) -> None:
    """A user's run with the defaults (only the strategy and the symbol given) trades the
    bundled series adjusted for splits and dividends: on the fast path, identical."""
    config = RunConfig(strategy=strategy_name, params=parameters, symbol=symbol)
    prepared = prepare_run(config)
    assert prepared.adjust == "split-dividend"
    assert prepared.instrument.tick_size == 0
    strategy = create_strategy(strategy_name, parameters)
    bars, instrument = prepared.bars, prepared.instrument
    assert _eligible_bundled(bars, strategy, config, instrument)
    fast = simulate(bars, strategy, config, instrument, engine="fastpath")
    slow = simulate(bars, strategy, config, instrument, engine="event")
    assert_identical(fast, slow)
    assert len(fast.trades) > 50
    assert min(fill.price.as_tuple().exponent for fill in fast.fills) <= -9  # exact prices


def _eligible_bundled(
    bars: pd.DataFrame, strategy: Any, config: RunConfig, instrument: Instrument
) -> bool:
    feed = backtest._BarArrays(bars, instrument.symbol, "1d")
    frame = strategy.signals(bars)
    rows = bars.index.get_indexer(frame.index)
    return backtest._fast_path_eligible(config, instrument, feed, frame, rows)


@pytest.mark.parametrize(
    ("strategy_name", "parameters"),
    [
        ("sma-cross", {}),
        ("macd-cross", {}),
        ("tsi-momentum", {}),
        ("rsi-divergence", {}),  # its stops: brackets
        ("macd-cross", BRACKET_PARAMETERS),  # ATR stop and target: brackets
    ],
)
def test_a_default_run_on_adjusted_aapl_takes_the_fast_path(
    strategy_name: str, parameters: dict[str, float]
) -> None:
    """AAPL's scales have 15 decimals: its slipped prices are in units of 10**-21, and its
    amounts need more than Python's default 28 digits; paperdesk computes with at least 50
    (``MONEY_PRECISION``), and the fast path's bound follows the context (``exact_limit``), so
    the default run is on the fast path, identical (it gave up to the event kernel before)."""
    config = RunConfig(strategy=strategy_name, params=parameters, symbol="AAPL")
    prepared = prepare_run(config)
    assert prepared.instrument.tick_size == 0
    strategy = create_strategy(strategy_name, parameters)
    bars, instrument = prepared.bars, prepared.instrument
    assert _eligible_bundled(bars, strategy, config, instrument)
    fast = simulate(bars, strategy, config, instrument, engine="fastpath")
    assert_identical(fast, simulate(bars, strategy, config, instrument, engine="event"))
    assert len(fast.trades) > 30
    assert min(fill.price.as_tuple().exponent for fill in fast.fills) <= -17


def _smallest_precision(run: Any) -> int:
    """The fewest Decimal digits at which ``run`` (a fast-path run) does not give up."""
    for precision in range(12, 80):
        with localcontext() as context:
            context.prec = precision
            try:
                run()
            except fastpath.FastPathUnsupportedError:
                continue
            return precision
    raise AssertionError("the fast path gave up at every precision")


_AAPL_SCALE = D("0.007690763948049")


@pytest.mark.parametrize(
    ("script", "commission"),
    [
        ({0: 1, 2: 0, 3: 1}, "none"),  # plain signals
        ({0: 1, 2: -1, 3: 0}, "percent:0.2"),  # a percent fee
        ({0: (1, 0.48, 0.77), 4: 0}, "none"),  # a bracket: its legs on the grid
    ],
)
def test_the_money_bound_follows_the_decimal_context_at_its_edge(
    script: dict[int, Any], commission: str
) -> None:
    """``exact_limit`` is 10**(prec - 1) money units of the run's own context: at the fewest
    digits the fast path accepts the run it equals the event kernel computing with those digits
    (no amount rounded), and one digit fewer it gives up for the amounts' size (the kernel would
    round there); the edge sits where the amounts' digits say, not at the 28 digits once
    hardcoded, and paperdesk's 50 digits are well inside it."""
    bars = _adjusted(make_bars(_CORNER_ROWS), [_AAPL_SCALE] * len(_CORNER_ROWS))
    config = _default_config(
        risk=RiskConfig(allow_short=True),
        execution=ExecutionConfig(commission=commission, slippage_bps=D(5)),
    )
    strategy = Scripted(script)
    assert _eligible(bars, strategy, config, NO_TICK)

    def fast() -> BacktestResult:
        return simulate(bars, strategy, config, NO_TICK, engine="fastpath")

    edge = _smallest_precision(fast)
    assert 20 < edge < 50
    with localcontext() as context:
        context.prec = edge
        inside = fast()
        assert inside.fills
        assert_identical(inside, simulate(bars, strategy, config, NO_TICK, engine="event"))
    with localcontext() as context:
        context.prec = edge - 1
        with pytest.raises(fastpath.FastPathUnsupportedError, match="amounts too large"):
            fast()
    assert_identical(fast(), simulate(bars, strategy, config, NO_TICK, engine="event"))


def test_exact_limit_is_the_context_s() -> None:
    assert exact_limit() == 10 ** (getcontext().prec - 1)
    with localcontext() as context:
        context.prec = 28
        assert exact_limit() == 10**27


@pytest.mark.parametrize("timing", [SizeTiming.SIGNAL, SizeTiming.FILL])
def test_all_in_sizing_on_adjusted_bundled_spy(timing: SizeTiming) -> None:
    sizing = SizingConfig(method="percent-equity", percent=D(100), timing=timing)
    risk = RiskConfig(exposure_cap_percent=None)  # all-in at the fill: no cap below 100%
    config = RunConfig(strategy="sma-cross", symbol="SPY", sizing=sizing, risk=risk)
    prepared = prepare_run(config)
    strategy = create_strategy("sma-cross", {})
    bars, instrument = prepared.bars, prepared.instrument
    fast = simulate(bars, strategy, config, instrument, engine="fastpath")
    assert_identical(fast, simulate(bars, strategy, config, instrument, engine="event"))


def test_a_grid_beyond_int64_runs_on_python_ints() -> None:
    """AAPL's 15-decimal scale and 5 bp: units of 10**-21, a price of 0.75 is 7.5e20 units,
    beyond int64: the loop runs on Python ints (cash of 1 keeps the money in the context)."""
    bars = _adjusted(make_bars(_CORNER_ROWS), [D("0.007690763948049")] * len(_CORNER_ROWS))
    config = _default_config(cash=D(1))
    strategy = Scripted({0: 1, 2: 0, 3: 1})
    feed = backtest._BarArrays(bars, "TEST", "1h")
    grid = price_grid(feed, [1, 3, 4], [0, 2, 3], 4, FixedBasisPoints(D(5)))
    assert grid.places == 21
    assert grid.raw_ticks.dtype == object
    fast = simulate(bars, strategy, config, NO_TICK, engine="fastpath")
    assert_identical(fast, simulate(bars, strategy, config, NO_TICK, engine="event"))
    assert len(fast.fills) == 3


def test_money_beyond_the_decimal_context_is_given_up_on() -> None:
    """AAPL's 15-decimal scale, 1 bp and a 0.2% fee: the cash needs 10**-24 units, more digits
    than a 28-digit context holds, so there the fast path gives up (the event kernel's own
    ledger check fails on this run too: its cash is rounded); at paperdesk's 50 digits both
    are exact and the fast path runs it, identical."""
    rows = [(50.0, 50.5, 49.5, 49.95), (49.96, 50.3, 49.7, 50.05), (50.05, 50.4, 49.9, 50.1)]
    bars = _adjusted(make_bars(rows), [D("0.007690763948049")] * len(rows))
    config = _default_config(
        sizing=SizingConfig(method="percent-equity", percent=D(1), timing=SizeTiming.FILL),
        risk=RiskConfig(allow_short=True, exposure_cap_percent=None),
        execution=ExecutionConfig(commission="percent:0.2", slippage_bps=D(1)),
    )
    strategy = Scripted({0: -1, 1: 1})
    with localcontext() as context:
        context.prec = 28
        with pytest.raises(fastpath.FastPathUnsupportedError):
            simulate(bars, strategy, config, NO_TICK, engine="fastpath")
    fast = simulate(bars, strategy, config, NO_TICK, engine="fastpath")
    assert_identical(fast, simulate(bars, strategy, config, NO_TICK, engine="event"))
