"""The columnar fast path gives exactly the event kernel's result on every run it accepts."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from engine_builders import Scripted, make_bars
from hypothesis import given, settings
from hypothesis import strategies as st

from paperdesk.analysis.strategies.registry import create_strategy
from paperdesk.cli.runfile import build_config
from paperdesk.data import instrument_for
from paperdesk.domain import Instrument, InvalidInputError
from paperdesk.engine import backtest, columnar
from paperdesk.engine.backtest import run_backtest, simulate
from paperdesk.engine.config import (
    BacktestConfig,
    ExecutionConfig,
    FillTiming,
    RiskConfig,
    SizeTiming,
    SizingConfig,
)
from paperdesk.engine.result import BacktestResult

D = Decimal
TEST = Instrument.equity("TEST", calendar="24/7")
REFERENCES = Path(__file__).resolve().parents[3] / "examples" / "references"


def assert_identical(fast: BacktestResult, slow: BacktestResult) -> None:
    """Field by field, and by repr too, so that even Decimal exponents must agree."""
    for name in ("fills", "trades", "orders", "rejections", "final_equity", "final_cash"):
        assert getattr(fast, name) == getattr(slow, name), name
        assert repr(getattr(fast, name)) == repr(getattr(slow, name)), name
    assert (fast.symbol, fast.timeframe, fast.bars, fast.signals) == (
        slow.symbol,
        slow.timeframe,
        slow.bars,
        slow.signals,
    )
    pd.testing.assert_series_equal(fast.equity_curve, slow.equity_curve, check_exact=True)
    assert repr(fast.stats) == repr(slow.stats)


@st.composite
def bar_series(draw: st.DrawFn) -> pd.DataFrame:
    count = draw(st.integers(30, 300))
    seed = draw(st.integers(0, 2**32 - 1))
    generator = np.random.default_rng(seed)
    close = np.round(50.0 * np.exp(np.cumsum(generator.normal(0, 0.02, count))), 2)
    close = np.maximum(close, 0.05)
    open_ = np.maximum(
        np.round(np.r_[50.0, close[:-1]] * (1 + generator.normal(0, 0.01, count)), 2), 0.05
    )
    spread = np.abs(generator.normal(0, 0.01, count)) * close
    high = np.round(np.maximum(open_, close) + spread, 2)
    low = np.maximum(np.round(np.minimum(open_, close) - spread, 2), 0.01)
    return make_bars(list(zip(open_, high, low, close, strict=True)))


@st.composite
def scripted_signals(draw: st.DrawFn, count: int) -> tuple[dict[int, int], list[float]]:
    rows = draw(st.lists(st.integers(0, count - 1), min_size=1, max_size=count, unique=True))
    if draw(st.booleans()):
        rows.append(count - 1)  # a signal on the last bar: its order never fills
    script = {row: draw(st.sampled_from((-1, 0, 1, 1, -1))) for row in sorted(set(rows))}
    confidences = [draw(st.sampled_from((0.2, 0.5, 0.9, 1.0))) for _ in script]
    return script, confidences


percents = st.sampled_from([D("1"), D("10"), D("33.3"), D("50"), D("80"), D("99"), D("100")])
optional_caps = st.one_of(
    st.none(), st.sampled_from([D("0.5"), D("5"), D("30"), D("80"), D("150")])
)


@st.composite
def eligible_configs(draw: st.DrawFn, *, binding_rules: bool = True) -> BacktestConfig:
    method = draw(st.sampled_from(["percent-equity", "fixed", "lots"]))
    timing = SizeTiming.SIGNAL
    if method == "percent-equity" and draw(st.booleans()):
        timing = SizeTiming.FILL
    sizing = SizingConfig(
        method=method,
        percent=draw(percents),
        quantity=draw(st.sampled_from([D(1), D(7), D(40), D(500)])),
        lots=draw(st.sampled_from([D("0.001"), D("0.01"), D("1")])),
        timing=timing,
    )
    risk = RiskConfig(allow_short=draw(st.booleans()), exposure_cap_percent=None)
    if binding_rules:
        risk = RiskConfig(
            min_confidence=draw(st.sampled_from([0.0, 0.0, 0.5, 0.95])),
            allowed_symbols=draw(st.sampled_from([(), (), ("TEST",), ("OTHER",)])),
            allow_short=risk.allow_short,
            exposure_cap_percent=draw(optional_caps),
            max_position_percent=draw(optional_caps),
            max_open_positions=draw(st.sampled_from([None, 1, 3])),
        )
    fee = draw(st.sampled_from(["none", "percent:0", "percent:0.1", "percent:0.2", "0.0015"]))
    execution = ExecutionConfig(
        fill_timing=draw(st.sampled_from(list(FillTiming))),
        commission=fee,
        slippage_bps=draw(st.sampled_from([D(0), D(1), D("2.5"), D(25)])),
    )
    cash = draw(st.sampled_from([D("100"), D("1000"), D("10000"), D("25000.50")]))
    return BacktestConfig(
        strategy="scripted",
        symbol="TEST",
        timeframe="1h",
        cash=cash,
        sizing=sizing,
        risk=risk,
        execution=execution,
    )


class ScriptedWithConfidence(Scripted):
    """Scripted signals whose confidences are given too."""

    def __init__(self, script: dict[int, int], confidences: list[float]) -> None:
        super().__init__(script)
        self.confidences = confidences

    def _compute(self, bars: pd.DataFrame) -> pd.DataFrame:
        frame = super()._compute(bars)
        frame["confidence"] = self.confidences[: len(frame)]
        return frame


@settings(max_examples=250, deadline=None)
@given(data=st.data())
def test_the_columnar_path_equals_the_event_path(data: st.DataObject) -> None:
    bars = data.draw(bar_series())
    script, confidences = data.draw(scripted_signals(len(bars)))
    config = data.draw(eligible_configs())
    strategy = ScriptedWithConfidence(script, confidences)
    assert columnar.eligible(config, strategy.signals(bars), _columns(bars), TEST)
    slow = simulate(bars, strategy, config, TEST, engine="event")
    fast = simulate(bars, strategy, config, TEST, engine="columnar")
    assert_identical(fast, slow)


@settings(max_examples=200, deadline=None)
@given(data=st.data())
def test_the_columnar_path_equals_the_event_path_when_reversing(data: st.DataObject) -> None:
    """Alternating directions and no binding rule: the fast path decides (almost) every signal."""
    bars = data.draw(bar_series())
    rows = data.draw(st.lists(st.integers(0, len(bars) - 1), min_size=1, unique=True))
    first = data.draw(st.sampled_from((-1, 1)))
    script = {row: first * (-1) ** number for number, row in enumerate(sorted(rows))}
    config = data.draw(eligible_configs(binding_rules=False))
    strategy = Scripted(script)
    slow = simulate(bars, strategy, config, TEST, engine="event")
    fast = simulate(bars, strategy, config, TEST, engine="columnar")
    assert_identical(fast, slow)


def _columns(bars: pd.DataFrame) -> columnar.BarColumns:
    return backtest._BarArrays(bars, "TEST", "1h")


def _config(**risk: Any) -> BacktestConfig:
    return BacktestConfig(
        strategy="scripted",
        symbol="TEST",
        timeframe="1h",
        sizing=SizingConfig(method="fixed", quantity=D(10)),
        risk=RiskConfig(exposure_cap_percent=None, **risk),
        execution=ExecutionConfig(slippage_bps=D(0), commission="none"),
    )


@pytest.fixture
def spy_columnar(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Records each columnar run, so a test can tell which path ran."""
    calls: list[str] = []
    real = columnar.run_columnar

    def recording(*args: Any, **kwargs: Any) -> BacktestResult:
        calls.append("columnar")
        return real(*args, **kwargs)

    monkeypatch.setattr(columnar, "run_columnar", recording)
    return calls


