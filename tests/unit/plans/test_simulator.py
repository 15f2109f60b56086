"""The intraday simulator on real bundled bars, each outcome checked by hand from the CSV rows.

Every test quotes the rows that make its outcome (``csv_prices`` reads them from the bundled
file as text, not through paperdesk's reader, so the quoted values are checked against the
file) and says the arithmetic. Times are UTC; the Lean hourly bar labelled 13:00Z in October
2013 (EDT) holds the 09:30-10:00 New York trading. Costs are zero unless a test says otherwise.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from paperdesk.domain import InvalidInputError, Side
from paperdesk.execution import FixedBasisPoints, PerShare
from paperdesk.execution.costs import CostModels
from paperdesk.plans.settings import EntryType
from paperdesk.plans.sim_results import Outcome, Resolution
from paperdesk.plans.sim_rules import SimulationRules
from paperdesk.plans.simulator import simulate_plan

from ._bundled import candles, csv_prices, plan_row, utc

D = Decimal
SPY_1H = "lean_SPY_1h.csv"
SPY_1M = "lean_SPY_1m.csv"
MARKET = SimulationRules(entry=EntryType.MARKET)


def spy_week() -> dict[str, tuple]:
    return {"SPY": candles("SPY", "1h", "2013-10-07", "2013-10-11")}


def test_take_profit_inside_a_later_candle() -> None:
    # 10-10 13:00Z opens 167.32 (the market entry), high 167.90 < 168, low 167.23 > 166.50;
    # 14:00Z opens 167.82 < 168 and trades up to 168.18: the target 168.00 fills as a limit.
    assert csv_prices(SPY_1H, "2013-10-10T13:00:00Z") == ("167.32", "167.9", "167.23", "167.82")
    assert csv_prices(SPY_1H, "2013-10-10T14:00:00Z") == ("167.82", "168.18", "167.62", "167.89")
    row = plan_row("SPY", "2013-10-10T13:00:00", take_profit="168.00", stop_loss="166.50")
    [trade] = simulate_plan([row], spy_week(), MARKET).trades
    assert trade.outcome is Outcome.TAKE_PROFIT
    assert (trade.entry_time, trade.entry_price) == (utc("2013-10-10T13:00:00"), D("167.32"))
    assert (trade.exit_time, trade.exit_price) == (utc("2013-10-10T14:00:00"), D("168.00"))
    assert trade.pnl == D("6.80")  # 10 x (168.00 - 167.32)
    assert trade.hours_held == D("1.00")
    assert not trade.ambiguous


def test_stop_loss_with_slippage_and_per_share_fees() -> None:
    # 10-08 13:00Z opens 167.45, low 167.05 > 166.90; 14:00Z trades down to 166.67 (high 167.57
    # < 168.50): the stop 166.90 triggers inside the candle.
    # 5 bps: entry 167.45 x 1.0005 = 167.533725 -> 167.54 (a buy rounds up to the tick); stop
    # 166.90 x 0.9995 = 166.81655 -> 166.81 (a sell rounds down). Fees: 0.005 x 10 < $1 minimum,
    # so $1 a fill. P&L = 10 x (166.81 - 167.54) - 2 = -9.30.
    assert csv_prices(SPY_1H, "2013-10-08T13:00:00Z") == ("167.45", "167.62", "167.05", "167.54")
    assert csv_prices(SPY_1H, "2013-10-08T14:00:00Z") == ("167.54", "167.57", "166.67", "166.76")
    costs = CostModels(PerShare(D("0.005"), D("1")), FixedBasisPoints(D(5)))
    rules = SimulationRules(costs=costs, entry=EntryType.MARKET)
    row = plan_row("SPY", "2013-10-08T13:00:00", take_profit="168.50", stop_loss="166.90")
    [trade] = simulate_plan([row], spy_week(), rules).trades
    assert trade.outcome is Outcome.STOP_LOSS
    assert (trade.entry_price, trade.exit_price) == (D("167.54"), D("166.81"))
    assert trade.exit_time == utc("2013-10-08T14:00:00")
    assert (trade.entry_fee, trade.exit_fee) == (D(1), D(1))
    assert trade.gross_pnl == D("-7.30")
    assert trade.pnl == D("-9.30")


def test_timeout_at_the_last_candle_closing_within_the_max_hold() -> None:
    # Entered 10-07 13:00Z at 167.43; the default max hold (3 days) runs to 10-10 13:00Z. The
    # lows of 10-07..09 stay above 164.53 and the highs below 168.45, so 160 and 175 are never
    # touched. The 10-10 13:00Z candle closes 14:00Z, past the limit: the trade closes at the
    # close of 10-09 19:00Z, 165.57, at 20:00Z: 55 hours, 10 x (165.57 - 167.43) = -18.60.
    assert csv_prices(SPY_1H, "2013-10-07T13:00:00Z")[0] == "167.43"
    assert csv_prices(SPY_1H, "2013-10-09T19:00:00Z")[3] == "165.57"
    week = spy_week()
    span = [bar for bar in week["SPY"] if bar.ts_open < utc("2013-10-10T00:00:00")]
    assert min(bar.low for bar in span) == D("164.53")
    assert max(bar.high for bar in span) == D("168.45")
    row = plan_row("SPY", "2013-10-07T13:00:00", take_profit="175", stop_loss="160")
    [trade] = simulate_plan([row], week, MARKET).trades
    assert trade.outcome is Outcome.TIMEOUT
    assert (trade.exit_time, trade.exit_price) == (utc("2013-10-09T20:00:00"), D("165.57"))
    assert trade.hours_held == D("55.00")
    assert trade.pnl == D("-18.60")


def test_a_row_max_hold_overrides_the_default() -> None:
    # One day from 10-07 13:00Z: the 10-08 13:00Z candle closes 14:00Z, past 10-08 13:00Z, so
    # the trade closes with 10-07 19:00Z at 167.42 (20:00Z), after 7 hours.
    assert csv_prices(SPY_1H, "2013-10-07T19:00:00Z")[3] == "167.42"
    row = plan_row(
        "SPY", "2013-10-07T13:00:00", take_profit="175", stop_loss="160", max_hold_days="1"
    )
    [trade] = simulate_plan([row], spy_week(), MARKET).trades
    assert trade.outcome is Outcome.TIMEOUT
    assert (trade.exit_time, trade.exit_price, trade.hours_held) == (
        utc("2013-10-07T20:00:00"),
        D("167.42"),
        D("7.00"),
    )


def test_same_candle_falls_back_to_stop_loss_first_without_finer_bars() -> None:
    # 10-09 15:00Z opens 165.00 (the market entry) and trades 164.53..165.26: both the target
    # 165.20 and the stop 164.60 are inside it, and it opened through neither.
    assert csv_prices(SPY_1H, "2013-10-09T15:00:00Z") == ("165.0", "165.26", "164.53", "165.17")
    row = plan_row("SPY", "2013-10-09T15:00:00", take_profit="165.20", stop_loss="164.60")
    result = simulate_plan([row], spy_week(), MARKET)
    [trade] = result.trades
    assert trade.outcome is Outcome.STOP_LOSS
    assert (trade.exit_time, trade.exit_price) == (utc("2013-10-09T15:00:00"), D("164.60"))
    assert trade.ambiguous
    assert trade.resolution is Resolution.STOP_LOSS_FIRST
    assert trade.pnl == D("-4.00")  # 10 x (164.60 - 165.00)
    summary = result.summary
    assert (summary.ambiguous, summary.resolved_lower_timeframe, summary.stop_loss_first) == (
        1,
        0,
        1,
    )


def test_same_candle_takes_the_target_when_stop_loss_priority_is_off() -> None:
    # The candle above (10-09 15:00Z, 165.00 open, 164.53..165.26) with the guardrail
    # ``stop_loss_priority`` off: the optimistic bound exits at the target 165.20, a limit
    # filled at its price inside the candle: 10 x (165.20 - 165.00) = +2.00.
    rules = SimulationRules(entry=EntryType.MARKET, stop_loss_first=False)
    row = plan_row("SPY", "2013-10-09T15:00:00", take_profit="165.20", stop_loss="164.60")
    result = simulate_plan([row], spy_week(), rules)
    [trade] = result.trades
    assert trade.outcome is Outcome.TAKE_PROFIT
    assert (trade.exit_time, trade.exit_price) == (utc("2013-10-09T15:00:00"), D("165.20"))
    assert trade.ambiguous
    assert trade.resolution is Resolution.TAKE_PROFIT_FIRST
    assert "take-profit first" in trade.reason
    assert trade.pnl == D("2.00")
    summary = result.summary
    assert (summary.ambiguous, summary.stop_loss_first, summary.take_profit_first) == (1, 0, 1)


def test_stop_loss_priority_is_read_from_the_plan_settings() -> None:
    from paperdesk.plans.settings import PlanSettings

    assert SimulationRules.from_settings(PlanSettings(), None).stop_loss_first
    off = PlanSettings(stop_loss_priority=False)
    assert not SimulationRules.from_settings(off, None).stop_loss_first


def test_an_unambiguous_stop_is_a_stop_whatever_the_priority() -> None:
    # 10-08 14:00Z trades down to 166.67 with a high of 167.57 < 168.50: only the stop is
    # touched, so the priority has nothing to decide.
    rules = SimulationRules(entry=EntryType.MARKET, stop_loss_first=False)
    row = plan_row("SPY", "2013-10-08T13:00:00", take_profit="168.50", stop_loss="166.90")
    [trade] = simulate_plan([row], spy_week(), rules).trades
    assert (trade.outcome, trade.ambiguous) == (Outcome.STOP_LOSS, False)


def test_same_candle_resolved_from_the_bundled_minute_bars() -> None:
    # The same candle, walked minute by minute: 15:00..15:02Z stay inside (highs 165.08, 165.19,
    # 165.18; lows >= 164.99), 15:03Z reaches 165.25 >= 165.20 (low 165.12): the target came
    # first. The stop's side comes only at 15:21Z (low 164.57 <= 164.60).
    assert csv_prices(SPY_1M, "2013-10-09T15:00:00Z") == ("165.01", "165.08", "164.99", "165.06")
    assert csv_prices(SPY_1M, "2013-10-09T15:01:00Z") == ("165.06", "165.19", "165.05", "165.16")
    assert csv_prices(SPY_1M, "2013-10-09T15:02:00Z") == ("165.16", "165.18", "165.12", "165.14")
    assert csv_prices(SPY_1M, "2013-10-09T15:03:00Z") == ("165.15", "165.25", "165.12", "165.21")
    assert csv_prices(SPY_1M, "2013-10-09T15:21:00Z") == ("164.67", "164.68", "164.57", "164.57")
    minutes = {"SPY": candles("SPY", "1m", "2013-10-07", "2013-10-11")}
    row = plan_row("SPY", "2013-10-09T15:00:00", take_profit="165.20", stop_loss="164.60")
    result = simulate_plan([row], spy_week(), MARKET, finer=minutes)
    [trade] = result.trades
    assert trade.outcome is Outcome.TAKE_PROFIT
    assert (trade.exit_time, trade.exit_price) == (utc("2013-10-09T15:03:00"), D("165.20"))
    assert trade.ambiguous
    assert trade.resolution is Resolution.LOWER_TIMEFRAME
    assert "15:03Z" in trade.reason
    assert trade.pnl == D("2.00")  # 10 x (165.20 - 165.00)
    summary = result.summary
    assert (summary.ambiguous, summary.resolved_lower_timeframe, summary.stop_loss_first) == (
        1,
        1,
        0,
    )


def test_minute_bars_can_confirm_the_stop_came_first() -> None:
    # 10-07 14:00Z opens 167.74, trades 167.61..168.38. Minute 14:00Z dips to 167.61 (<= 167.65)
    # while its high stays below 168.30: the stop came first, now from the data, not the rule.
    assert csv_prices(SPY_1H, "2013-10-07T14:00:00Z") == ("167.74", "168.38", "167.61", "168.18")
    minutes = candles("SPY", "1m", "2013-10-07", "2013-10-11")
    first = next(
        bar
        for bar in minutes
        if bar.ts_open >= utc("2013-10-07T14:00:00") and bar.low <= D("167.65")
    )
    earlier = [bar for bar in minutes if utc("2013-10-07T14:00:00") <= bar.ts_open < first.ts_open]
    assert all(bar.high < D("168.30") for bar in [*earlier, first])
    stamp = f"{first.ts_open:%Y-%m-%dT%H:%M:%S}Z"
    assert D(csv_prices(SPY_1M, stamp)[2]) <= D("167.65")
    row = plan_row("SPY", "2013-10-07T14:00:00", take_profit="168.30", stop_loss="167.65")
    [trade] = simulate_plan([row], spy_week(), MARKET, finer={"SPY": minutes}).trades
    assert trade.outcome is Outcome.STOP_LOSS
    assert trade.resolution is Resolution.LOWER_TIMEFRAME
    assert trade.exit_time == first.ts_open


def test_intraday_mode_closes_at_the_sessions_last_candle() -> None:
    # INTRADAY: entered 10-07 13:00Z at 167.43 with levels 166/170 the day never reaches (its
    # lows >= 167.25, highs <= 168.45); the XNYS session closes 16:00 New York = 20:00Z, so the
    # trade closes with the 19:00Z candle at 167.42: 10 x (167.42 - 167.43) = -0.10.
    day = [bar for bar in spy_week()["SPY"] if bar.ts_open.day == 7]
    assert (min(bar.low for bar in day), max(bar.high for bar in day)) == (D("167.25"), D("168.45"))
    rules = SimulationRules(entry=EntryType.MARKET, end_of_day_close=True)
    row = plan_row("SPY", "2013-10-07T13:00:00", take_profit="170", stop_loss="166")
    [trade] = simulate_plan([row], spy_week(), rules).trades
    assert trade.outcome is Outcome.END_OF_DAY
    assert (trade.exit_time, trade.exit_price) == (utc("2013-10-07T20:00:00"), D("167.42"))
    assert trade.pnl == D("-0.10")


def test_intraday_mode_follows_an_early_close() -> None:
    # 2019-11-29 (after Thanksgiving) closes at 13:00 New York = 18:00Z: the last AAPL candle is
    # labelled 17:00Z (close 267.25); entered at 14:00Z at 266.20 (day range 265.90..268.00).
    assert csv_prices("lean_AAPL_1h.csv", "2019-11-29T14:00:00Z")[0] == "266.2"
    assert csv_prices("lean_AAPL_1h.csv", "2019-11-29T17:00:00Z")[3] == "267.25"
    bars = {"AAPL": candles("AAPL", "1h", "2019-11-27", "2019-12-03")}
    rules = SimulationRules(entry=EntryType.MARKET, end_of_day_close=True)
    row = plan_row("AAPL", "2019-11-29T14:00:00", take_profit="275", stop_loss="260")
    [trade] = simulate_plan([row], bars, rules).trades
    assert trade.outcome is Outcome.END_OF_DAY
    assert (trade.exit_time, trade.exit_price) == (utc("2019-11-29T18:00:00"), D("267.25"))
    assert trade.hours_held == D("4.00")
    assert trade.pnl == D("10.50")


def test_no_candle_at_or_after_the_entry_time_is_no_data() -> None:
    # The bundled SPY hours end with 2021-03-31 19:00Z; a plan for April has nothing to enter on.
    bars = {"SPY": candles("SPY", "1h", "2021-03-29", "2021-03-31")}
    rows = [
        plan_row("SPY", "2021-04-05T13:30:00", take_profit="400", stop_loss="380"),
        plan_row("MSFT", "2021-03-30T13:30:00", row=2),
    ]
    late, unknown = simulate_plan(rows, bars, MARKET).trades
    assert late.outcome is Outcome.NO_DATA
    assert "2021-04-05" in late.reason
    assert "2021-03-31T20:00:00" in late.reason
    assert (late.entry_price, late.pnl) == (None, None)
    assert unknown.outcome is Outcome.NO_DATA
    assert "no candles for MSFT" in unknown.reason


def test_limit_entry_not_reached_in_its_session_is_not_filled() -> None:
    # A buy limit at 160 on 10-07, whose low is 167.25: it expires at the 20:00Z close.
    row = plan_row("SPY", "2013-10-07T13:00:00", price="160", take_profit="170", stop_loss="150")
    [trade] = simulate_plan([row], spy_week()).trades
    assert trade.outcome is Outcome.NOT_FILLED
    assert "2013-10-07T20:00:00" in trade.reason


def test_limit_entry_filled_inside_a_candle_exits_no_earlier_than_the_next() -> None:
    # Buy limit 167.30: 10-07 13:00Z opens 167.43 and dips to 167.25, so it fills at 167.30
    # inside the candle. That candle also reaches 167.88 >= the 167.80 target, but after or
    # before the fill is unknown: like the engine's bracket legs, exits start with the next
    # candle. 14:00Z opens 167.74 < 167.80 and trades to 168.38: the target fills at 14:00Z.
    assert csv_prices(SPY_1H, "2013-10-07T13:00:00Z") == ("167.43", "167.88", "167.25", "167.72")
    row = plan_row(
        "SPY", "2013-10-07T13:00:00", price="167.30", take_profit="167.80", stop_loss="166"
    )
    [trade] = simulate_plan([row], spy_week()).trades
    assert (trade.entry_time, trade.entry_price) == (utc("2013-10-07T13:00:00"), D("167.30"))
    assert trade.outcome is Outcome.TAKE_PROFIT
    assert (trade.exit_time, trade.exit_price) == (utc("2013-10-07T14:00:00"), D("167.80"))


def test_short_take_profit_below_the_entry() -> None:
    # Short at 10-08 13:00Z's open 167.45; 14:00Z stays above 166.50 (low 166.67), 15:00Z opens
    # 166.76 and falls to 166.06: the buy-back at 166.50. Highs stay below 168 (167.62, 167.57).
    assert csv_prices(SPY_1H, "2013-10-08T15:00:00Z") == ("166.76", "166.83", "166.06", "166.35")
    row = plan_row(
        "SPY", "2013-10-08T13:00:00", side=Side.SELL, take_profit="166.50", stop_loss="168"
    )
    [trade] = simulate_plan([row], spy_week(), MARKET).trades
    assert trade.outcome is Outcome.TAKE_PROFIT
    assert (trade.exit_time, trade.exit_price) == (utc("2013-10-08T15:00:00"), D("166.50"))
    assert trade.pnl == D("9.50")  # 10 x (167.45 - 166.50)


def test_candles_before_the_entry_time_are_never_used() -> None:
    # Entry at 10-07 13:30Z: the 13:00Z candle opened before it, so the first candle is 14:00Z
    # (open 167.74), even though 13:00Z's low 167.25 would have filled a 167.30 limit.
    row = plan_row("SPY", "2013-10-07T13:30:00", price="167.30", take_profit="169", stop_loss="160")
    [trade] = simulate_plan([row], spy_week()).trades
    assert trade.outcome is Outcome.NOT_FILLED  # 14:00Z..19:00Z lows: 167.61 and up
    assert all(
        bar.low > D("167.30")
        for bar in spy_week()["SPY"]
        if utc("2013-10-07T14:00:00") <= bar.ts_open < utc("2013-10-07T20:00:00")
    )


def test_a_long_with_its_stop_above_its_target_is_refused_naming_the_row() -> None:
    row = plan_row("SPY", "2013-10-07T13:00:00", take_profit="160", stop_loss="170", row=7)
    with pytest.raises(InvalidInputError, match=r"row 7 .*stop_loss 170"):
        simulate_plan([row], spy_week())


def test_summary_counts_outcomes_pnl_and_win_rate() -> None:
    rows = [
        plan_row("SPY", "2013-10-10T13:00:00", take_profit="168.00", stop_loss="166.50", row=1),
        plan_row("SPY", "2013-10-08T13:00:00", take_profit="168.50", stop_loss="166.90", row=2),
        plan_row("SPY", "2021-04-05T13:30:00", row=3),
    ]
    result = simulate_plan(rows, spy_week(), MARKET)
    summary = result.summary
    assert summary.outcomes["TP"] == 1
    assert summary.outcomes["SL"] == 1
    assert summary.outcomes["NO_DATA"] == 1
    assert (summary.closed, summary.wins, summary.losses) == (2, 1, 1)
    assert summary.win_rate_pct == 50.0  # a percent, as every statistics' win rate
    # +6.80 (TP, above) and 10 x (166.90 - 167.45) = -5.50 without costs
    assert summary.pnl == D("1.30")
    assert sum(trade.pnl or 0 for trade in result.trades) == summary.pnl
    assert summary.fees == 0
    assert result.trades[0].exit_time - result.trades[0].entry_time == timedelta(hours=1)
