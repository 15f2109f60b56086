"""The daily loss limit (``--daily-loss-limit``, ``routing.risk.DailyLossLimit``) on the integer
fast path gives exactly the event kernel's result (by repr), plain signals sized at the signal on
a tick grid: the day is the UTC day of the bar's close, its start the equity at the previous
day's last close; an entry at or below start x (1 - limit / 100) is rejected on a flat book and
dropped from a reversal, whose exit goes ("entry rejected: ..."); exits always pass."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd
import pytest
from engine_builders import Scripted, make_bars
from hypothesis import event, given, settings
from hypothesis import strategies as st
from test_fastpath_equivalence import TEST, _assert_same_outcome, _eligible, assert_identical
from test_fastpath_signal_filters import confident_scripts, filtered_configs

from paperdesk.config import RiskConfig, RunConfig, SizeTiming, SizingConfig
from paperdesk.engine.backtest import simulate
from paperdesk.engine.result import BacktestResult

D = Decimal
_LIMITS = [D("0.01"), D("0.1"), D("0.5"), D(1), D("2.5"), D(5), D(100)]


@st.composite
def wild_bars(draw: st.DrawFn) -> pd.DataFrame:
    """Hourly bars over one to eight UTC days (starting at 14:00), a random walk at two-decimal
    prices volatile enough that a day often loses more than the limit."""
    count = draw(st.integers(24, 200))
    generator = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    volatility = draw(st.sampled_from([0.01, 0.03, 0.08]))
    close = np.maximum(
        np.round(50 * np.exp(np.cumsum(generator.normal(0, volatility, count))), 2), 0.05
    )
    gaps = 1 + generator.normal(0, volatility / 2, count)
    open_ = np.maximum(np.round(np.r_[50.0, close[:-1]] * gaps, 2), 0.05)
    spread = np.abs(generator.normal(0, 0.01, count)) * close
    high = np.round(np.maximum(open_, close) + spread, 2)
    low = np.maximum(np.round(np.minimum(open_, close) - spread, 2), 0.01)
    return make_bars(list(zip(open_, high, low, close, strict=True)))


@st.composite
def daily_loss_configs(draw: st.DrawFn) -> RunConfig:
    """The filtered signal-sizing runs (every sizing at the signal or all-in at the fill, cap,
    fee, slippage, cash and short setting; a minimum confidence, a cooldown and a holding limit,
    mostly none) with a daily loss limit."""
    config = draw(filtered_configs())
    risk = config.risk.with_changes(
        daily_loss_limit_percent=draw(st.sampled_from(_LIMITS)),
        # mostly none: a filter that rejects most signals leaves few entries to refuse
        min_confidence=draw(st.sampled_from([0.0, 0.0, 0.0, 0.5])),
        cooldown_bars=draw(st.sampled_from([0, 0, 0, 2, 5])),
        max_holding_bars=draw(st.sampled_from([None, None, None, 1, 3, 10])),
    )
    cash = draw(st.sampled_from([D(1000), D(10000), D("25000.50")]))  # entries that fit
    return config.with_changes(risk=risk, cash=cash)


@pytest.mark.parametrize("shape", ["plain", "reversals", "dense"])
@settings(max_examples=120, deadline=None)
@given(data=st.data())
def test_daily_loss_runs_equal_the_event_path(shape: str, data: st.DataObject) -> None:
    """Hourly bars (up to 200: several UTC days), wild, so the limit is hit."""
    bars = data.draw(wild_bars())
    config = data.draw(daily_loss_configs())
    strategy = data.draw(confident_scripts(bars, shape, config.risk.allow_short))
    assert _eligible(bars, strategy, config)
    result = _assert_same_outcome(bars, strategy, config)
    if result is None:
        return
    reasons = [rejection.reason for rejection in result.rejections]
    notes = [note for _, note in result.adjustments]
    event(f"a daily loss rejection: {any('the daily loss limit is' in r for r in reasons)}")
    event(f"a refused reversal: {any('the daily loss limit is' in n for n in notes)}")
    if config.sizing.timing is SizeTiming.FILL:
        hit = any("the daily loss limit is" in reason for reason in reasons)
        event(f"all-in at the fill, a daily loss rejection: {hit}")
    if config.risk.max_holding_bars is not None:
        held = any(trade.exit_reason.startswith("max holding") for trade in result.trades)
        event(f"with a holding limit, a holding exit: {held}")


def _both(bars: pd.DataFrame, strategy: Scripted, config: RunConfig) -> BacktestResult:
    """The fast path's result, eligible and identical to the event kernel's."""
    assert _eligible(bars, strategy, config)
    fast = simulate(bars, strategy, config, TEST, engine="fastpath")
    assert_identical(fast, simulate(bars, strategy, config, TEST, engine="event"))
    return fast


def _config(limit: str = "5", **risk: Any) -> RunConfig:
    """A user's run (80% of the equity at the signal, the 80% exposure cap, no costs)."""
    config = RunConfig(
        strategy="scripted",
        symbol="TEST",
        timeframe="4h",
        risk=RiskConfig(daily_loss_limit_percent=D(limit), **risk),
    )
    execution = config.execution.with_changes(commission="none", slippage_bps=D(0))
    return config.with_changes(execution=execution)


