"""``session = regular`` on real SPY minute bars (bundled ``lean_SPY_1m.csv``, pre- and
post-market included): signals outside 09:30-16:00 New York are rejected with the reason, orders
wait for the next bar in the session, per-bar strategies decide only in it; ``extended`` trades
every bar. Prices below are the file's own rows (UTC bar starts; New York = UTC-4 in October)."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pandas as pd
import pytest
from engine_builders import Scripted

from paperdesk.analysis.strategies.registry import create_strategy
from paperdesk.config import (
    ExecutionConfig,
    FillTiming,
    RiskConfig,
    RunConfig,
    SizeTiming,
    SizingConfig,
    TradingSession,
)
from paperdesk.data import find_bundled, instrument_for, load_bars
from paperdesk.domain import OptionError
from paperdesk.engine.backtest import _fast_path_eligible, simulate
from paperdesk.engine.result import BacktestResult

D = Decimal
SPY = instrument_for("SPY")


@pytest.fixture(scope="module")
def minute_bars() -> pd.DataFrame:
    bars = load_bars(find_bundled("SPY", "1m"))
    return bars.loc["2013-10-07":"2013-10-08"]


def _row(bars: pd.DataFrame, stamp: str) -> int:
    return int(bars.index.get_loc(pd.Timestamp(stamp, tz="UTC")))


def _config(session: str, **execution: Any) -> RunConfig:
    return RunConfig(
        strategy="scripted",
        symbol="SPY",
        timeframe="1m",
        sizing=SizingConfig(method="fixed", quantity=D(10)),
        risk=RiskConfig(exposure_cap_percent=None),
        execution=ExecutionConfig(
            slippage_bps=D(0), commission="none", session=session, **execution
        ),
    )


def _run(bars: pd.DataFrame, script: dict[int, int], session: str) -> BacktestResult:
    return simulate(bars, Scripted(script), _config(session), SPY, engine="event")


def _fills(result: BacktestResult) -> list[tuple[datetime, Decimal, Decimal]]:
    return [(fill.ts, fill.quantity, fill.price) for fill in result.fills]


def test_a_pre_market_signal_is_rejected_with_its_reason(minute_bars: pd.DataFrame) -> None:
    row = _row(minute_bars, "2013-10-07T08:00")  # 04:00-04:01 New York
    result = _run(minute_bars, {row: 1}, "regular")
    assert not result.fills
    assert not result.orders
    assert [r.reason for r in result.rejections] == [
        "outside the regular session: SPY bar 2013-10-07 04:00-04:01 America/New_York "
        "(the regular session is 09:30-16:00; --session extended trades it)"
    ]
    assert result.rejections[0].ts_event == datetime(2013, 10, 7, 8, 1, tzinfo=UTC)
    assert result.signals == 1


def test_with_extended_hours_the_pre_market_signal_trades_at_the_next_open(
    minute_bars: pd.DataFrame,
) -> None:
    row = _row(minute_bars, "2013-10-07T08:00")
    result = _run(minute_bars, {row: 1}, "extended")
    assert not result.rejections
    # the next bar, 08:01 UTC, opens at 167.25
    assert _fills(result) == [(datetime(2013, 10, 7, 8, 1, tzinfo=UTC), D(10), D("167.25"))]


def test_an_order_from_the_last_regular_minute_waits_for_the_next_session(
    minute_bars: pd.DataFrame,
) -> None:
    row = _row(minute_bars, "2013-10-07T19:59")  # 15:59-16:00 New York: in the session
    regular = _run(minute_bars, {row: 1}, "regular")
    # not at the 16:00 post-market bar nor the pre-market bars of the 8th: at the open of
    # 2013-10-08 09:30 New York (13:30 UTC), 167.45
    assert _fills(regular) == [(datetime(2013, 10, 8, 13, 30, tzinfo=UTC), D(10), D("167.45"))]
    extended = _run(minute_bars, {row: 1}, "extended")
    assert _fills(extended) == [(datetime(2013, 10, 7, 20, 0, tzinfo=UTC), D(10), D("167.44"))]


def test_a_per_bar_strategy_first_decides_on_the_first_regular_minute(
    minute_bars: pd.DataFrame,
) -> None:
    """Lean's BasicTemplateAlgorithm convention: buy-and-hold, filling at the signal bar's
    close, buys on the 09:30-09:31 New York bar of 2013-10-07 at its close (167.44); with
    extended hours it buys on the first bar of the data (08:00 UTC, close 167.27)."""
    strategy = create_strategy("buy-and-hold", {})
    regular = simulate(minute_bars, strategy, _config("regular", fill_timing=FillTiming.CLOSE), SPY)
    assert _fills(regular) == [(datetime(2013, 10, 7, 13, 31, tzinfo=UTC), D(10), D("167.44"))]
    assert not regular.rejections
    extended = simulate(
        minute_bars, strategy, _config("extended", fill_timing=FillTiming.CLOSE), SPY
    )
    assert _fills(extended) == [(datetime(2013, 10, 7, 8, 1, tzinfo=UTC), D(10), D("167.27"))]


def test_the_fast_path_is_not_taken_when_bars_lie_outside_the_session(
    minute_bars: pd.DataFrame,
) -> None:
    """The fast path knows no session: with pre-market bars the run takes the event kernel,
    and ``auto`` gives the event kernel's result."""
    config = _config("regular").model_copy(
        update={
            "sizing": SizingConfig(percent=D(50), timing=SizeTiming.FILL),
        }
    )
    pre_market = _row(minute_bars, "2013-10-07T08:00")
    regular_row = _row(minute_bars, "2013-10-07T14:00")
    exit_row = _row(minute_bars, "2013-10-08T20:30")  # post-market: rejected, position stays
    script = {pre_market: 1, regular_row: 1, exit_row: 0}
    strategy = Scripted(script)
    frame = strategy.signals(minute_bars)
    from paperdesk.data.bar_convert import BarArrays

    feed = BarArrays(minute_bars, "SPY", "1m")
    rows = minute_bars.index.get_indexer(frame.index)
    assert not _fast_path_eligible(config, SPY, feed, frame, rows)
    extended = config.model_copy(
        update={"execution": config.execution.model_copy(update={"session": "extended"})}
    )
    assert _fast_path_eligible(extended, SPY, feed, frame, rows)
    automatic = simulate(minute_bars, strategy, config, SPY, engine="auto")
    event = simulate(minute_bars, strategy, config, SPY, engine="event")
    assert _fills(automatic) == _fills(event)
    assert [r.reason[:33] for r in event.rejections] == ["outside the regular session: SPY "] * 2
    assert len(event.fills) == 1  # the 14:00 entry; the exit at 20:30 UTC was rejected


