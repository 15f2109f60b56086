"""Backtests on quoted bars (Lean's SPY minutes, bundled): the entry fills at the ask, and the
equity marks at the trade close (mark=trade, the default) or at the quote mid (mark=mid)."""

from __future__ import annotations

from decimal import Decimal
from typing import ClassVar

import numpy as np
import pandas as pd
import pytest

from paperdesk.analysis.strategies.base import NoParameters, Strategy, make_signal_frame
from paperdesk.config import ExecutionConfig, MarkPrice, RiskConfig, RunConfig, SizingConfig
from paperdesk.data import (
    find_bundled,
    find_bundled_quotes,
    instrument_for,
    load_bars,
    merge_quotes,
    read_quotes,
)
from paperdesk.data.bar_convert import BarArrays
from paperdesk.domain import InvalidInputError
from paperdesk.engine.backtest import simulate
from paperdesk.engine.result import BacktestResult
from paperdesk.engine.strategies import run_strategies

D = Decimal


@pytest.fixture(scope="module")
def regular_session() -> pd.DataFrame:
    """SPY 1m trades and quotes of 2013-10-07..11, 09:30-16:00 New York (13:30-20:00 UTC)."""
    quotes = find_bundled_quotes("SPY", "1m")
    assert quotes is not None
    bars = merge_quotes(load_bars(find_bundled("SPY", "1m")), read_quotes(quotes))
    window = bars.loc["2013-10-07":"2013-10-11"].between_time("13:30", "19:59")
    window.attrs = dict(bars.attrs)
    return window


def run(bars: pd.DataFrame, mark: MarkPrice) -> BacktestResult:
    config = RunConfig(
        strategy="buy-and-hold",
        symbol="SPY",
        timeframe="1m",
        cash=D(100000),
        sizing=SizingConfig(method="fixed", quantity=D(500)),
        risk=RiskConfig(exposure_cap_percent=None),
        execution=ExecutionConfig(
            fill_timing="close", commission="per-share:0.005:min=1", mark=mark
        ),
    )
    strategy = run_strategies(config)["buy-and-hold"]
    return simulate(bars, strategy, config, instrument_for("SPY"))


@pytest.mark.parametrize(
    ("mark", "equity"),
    [
        # 500 x last trade close 170.30 = 85150.00
        (MarkPrice.TRADE, D("101422.50")),
        # 500 x (bid 170.24 + ask 170.25) / 2 = 500 x 170.245 = 85122.50
        (MarkPrice.MID, D("101395.00")),
    ],
)
def test_buy_at_the_ask_and_mark_at_the_trade_close_or_the_mid(
    regular_session: pd.DataFrame, mark: MarkPrice, equity: Decimal
) -> None:
    result = run(regular_session, mark)
    [fill] = result.fills
    # the 13:30 bar's ask close (its trade close is 167.44); no slippage on a quoted price
    assert (fill.price, fill.quantity, fill.fee) == (D("167.45"), D(500), D("2.500"))
    # 100000 - 500 x 167.45 - 2.50 fee
    assert result.final_cash == D("16272.50")
    assert result.final_equity == equity
    curve = result.equity_curve
    assert float(curve.iloc[-1]) == pytest.approx(float(equity))


def test_without_quotes_the_same_run_fills_at_the_trade_close_plus_slippage(
    regular_session: pd.DataFrame,
) -> None:
    plain = regular_session[["open", "high", "low", "close", "volume", "ts_close"]].copy()
    plain.attrs = dict(regular_session.attrs)
    result = run(plain, MarkPrice.MID)  # mid without quotes marks at the close
    [fill] = result.fills
    assert fill.price == D("167.53")  # 167.44 + 5 bps = 167.52372, rounded up to the tick
    # 100000 - 500 x 167.53 - 2.50 + 500 x 170.30
    assert result.final_equity == D("101382.50")


def test_the_driver_looks_for_orders_over_the_quotes_range_too(
    regular_session: pd.DataFrame,
) -> None:
    feed = BarArrays(regular_session, "SPY", "1m")
    highs, lows = feed.envelope()
    assert feed.has_quotes
    assert (highs >= feed.highs).all()
    assert (lows <= feed.lows).all()
    # 13:30: trade high 167.52, ask high 167.53
    assert highs[0] == 167.53
    assert np.isclose(feed.mid_closes()[0], 167.445)


