"""sma-cross's reason strings made only when read (``Strategy.signals_reasons_later``): the frame
``with_reasons`` fills is the one ``signals`` gives, and the fast path that reads the strings when
its objects are first read (or at once for its rejections) gives the event kernel's result, as
the event kernel fed the filled frame does."""

from __future__ import annotations

from decimal import Decimal

import numpy as np
import pandas as pd
import pytest
from engine_builders import make_bars, make_config
from hypothesis import given, settings
from hypothesis import strategies as st
from test_fastpath_equivalence import TEST, assert_identical, eligible_configs

from paperdesk.analysis.strategies.base import with_reasons
from paperdesk.analysis.strategies.registry import create_strategy
from paperdesk.config import (
    ExecutionConfig,
    FillTiming,
    RiskConfig,
    RunConfig,
    SizeTiming,
    SizingConfig,
)
from paperdesk.engine import backtest
from paperdesk.engine.backtest import simulate

PARAMETERS: list[dict[str, object]] = [
    {"fast": 3, "slow": 7},
    {"fast": 3, "slow": 7, "mode": "level"},
    {"fast": 1, "slow": 5, "min_bars": 30},
    {"fast": 2, "slow": 4, "mode": "level", "min_bars": 12},
    {"fast": 3, "slow": 7, "min_bars": 10_000},
]


def _walk(seed: int, count: int) -> pd.DataFrame:
    generator = np.random.default_rng(seed)
    closes = np.round(100 * np.exp(np.cumsum(generator.normal(0, 0.01, count))), 2)
    opens = np.round(np.r_[100.0, closes[:-1]], 2)
    return make_bars(
        [
            (o, max(o, c) + 0.05, min(o, c) - 0.05, c)
            for o, c in zip(opens.tolist(), closes.tolist(), strict=True)
        ]
    )


def _long_only() -> RunConfig:
    return make_config(
        sizing=SizingConfig(method="percent-equity", percent=Decimal(100), timing=SizeTiming.FILL),
        risk=RiskConfig(allow_short=False, exposure_cap_percent=None),
        execution=ExecutionConfig(fill_timing=FillTiming.NEXT_OPEN, slippage_bps=Decimal(0)),
    )


@pytest.mark.parametrize("parameters", PARAMETERS)
def test_the_filled_frame_is_the_signal_frame(parameters: dict[str, object]) -> None:
    strategy = create_strategy("sma-cross", parameters)
    for seed, count in ((1, 400), (2, 3), (3, 0), (4, 60)):
        bars = _walk(seed, count) if count else _walk(seed, 5).iloc[:0]
        frame, reasons = strategy.signals_reasons_later(bars)  # type: ignore[union-attr]
        expected = strategy.signals(bars)  # type: ignore[union-attr]
        if reasons is not None:
            assert (frame["reason"] == "").all()
        pd.testing.assert_frame_equal(with_reasons(frame, reasons), expected)


@settings(max_examples=60, deadline=None)
@given(
    seed=st.integers(0, 2**16),
    count=st.integers(25, 300),
    parameters=st.sampled_from(PARAMETERS[:4]),
    config=eligible_configs(),
)
def test_the_fast_path_reading_the_reasons_later_equals_the_event_kernel(
    seed: int, count: int, parameters: dict[str, object], config: RunConfig
) -> None:
    bars = _walk(seed, count)
    strategy = create_strategy("sma-cross", parameters)
    slow = simulate(bars, strategy, config, TEST, engine="event")
    try:
        fast = simulate(bars, strategy, config, TEST, engine="fastpath")
    except ArithmeticError as error:  # the kernel's own limits: the fast path must agree
        with pytest.raises(type(error)):
            raise error
        return
    except Exception as error:
        if "fast path" not in str(error) and "eligible" not in str(error):
            raise
        assert_identical(simulate(bars, strategy, config, TEST, engine="auto"), slow)
        return
    assert_identical(fast, slow)


def test_rejections_quote_the_reasons_made_later() -> None:
    bars = _walk(5, 300)  # its first cross is down, while flat
    strategy = create_strategy("sma-cross", {"fast": 3, "slow": 7})
    config = _long_only()
    fast = simulate(bars, strategy, config, TEST, engine="fastpath")
    slow = simulate(bars, strategy, config, TEST, engine="event")
    assert fast.rejections  # long only: a short while flat is refused, quoting its reason
    assert all("SMA(7)" in rejection.signal.reason for rejection in fast.rejections)
    assert_identical(fast, slow)


def test_the_kernel_taking_over_gets_the_reasons(monkeypatch: pytest.MonkeyPatch) -> None:
    bars = _walk(6, 300)
    strategy = create_strategy("sma-cross", {"fast": 3, "slow": 7})
    config = _long_only()
    slow = simulate(bars, strategy, config, TEST, engine="event")
    monkeypatch.setattr(backtest, "_FAST_PATH_ENABLED", False)  # auto: the event kernel
    taken_over = simulate(bars, strategy, config, TEST, engine="auto")
    assert taken_over.orders
    assert all("crossed" in order.reason for order in taken_over.orders)
    assert_identical(taken_over, slow)