@pytest.mark.parametrize("value", ["overnight", "", "REGULAR HOURS"])
def test_an_unknown_session_is_one_clear_error(value: str) -> None:
    with pytest.raises(OptionError) as caught:
        ExecutionConfig.parse({"session": value})
    message = str(caught.value)
    assert "session" in message
    assert "regular" in message
    assert "extended" in message


def test_the_default_session_is_regular() -> None:
    assert ExecutionConfig().session is TradingSession.REGULAR


def test_lean_s_basic_template_setup_on_raw_minute_bars() -> None:
    """BasicTemplateAlgorithm's settings on the raw trade bars of 2013-10-07..11 (regular
    session, buy-and-hold filling at the signal bar's close, SetHoldings(SPY, 1) as
    target-percent 100 with Lean's 0.25% buffer, IB fees, no exposure cap): the first regular
    bar's close is 167.44, 99750 / 167.44 = 595.7 -> 595 shares, fee 595 x 0.005 = 2.975;
    marked at the last regular close of 2013-10-11 (170.30): 100000 - 2.975 + 595 x (170.30 -
    167.44) = 101698.725. (Lean's own 101691.92 fills at the ask on adjusted prices: the quote
    and adjustment parts of issue 10.)"""
    bars = load_bars(find_bundled("SPY", "1m")).loc["2013-10-07":"2013-10-11 19:59"]
    config = RunConfig(
        strategy="buy-and-hold",
        symbol="SPY",
        timeframe="1m",
        cash=D(100000),
        sizing=SizingConfig(method="target-percent", percent=D(100)),
        risk=RiskConfig(exposure_cap_percent=None),
        execution=ExecutionConfig(
            fill_timing=FillTiming.CLOSE,
            commission="per-share:0.005:min=1:max-pct=0.5",
            slippage_bps=D(0),
        ),
    )
    result = simulate(bars, create_strategy("buy-and-hold", {}), config, SPY)
    assert [(f.ts, f.quantity, f.price, f.fee) for f in result.fills] == [
        (datetime(2013, 10, 7, 13, 31, tzinfo=UTC), D(595), D("167.44"), D("2.975"))
    ]
    assert result.final_equity == D("101698.725")
    assert result.final_cash == D(100000) - D(595) * D("167.44") - D("2.975")


def test_a_max_holding_exit_waits_for_the_next_session(minute_bars: pd.DataFrame) -> None:
    """Entry from the 15:58 New York bar fills at the 15:59 open (167.63); held 2 bars is due
    at the 16:00 post-market bar, but the exit is placed on the first regular bar of the 8th
    (13:30 UTC) and fills at the next open, 13:31 UTC, 167.49."""
    row = _row(minute_bars, "2013-10-07T19:58")
    config = _config("regular").model_copy(
        update={"risk": RiskConfig(exposure_cap_percent=None, max_holding_bars=2)}
    )
    result = simulate(minute_bars, Scripted({row: 1}), config, SPY, engine="event")
    assert _fills(result) == [
        (datetime(2013, 10, 7, 19, 59, tzinfo=UTC), D(10), D("167.63")),
        (datetime(2013, 10, 8, 13, 31, tzinfo=UTC), D(10), D("167.49")),
    ]
    assert result.trades[0].exit_reason.startswith("max holding period")


@pytest.mark.parametrize(("symbol", "timeframe"), [("BTCUSD", "1m"), ("SPY", "1d")])
def test_crypto_and_daily_bars_trade_alike_in_both_sessions(symbol: str, timeframe: str) -> None:
    """The bundled Coinbase minute bars (24/7, weekend and night hours included) and SPY daily
    bars: the same fills and no rejection whichever session is set."""
    bars = load_bars(find_bundled(symbol, timeframe)).iloc[:400]
    instrument = instrument_for(symbol)
    script = {row: 1 - (row // 20) % 2 for row in range(5, 400, 20)}  # long, flat, long...
    results = []
    for session in ("regular", "extended"):
        config = _config(session).model_copy(update={"symbols": (symbol,), "timeframe": timeframe})
        results.append(simulate(bars, Scripted(script), config, instrument, engine="event"))
    regular, extended = results
    assert len(regular.fills) >= 4
    assert _fills(regular) == _fills(extended)
    assert not any(r.reason.startswith("outside") for r in regular.rejections)