def _bars(closes: list[float], opens: list[float] | None = None) -> pd.DataFrame:
    """4-hour bars from 2024-01-02 00:00 UTC (six a day: rows 0-5 the first day, the last one
    closing at midnight, so in the next day)."""
    opens = opens or closes
    rows = [  # 0.37 above: no quantity divides exactly (the fast path gives up on those)
        (o + 0.37, max(o, c) + 0.87, min(o, c) - 0.13, c + 0.37)
        for o, c in zip(opens, closes, strict=True)
    ]
    return make_bars(rows, start="2024-01-02 00:00", freq="4h")


def _limit_reasons(result: BacktestResult) -> list[str]:
    return [r.reason for r in result.rejections if "daily loss limit" in r.reason]


def test_the_limit_hit_on_the_first_bar_of_a_day() -> None:
    """79 units long from 100.37 (row 1); row 4, the day's last close, marks them at 90.37 (the
    next day's start: 9,210.00); the exit fills at row 5's open, 80.37, and row 5 closes at
    midnight, in the next day: the entry signalled there, the day's first bar, is refused
    (8,420.00 is 8.58% below the start), and so is the next one that day."""
    closes = [100.0, 100.0, 95.0, 92.0, 90.0, 80.0, 80.0, 81.0, 82.0]
    strategy = Scripted({0: 1, 4: 0, 5: 1, 7: 1})
    fast = _both(_bars(closes), strategy, _config("1"))
    assert len(fast.trades) == 1
    assert (
        _limit_reasons(fast)
        == ["equity 8,420.00 is 8.58% below the day's start 9,210.00; the daily loss limit is 1%"]
        * 2
    )


def test_a_gap_below_the_day_start_refuses_the_days_entries() -> None:
    """Long from row 1's open at 100; the next day opens with a gap to 80 (row 6); the exit at
    row 6 fills at 80, below the day's start by more than the limit: every entry of that day is
    rejected, the next day's is accepted (its start is the new, lower equity)."""
    closes = [100.0, 100.0, 100.0, 100.0, 100.0, 100.0, 80.0, 80.0, 81.0, 80.0, 80.0, 80.0]
    closes += [80.0, 81.0, 82.0]
    opens = [*closes[:5], 100.0, 80.0, *closes[7:]]
    strategy = Scripted({0: 1, 6: 0, 7: 1, 9: 1, 12: 1})
    fast = _both(_bars(closes, opens), strategy, _config("5"))
    reasons = _limit_reasons(fast)
    assert len(reasons) == 2
    assert reasons[0].startswith("equity ")
    assert reasons[0].endswith("; the daily loss limit is 5%")
    [trade] = fast.trades
    assert trade.exit_price == D("80.37")
    assert len(fast.fills) == 3  # the next day's entry filled


