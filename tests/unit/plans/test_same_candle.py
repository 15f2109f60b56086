"""Deciding a candle that touched both levels from the finer bars inside it: which finer bars
count, and the two ways it stays undecided (then stop-loss first, with the reason).

Bars here are made by hand: these are rule cases (the real-data case is in test_simulator.py).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from paperdesk.domain import Bar, OrderRole, Side
from paperdesk.plans.same_candle import BarSeries, decide_from_finer_bars
from paperdesk.plans.sim_results import Outcome, Resolution
from paperdesk.plans.sim_rules import SimulationRules
from paperdesk.plans.simulator import simulate_plan

from ._bundled import plan_row

D = Decimal
HOUR = datetime(2024, 3, 4, 15, 0, tzinfo=UTC)  # a Monday, inside the XNYS session


def bar(timeframe: str, start: datetime, length: timedelta, *prices: str) -> Bar:
    open_, high, low, close = (D(price) for price in prices)
    return Bar("ACME", timeframe, start, start + length, open_, high, low, close, D(100))


def minute(index: int, *prices: str) -> Bar:
    return bar("1m", HOUR + timedelta(minutes=index), timedelta(minutes=1), *prices)


CANDLE = bar("1h", HOUR, timedelta(hours=1), "100", "103", "97", "101")


def test_only_finer_bars_wholly_inside_the_candle_count() -> None:
    before = minute(-1, "100", "104", "100", "100")
    inside = minute(0, "100", "100.5", "99.5", "100")
    after = bar("1m", HOUR + timedelta(hours=1), timedelta(minutes=1), "100", "104", "96", "100")
    assert BarSeries.of([before, inside, after]).inside(CANDLE) == [inside]


def test_the_first_finer_bar_touching_a_level_decides() -> None:
    finer = BarSeries.of(
        [minute(0, "100", "101", "99", "100"), minute(1, "100", "102.5", "99.5", "102")]
    )
    decision = decide_from_finer_bars(CANDLE, finer, Side.SELL, D("98"), D("102"))
    assert decision.exit is not None
    assert (decision.exit.leg, decision.exit.price) == (OrderRole.TAKE_PROFIT, D("102"))
    assert decision.bar is not None
    assert decision.bar.ts_open == HOUR + timedelta(minutes=1)


def test_a_finer_bar_touching_both_levels_leaves_the_candle_undecided() -> None:
    finer = BarSeries.of([minute(0, "100", "102.5", "97.5", "100")])
    decision = decide_from_finer_bars(CANDLE, finer, Side.SELL, D("98"), D("102"))
    assert decision.exit is None
    assert "both levels inside the 1m bar at 15:00Z too" in decision.detail


def test_finer_bars_touching_neither_level_leave_the_candle_undecided() -> None:
    finer = BarSeries.of([minute(0, "100", "101", "99", "100")])
    decision = decide_from_finer_bars(CANDLE, finer, Side.SELL, D("98"), D("102"))
    assert decision.exit is None
    assert "reach neither level" in decision.detail


def test_an_undecided_candle_falls_back_to_stop_loss_first_and_says_why() -> None:
    rules = SimulationRules(instruments={})
    row = plan_row("ACME", "2024-03-04T15:00:00", price="100", take_profit="102", stop_loss="98")
    finer = {"ACME": [minute(0, "100", "102.5", "97.5", "100")]}
    [trade] = simulate_plan([row], {"ACME": [CANDLE]}, rules, finer).trades
    assert trade.outcome is Outcome.STOP_LOSS
    assert trade.resolution is Resolution.STOP_LOSS_FIRST
    assert "both levels inside the 1m bar" in trade.reason