def test_an_eligible_run_takes_the_columnar_path(
    flat_bars: pd.DataFrame, spy_columnar: list[str]
) -> None:
    result = simulate(flat_bars, Scripted({1: 1, 4: -1}), _config(), TEST)
    assert spy_columnar == ["columnar"]
    assert len(result.fills) == 2


@pytest.mark.parametrize(
    "case",
    ["a signal with a stop", "a volume cap", "a max holding period", "risk sizing", "a cooldown"],
)
def test_ineligible_runs_take_the_event_path(
    case: str, flat_bars: pd.DataFrame, spy_columnar: list[str]
) -> None:
    config = _config()
    script: dict[int, Any] = {1: 1, 5: 0}
    if case == "a signal with a stop":
        script = {1: (1, 90.0, float("nan")), 5: 0}
    elif case == "a volume cap":
        config = replace(config, execution=replace(config.execution, volume_cap=D("0.5")))
    elif case == "a max holding period":
        config = _config(max_holding_bars=2)
    elif case == "risk sizing":
        config = replace(config, sizing=SizingConfig(method="risk"))
        script = {1: (1, 90.0, float("nan")), 5: 0}
    else:
        config = _config(cooldown_bars=3)
    result = simulate(flat_bars, Scripted(script), config, TEST)
    assert spy_columnar == []
    assert result.fills
    with pytest.raises(InvalidInputError, match="not eligible"):
        simulate(flat_bars, Scripted(script), config, TEST, engine="columnar")


@pytest.mark.parametrize("name", ["backtrader_sma_cross.toml", "backtesting_py_goog.toml"])
def test_the_reference_runs_go_columnar_and_equal_the_event_path(
    name: str, spy_columnar: list[str]
) -> None:
    config = build_config({}, (), REFERENCES / name)
    fast = run_backtest(config)
    assert spy_columnar == ["columnar"]
    bars = backtest.load_config_bars(config)
    symbol = str(bars.attrs.get("symbol") or config.symbol or "DATA")
    strategy = create_strategy(config.strategy, config.params)
    slow = simulate(bars, strategy, config, instrument_for(symbol), engine="event")
    assert_identical(fast, slow)
    expected = {"backtrader_sma_cross.toml": "10284.10", "backtesting_py_goog.toml": "56263.52"}
    assert fast.final_equity.quantize(D("0.01")) == D(expected[name])