def test_a_refused_reversal_keeps_its_exit() -> None:
    """Short from row 1 at 100; the price rises to 115 the same day: the long signal at row 3
    closes the short and its entry is refused, an adjustment at its close (not a rejection)."""
    closes = [100.0, 100.0, 110.0, 115.0, 115.0, 115.0, 115.0]
    strategy = Scripted({0: -1, 3: 1})
    fast = _both(_bars(closes), strategy, _config("5", allow_short=True))
    assert _limit_reasons(fast) == []
    [trade] = fast.trades
    assert trade.exit_price == D("115.37")
    [(stamp, note)] = fast.adjustments
    assert note.startswith("entry rejected: equity ")
    assert note.endswith("the daily loss limit is 5%")
    assert stamp == _bars(closes)["ts_close"].iloc[3]


def test_a_day_without_bars_takes_the_last_close_before_it() -> None:
    """Hourly bars with a missing day (2024-01-03): the long marks at 90 at the last bar of
    01-02; 01-04's start is that mark, so an entry after a further fall is refused."""
    day_one = [(100.37, 100.87, 99.87, 100.37)] * 3 + [(90.37, 90.87, 89.87, 90.37)]
    first = make_bars(day_one, start="2024-01-02 18:00", freq="1h")
    day_three = [(84.37, 84.87, 83.87, 84.37)] * 4
    second = make_bars(day_three, start="2024-01-04 10:00", freq="1h")
    bars = pd.concat([first, second])
    bars.attrs.update(first.attrs)
    strategy = Scripted({0: 1, 4: 0, 6: 1})
    fast = _both(bars, strategy, _config("1"))
    reasons = _limit_reasons(fast)
    assert len(reasons) == 1


def test_a_holding_exit_below_the_day_start_refuses_the_days_entries() -> None:
    """A holding limit of 2 bars closes the long (filled at row 1, 100.37) at row 4's open,
    85.37: the entry signalled at row 4's close, the same day, is refused (8,815.00 is 11.85%
    below the day's start, the starting cash); the next day starts from that equity, so the
    entry at row 6 is accepted."""
    closes = [100.0, 100.0, 95.0, 90.0, 85.0, 85.0, 85.0, 86.0, 87.0]
    strategy = Scripted({0: 1, 4: 1, 6: 1})
    fast = _both(_bars(closes), strategy, _config("5", max_holding_bars=2))
    assert _limit_reasons(fast) == [
        "equity 8,815.00 is 11.85% below the day's start 10,000.00; the daily loss limit is 5%"
    ]
    [trade] = fast.trades
    assert trade.exit_reason == "max holding period: held 2 bars"
    assert len(fast.fills) == 3  # the next day's entry filled


def test_an_all_in_entry_is_refused_whatever_its_quantity() -> None:
    """All-in at the fill (``SizeTiming.FILL``): the rule reads no quantity. Short 49 from
    100.37; the long at row 3 (115.37, equity 9,265.00) closes it and its entry is dropped; the
    short signalled at row 4, on the flat book of 9,412.00 (the exit at 112.37), is rejected."""
    closes = [100.0, 100.0, 110.0, 115.0, 112.0, 100.0, 100.0]
    strategy = Scripted({0: -1, 3: 1, 4: -1})
    config = _config("5", allow_short=True)
    sizing = SizingConfig(method="percent-equity", percent=D(50), timing=SizeTiming.FILL)
    fast = _both(_bars(closes), strategy, config.with_changes(sizing=sizing))
    [(_, note)] = fast.adjustments
    assert note.startswith("entry rejected: equity ")
    assert len(_limit_reasons(fast)) == 1
