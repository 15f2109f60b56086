"""No look-ahead: when orders fill relative to the signal that caused them."""

from __future__ import annotations

from decimal import Decimal

import pandas as pd
from engine_builders import Scripted, make_config

from paperdesk.analysis.strategies.registry import create_strategy
from paperdesk.config import ExecutionConfig, FillTiming
from paperdesk.data import instrument_for, load_bars
from paperdesk.data.bundled import find_bundled
from paperdesk.domain import Instrument, Side
from paperdesk.engine.backtest import simulate

D = Decimal
TEST = Instrument.equity("TEST", calendar="24/7")


def test_market_order_from_a_signal_fills_at_the_next_bar_open(flat_bars: pd.DataFrame) -> None:
    result = simulate(flat_bars, Scripted({2: 1}), make_config(), TEST)
    [fill] = result.fills
    assert fill.side is Side.BUY
    assert fill.price == D("103")  # open of bar 3, not the close of bar 2 (102.25)
    assert fill.ts == flat_bars.index[3].to_pydatetime()
    assert fill.ts >= flat_bars["ts_close"].iloc[2].to_pydatetime()


def test_fill_at_close_is_an_explicit_option_that_fills_at_the_signal_bar_close(
    flat_bars: pd.DataFrame,
) -> None:
    config = make_config(execution=ExecutionConfig(fill_timing=FillTiming.CLOSE, slippage_bps=D(0)))
    result = simulate(flat_bars, Scripted({2: 1}), config, TEST)
    [fill] = result.fills
    assert fill.price == D("102.25")
    assert fill.ts == flat_bars["ts_close"].iloc[2].to_pydatetime()


def test_a_signal_on_the_last_bar_never_fills(flat_bars: pd.DataFrame) -> None:
    result = simulate(flat_bars, Scripted({9: 1}), make_config(), TEST)
    assert result.fills == ()
    assert result.final_equity == D("10000")
    assert [o.status.value for o in result.orders] == ["accepted"]


def test_slippage_moves_the_next_open_fill_against_the_trader(flat_bars: pd.DataFrame) -> None:
    config = make_config(execution=ExecutionConfig(slippage_bps=D(100)))  # 1%
    result = simulate(flat_bars, Scripted({2: 1, 5: -1}), config, TEST)
    buy, sell = result.fills
    assert buy.price == D("104.03")  # 103 * 1.01
    assert sell.price == D("104.94")  # 106 * 0.99
    assert result.final_equity == D("10000") + 10 * (D("104.94") - D("104.03"))


def test_later_bars_never_change_earlier_fills_on_real_data() -> None:
    """Truncate the history at many points: every fill before the cut is unchanged."""
    bars = load_bars(find_bundled("SPY", "1d")).iloc[-1200:]
    config = make_config().with_changes(strategy="macd-cross", symbol="SPY", timeframe="1d")
    strategy = create_strategy("macd-cross", {"stop_atr": 2.0, "target_atr": 3.0})
    spy = instrument_for("SPY")
    full = simulate(bars, strategy, config, spy)
    assert len(full.fills) > 20
    for cut in range(200, len(bars), 97):
        partial = simulate(bars.iloc[:cut], strategy, config, spy)
        horizon = bars["ts_close"].iloc[cut - 1].to_pydatetime()
        expected = [f for f in full.fills if f.ts < horizon]
        assert list(partial.fills) == expected, f"fills differ when cut at bar {cut}"