def test_adjusting_the_bars_scales_their_quotes_alike(regular_session: pd.DataFrame) -> None:
    from paperdesk.data import adjust, bundled_factor_file

    factor_file = bundled_factor_file("SPY")
    assert factor_file is not None
    adjusted = adjust(regular_session, factor_file, "split_and_dividend", timeframe="1m")
    # spy.csv row 20131219,0.8646266,1,181.5: 2013-10-07 prices are scaled by 0.8646266
    first = adjusted.iloc[0]
    assert first["close"] == pytest.approx(167.44 * 0.8646266)
    assert first["ask_close"] == pytest.approx(167.45 * 0.8646266)
    assert first["bid_open"] == pytest.approx(167.41 * 0.8646266)
    assert first["ask_size"] == 1400  # no split: sizes unchanged


class _LongWithStop(Strategy[NoParameters]):
    """One long at the first bar with a stop-loss at 99."""

    name: ClassVar[str] = "long-with-stop"
    description: ClassVar[str] = "A test double."
    Parameters: ClassVar[type[NoParameters]] = NoParameters

    @property
    def warmup(self) -> int:
        return 0

    def compute(self, bars: pd.DataFrame) -> pd.DataFrame:
        return make_signal_frame(bars, [0], 1, stop=99.0)


def test_a_stop_reached_only_by_the_bid_is_found_by_the_driver() -> None:
    # ten minutes whose trades never go below 99.50; the bid dips to 98.90 in minute 5 only
    index = pd.date_range("2024-03-04 14:30", periods=10, freq="1min", tz="UTC", name="ts")
    frame = pd.DataFrame(
        {"open": 100.0, "high": 101.0, "low": 99.5, "close": 100.5, "volume": 1000.0},
        index=index,
    )
    frame["ts_close"] = index + pd.Timedelta(minutes=1)
    bids = {"bid_open": 99.9, "bid_high": 100.9, "bid_low": 99.4, "bid_close": 100.4}
    asks = {"ask_open": 100.1, "ask_high": 101.1, "ask_low": 99.6, "ask_close": 100.6}
    for name, value in {**bids, **asks, "bid_size": 100.0, "ask_size": 100.0}.items():
        frame[name] = value
    frame.loc[index[5], "bid_low"] = 98.9
    frame.attrs.update(symbol="SPY", timeframe="1m")
    config = RunConfig(strategy="sma-cross", symbol="SPY", timeframe="1m", cash=D(10000))
    result = simulate(frame, _LongWithStop(), config, instrument_for("SPY"))
    entry, exit_ = result.fills
    assert (entry.price, entry.ts) == (D("100.1"), index[1])  # the ask open of minute 1
    assert (exit_.price, exit_.ts) == (D("99"), index[5])  # the stop, on the bid, in minute 5
    assert exit_.slippage == 0
    plain = frame.drop(
        columns=[name for name in frame.columns if "_" in name and name != "ts_close"]
    )
    assert len(simulate(plain, _LongWithStop(), config, instrument_for("SPY")).fills) == 1


def test_quoted_bars_run_on_the_event_kernel_only(regular_session: pd.DataFrame) -> None:
    config = RunConfig(strategy="sma-cross", symbol="SPY", timeframe="1m", cash=D(10000))
    strategy = run_strategies(config)["sma-cross"]
    with pytest.raises(InvalidInputError, match="not eligible for the fast path"):
        simulate(regular_session, strategy, config, instrument_for("SPY"), engine="fastpath")
    plain = regular_session[["open", "high", "low", "close", "volume", "ts_close"]].copy()
    plain.attrs = dict(regular_session.attrs)
    traded = simulate(plain, strategy, config, instrument_for("SPY"))
    quoted = simulate(regular_session, strategy, config, instrument_for("SPY"))
    assert len(quoted.fills) > 0
    assert all(fill.slippage == 0 for fill in quoted.fills)  # quoted prices, no slippage
    assert all(fill.slippage > 0 for fill in traded.fills)  # trade prices + 5 bps
