"""The integer fast path gives exactly the event kernel's result (by repr) on every run it accepts;
ineligible runs take the event kernel."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from engine_builders import Scripted, make_bars, make_config
from hypothesis import assume, event, given, settings
from hypothesis import strategies as st

from paperdesk.analysis.strategies.registry import create_strategy
from paperdesk.config import (
    ExecutionConfig,
    FillTiming,
    RiskConfig,
    RunConfig,
    SizeTiming,
    SizingConfig,
)
from paperdesk.data import instrument_for
from paperdesk.domain import Instrument, InvalidInputError
from paperdesk.engine import backtest, fastpath
from paperdesk.engine.backtest import simulate
from paperdesk.engine.result import BacktestResult
from paperdesk.service.backtests import load_run_bars, run_backtest
from paperdesk.service.run_files import build_config

D = Decimal
TEST = Instrument.equity("TEST", calendar="24/7")
REFERENCES = Path(__file__).resolve().parents[3] / "examples" / "references"


def assert_identical(fast: BacktestResult, slow: BacktestResult) -> None:
    """Field by field, and by repr too, so that even Decimal exponents must agree."""
    names = ("fills", "trades", "orders", "rejections", "final_equity", "final_cash")
    for name in (*names, "adjustments", "account_events", "last_close", "open_positions"):
        assert getattr(fast, name) == getattr(slow, name), name
        assert repr(getattr(fast, name)) == repr(getattr(slow, name)), name
    assert (fast.config, fast.symbol, fast.timeframe, fast.bars, fast.signals) == (
        slow.config,
        slow.symbol,
        slow.timeframe,
        slow.bars,
        slow.signals,
    )
    pd.testing.assert_series_equal(fast.equity_curve, slow.equity_curve, check_exact=True)
    assert repr(fast.stats) == repr(slow.stats)


@st.composite
def bar_series(draw: st.DrawFn) -> pd.DataFrame:
    """A random walk at two-decimal prices; sometimes wild, so equity can run out."""
    count = draw(st.integers(2, 200))
    seed = draw(st.integers(0, 2**32 - 1))
    volatility = draw(st.sampled_from([0.005, 0.02, 0.2]))
    generator = np.random.default_rng(seed)
    close = np.round(50.0 * np.exp(np.cumsum(generator.normal(0, volatility, count))), 2)
    close = np.maximum(close, 0.05)
    open_ = np.maximum(
        np.round(np.r_[50.0, close[:-1]] * (1 + generator.normal(0, volatility / 2, count)), 2),
        0.05,
    )
    spread = np.abs(generator.normal(0, 0.01, count)) * close
    high = np.round(np.maximum(open_, close) + spread, 2)
    low = np.maximum(np.round(np.minimum(open_, close) - spread, 2), 0.01)
    return make_bars(list(zip(open_, high, low, close, strict=True)))


@st.composite
def scripted_signals(draw: st.DrawFn, count: int) -> dict[int, int]:
    rows = draw(st.lists(st.integers(0, count - 1), min_size=0, max_size=count, unique=True))
    if draw(st.booleans()):
        rows.append(count - 1)  # a signal on the last bar: its orders never fill
    return {row: draw(st.sampled_from((-1, 0, 1, 1, -1))) for row in sorted(set(rows))}


@st.composite
def eligible_configs(draw: st.DrawFn) -> RunConfig:
    sizing = SizingConfig(
        method="percent-equity",
        percent=draw(
            st.sampled_from(
                [D("1"), D("33.3"), D("50"), D("99"), D("100"), (1 - D(2) ** -52) * 100]
            )
        ),
        timing=SizeTiming.FILL,
    )
    risk = RiskConfig(allow_short=draw(st.booleans()), exposure_cap_percent=None)
    fee = draw(
        st.sampled_from(["none", "percent:0", "percent:0.1", "percent:0.2", "0.0015", "percent:1"])
    )
    execution = ExecutionConfig(
        fill_timing=FillTiming.NEXT_OPEN,
        commission=fee,
        slippage_bps=draw(st.sampled_from([D(0), D(1), D("2.5"), D(5), D(25), D(900)])),
    )
    cash = draw(st.sampled_from([D("1"), D("100"), D("1000"), D("10000"), D("25000.50")]))
    return make_config(cash=cash, sizing=sizing, risk=risk, execution=execution)


def _eligible(bars: pd.DataFrame, strategy: Scripted, config: RunConfig) -> bool:
    feed = backtest._BarArrays(bars, "TEST", "1h")
    frame = strategy.signals(bars)
    rows = bars.index.get_indexer(frame.index)
    return backtest._fast_path_eligible(config, TEST, feed, frame, rows)


@settings(max_examples=250, deadline=None)
@given(data=st.data())
def test_the_fast_path_equals_the_event_path(data: st.DataObject) -> None:
    bars = data.draw(bar_series())
    script = data.draw(scripted_signals(len(bars)))
    config = data.draw(eligible_configs())
    strategy = Scripted(script)
    assert _eligible(bars, strategy, config)
    _assert_same_outcome(bars, strategy, config)


@settings(max_examples=200, deadline=None)
@given(data=st.data())
def test_the_fast_path_equals_the_event_path_when_reversing(data: st.DataObject) -> None:
    """Alternating directions, as a crossover strategy emits them."""
    bars = data.draw(bar_series())
    rows = data.draw(st.lists(st.integers(0, len(bars) - 1), min_size=1, unique=True))
    first = data.draw(st.sampled_from((-1, 1)))
    script = {row: first * (-1) ** number for number, row in enumerate(sorted(rows))}
    config = data.draw(eligible_configs())
    strategy = Scripted(script)
    _assert_same_outcome(bars, strategy, config)


def _assert_same_outcome(
    bars: pd.DataFrame, strategy: Scripted, config: RunConfig
) -> BacktestResult | None:
    """Identical results, or the same arithmetic error (the statistics of a few wild bars can
    overflow a float, on either path); the fast path's result (None: both raised)."""
    try:
        slow = simulate(bars, strategy, config, TEST, engine="event")
    except ArithmeticError as error:
        event(f"both paths raise {type(error).__name__}")
        with pytest.raises(type(error)):
            _fast_or_skip(bars, strategy, config)
        return None
    fast = _fast_or_skip(bars, strategy, config)
    assert_identical(fast, slow)
    return fast


