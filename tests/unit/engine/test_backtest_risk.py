"""Brackets, holding limits, risk rules and rejections as the whole engine applies them."""

from __future__ import annotations

import math
from decimal import Decimal

import pandas as pd
from engine_builders import Scripted, make_bars, make_config

from paperdesk.config import ExecutionConfig, RiskConfig, SizingConfig
from paperdesk.domain import Instrument, Side
from paperdesk.engine.backtest import simulate

D = Decimal
TEST = Instrument.equity("TEST", calendar="24/7")
NAN = math.nan


def test_bracket_stop_loss_closes_the_trade_and_names_the_exit() -> None:
    bars = make_bars(
        [(100, 101, 99, 100), (100, 101, 99, 100.5), (100, 100.5, 94, 95), (95, 96, 94, 95)]
    )
    result = simulate(bars, Scripted({0: (1, 97.0, 110.0)}), make_config(), TEST)
    [trade] = result.trades
    assert trade.exit_reason == "stop-loss"
    assert trade.exit_price == D("97")
    assert trade.pnl == 10 * (D("97") - D("100"))
    assert [o.status.value for o in result.orders] == ["filled", "filled", "canceled"]


def test_same_bar_stop_and_target_counts_an_ambiguous_bar_and_the_stop_wins() -> None:
    bars = make_bars(
        [(100, 101, 99, 100), (100, 101, 99, 100), (100, 111, 96, 105), (105, 106, 104, 105)]
    )
    result = simulate(bars, Scripted({0: (1, 97.0, 110.0)}), make_config(), TEST)
    [trade] = result.trades
    assert trade.exit_reason == "stop-loss"
    assert result.stats.ambiguous_bars == 1


def test_a_signal_exit_cancels_the_bracket_so_it_cannot_fire_on_a_flat_book() -> None:
    bars = make_bars([(100, 101, 99, 100)] * 3 + [(100, 101, 90, 91)] * 3)
    result = simulate(bars, Scripted({0: (1, 95.0, 120.0), 1: 0}), make_config(), TEST)
    assert [f.side for f in result.fills] == [Side.BUY, Side.SELL]
    assert result.trades[0].exit_price == D("100")
    assert result.final_equity == D("10000")


def test_max_holding_period_closes_the_position_after_that_many_bars(
    flat_bars: pd.DataFrame,
) -> None:
    config = make_config(risk=RiskConfig(exposure_cap_percent=None, max_holding_bars=3))
    result = simulate(flat_bars, Scripted({0: 1}), config, TEST)
    [trade] = result.trades
    # entered at bar 1's open; held 3 bars at bar 4's close; the exit fills at bar 5's open
    assert trade.ts_entry == flat_bars.index[1].to_pydatetime()
    assert trade.ts_exit == flat_bars.index[5].to_pydatetime()
    assert trade.exit_reason.startswith("max holding period")


def test_default_exposure_cap_trims_an_all_in_entry_to_80_percent_of_equity() -> None:
    bars = make_bars([(100, 101, 99, 100)] * 4)
    config = make_config(risk=RiskConfig(), sizing=SizingConfig(percent=D(100)))
    result = simulate(bars, Scripted({0: 1}), config, TEST)
    [fill] = result.fills
    assert fill.quantity == D("80")  # 100 shares asked, 80% of 10,000 at 100 allowed


def test_rejected_signals_keep_their_reason_and_change_nothing(flat_bars: pd.DataFrame) -> None:
    result = simulate(flat_bars, Scripted({1: -1, 3: 0}), make_config(), TEST)
    assert result.fills == ()
    reasons = [r.reason for r in result.rejections]
    assert len(reasons) == 2
    assert "short selling is disabled" in reasons[0]
    assert "no open position" in reasons[1]
    assert result.final_equity == D("10000")


def test_daily_loss_limit_blocks_entries_after_the_day_lost_too_much() -> None:
    rows = [
        (100, 101, 99, 100),
        (100, 101, 79, 80),
        (80, 81, 79, 80),
        (80, 81, 79, 80),
        (80, 81, 79, 80),
        (80, 81, 79, 80),
    ]
    bars = make_bars(rows, start="2024-01-02 01:00")
    config = make_config(risk=RiskConfig(exposure_cap_percent=None, daily_loss_limit_percent=D(1)))
    script = {0: 1, 2: 0, 3: 1}
    result = simulate(bars, Scripted(script), config, TEST)
    assert [f.side for f in result.fills] == [Side.BUY, Side.SELL]
    [rejection] = result.rejections
    assert "loss" in rejection.reason


def test_equity_curve_ends_at_the_exact_final_equity_and_the_books_balance() -> None:
    bars = make_bars([(100 + i % 7, 103 + i % 7, 98 + i % 7, 101 + i % 5) for i in range(40)])
    config = make_config(
        risk=RiskConfig(exposure_cap_percent=None, allow_short=True),
        execution=ExecutionConfig(commission="percent:0.1"),
    )
    result = simulate(bars, Scripted({3: 1, 9: -1, 15: 1, 22: 0, 30: -1}), config, TEST)
    assert [t.side for t in result.trades] == [Side.BUY, Side.SELL, Side.BUY]  # + an open short
    assert math.isclose(result.equity_curve.iloc[-1], float(result.final_equity), rel_tol=1e-12)
    opening_short = result.fills[-1]
    assert opening_short.side is Side.SELL
    closed_pnl = sum((t.pnl for t in result.trades), D(0))
    assert result.final_cash == (
        D("10000") + closed_pnl + opening_short.notional - opening_short.fee
    )
    last_close = D(str(bars["close"].iloc[-1]))
    assert result.final_equity == result.final_cash - opening_short.quantity * last_close
    fees = sum((f.fee for f in result.fills), D(0))
    assert math.isclose(result.stats.fees, float(fees))


def test_a_second_exit_replaces_the_first_so_a_long_only_book_never_goes_short(
    flat_bars: pd.DataFrame,
) -> None:
    # bar 3: the holding limit submits an exit, and the strategy exits on the same bar
    config = make_config(risk=RiskConfig(exposure_cap_percent=None, max_holding_bars=2))
    result = simulate(flat_bars, Scripted({0: 1, 3: 0}), config, TEST)
    assert [(f.side, f.quantity) for f in result.fills] == [(Side.BUY, D(10)), (Side.SELL, D(10))]
    assert result.final_equity == result.final_cash
    canceled = [o for o in result.orders if o.status.value == "canceled"]
    assert len(canceled) == 1


def test_a_signal_while_a_volume_capped_entry_is_still_filling_is_rejected() -> None:
    # 1000 volume x 0.002 = 2 units a bar: the 10-unit entry needs five bars
    bars = make_bars([(100, 101, 99, 100)] * 10)
    config = make_config(execution=ExecutionConfig(volume_cap=D("0.002"), slippage_bps=D(0)))
    result = simulate(bars, Scripted({0: 1, 2: 1}), config, TEST)
    [rejection] = result.rejections
    assert "entry order for TEST is still working" in rejection.reason
    assert sum((f.quantity for f in result.fills), D(0)) == D(10)