def _fast_or_skip(bars: pd.DataFrame, strategy: Scripted, config: RunConfig) -> BacktestResult:
    """The fast path's result; an example it gives up on (the event kernel then runs it, see
    ``test_a_run_the_loop_gives_up_on_...``) does not count towards max_examples."""
    try:
        return simulate(bars, strategy, config, TEST, engine="fastpath")
    except fastpath.FastPathUnsupportedError:
        event("the fast path gave up")
        assume(False)
        raise


def _config(**risk: Any) -> RunConfig:
    return RunConfig(
        strategy="scripted",
        symbol="TEST",
        timeframe="1h",
        sizing=SizingConfig(method="percent-equity", percent=D(100), timing=SizeTiming.FILL),
        risk=RiskConfig(**{"exposure_cap_percent": None, **risk}),
        execution=ExecutionConfig(slippage_bps=D(0), commission="none"),
    )


@pytest.fixture
def spy_fast_path(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Records each fast-path run, so a test can tell which path ran."""
    calls: list[str] = []
    real = fastpath.run_fast_path

    def recording(*args: Any, **kwargs: Any) -> BacktestResult:
        calls.append("fastpath")
        return real(*args, **kwargs)

    monkeypatch.setattr(fastpath, "run_fast_path", recording)
    return calls


def test_an_eligible_run_takes_the_fast_path(
    flat_bars: pd.DataFrame, spy_fast_path: list[str]
) -> None:
    result = simulate(flat_bars, Scripted({1: 1, 4: -1}), _config(), TEST)
    assert spy_fast_path == ["fastpath"]
    assert len(result.fills) == 2


@pytest.mark.parametrize(
    "case",
    [
        "a stop above the target of a long, then a plain entry",
        "a volume cap",
        "a daily loss limit with a bracket",
        "a position cap",
        "target-percent sizing",
        "an exposure cap",
        "fills at the close",
        "a per-share fee",
        "a price off the tick",
        "pyramiding",
    ],
)
def test_ineligible_runs_take_the_event_path(
    case: str, flat_bars: pd.DataFrame, spy_fast_path: list[str]
) -> None:
    config = _config()
    bars = flat_bars
    script: dict[int, Any] = {1: 1, 5: 0}
    execution = config.execution
    if case == "a stop above the target of a long, then a plain entry":
        script = {1: (1, 110.0, 90.0), 3: 1, 5: 0}  # the book rejects the bracket entry
    elif case == "a volume cap":
        config = config.with_changes(execution=execution.with_changes(volume_cap=D("0.5")))
    elif case == "a daily loss limit with a bracket":  # plain signals take the fast path
        config = _config(daily_loss_limit_percent=D(5))
        script = {1: (1, 90.0, 110.0), 5: 0}
    elif case == "a position cap":
        config = _config(max_position_percent=D(50))
    elif case == "target-percent sizing":
        config = config.with_changes(sizing=SizingConfig(method="target-percent", percent=D(50)))
    elif case == "an exposure cap":
        config = _config(exposure_cap_percent=D(50))
    elif case == "fills at the close":
        config = config.with_changes(execution=execution.with_changes(fill_timing=FillTiming.CLOSE))
    elif case == "a per-share fee":
        config = config.with_changes(execution=execution.with_changes(commission="per-share:0.01"))
    elif case == "a price off the tick":
        bars = flat_bars.copy()
        bars.loc[bars.index[2], "open"] = 102.005
    else:
        config = _config(pyramiding=True)
    result = simulate(bars, Scripted(script), config, TEST)
    assert spy_fast_path == []
    assert result.fills
    with pytest.raises(InvalidInputError, match="not eligible"):
        simulate(bars, Scripted(script), config, TEST, engine="fastpath")


def test_a_run_the_loop_gives_up_on_is_redone_by_the_event_kernel(
    spy_fast_path: list[str],
) -> None:
    """A short squeezed far above its entry leaves no equity at the next entry signal."""
    bars = make_bars([(10.01,) * 4, (10.03,) * 4, (50.07,) * 4, (50.09,) * 4])
    config = _config(allow_short=True)
    strategy = Scripted({0: -1, 2: 1})
    with pytest.raises(fastpath.FastPathUnsupportedError, match="equity at or below zero"):
        simulate(bars, strategy, config, TEST, engine="fastpath")
    result = simulate(bars, strategy, config, TEST)
    assert spy_fast_path == ["fastpath", "fastpath"]
    assert_identical(result, simulate(bars, strategy, config, TEST, engine="event"))


def test_an_exact_all_in_budget_is_left_to_the_event_kernel(spy_fast_path: list[str]) -> None:
    """10000 / 50.0 is exactly 2.0E+2 in Decimal: the event path's order keeps that exponent."""
    bars = make_bars([(50, 50, 50, 50)] * 3)
    config = _config()
    strategy = Scripted({0: 1})
    with pytest.raises(fastpath.FastPathUnsupportedError, match="divides exactly"):
        simulate(bars, strategy, config, TEST, engine="fastpath")
    result = simulate(bars, strategy, config, TEST)
    assert repr(result.orders[0].quantity) == "Decimal('2.0E+2')"
    assert_identical(result, simulate(bars, strategy, config, TEST, engine="event"))


def test_an_unknown_engine_is_refused(flat_bars: pd.DataFrame) -> None:
    with pytest.raises(InvalidInputError, match="engine must be one of"):
        simulate(flat_bars, Scripted({1: 1}), _config(), TEST, engine="turbo")


@pytest.mark.parametrize(
    ("name", "expected", "fast"),
    [
        ("backtrader_sma_cross.toml", "10284.10", True),
        ("backtesting_py_goog.toml", "56263.52", True),
    ],
)
def test_the_reference_runs_equal_the_event_path(
    name: str, expected: str, fast: bool, spy_fast_path: list[str]
) -> None:
    """backtesting.py's GOOG run (all-in at the fill) and backtrader's (a fixed quantity, at the
    signal) go fast."""
    config = build_config({}, (), REFERENCES / name)
    result = run_backtest(config)
    assert spy_fast_path == (["fastpath"] if fast else [])
    bars = load_run_bars(config)
    symbol = str(bars.attrs.get("symbol") or config.symbol or "DATA")
    strategy = create_strategy(config.strategy, config.params)
    slow = simulate(bars, strategy, config, instrument_for(symbol), engine="event")
    assert_identical(result, slow)
    assert result.final_equity.quantize(D("0.01")) == D(expected)
