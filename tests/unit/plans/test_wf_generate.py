"""Plans made by a registered strategy for the walk-forward: one row per signal on the last
daily bar known at the previous close, priced from that bar, checked against the bundled CSV
read by hand and against the strategy's signals on the whole history (causality)."""

from __future__ import annotations

import csv
from datetime import date
from decimal import ROUND_FLOOR, Decimal
from importlib import resources

import numpy as np
import pandas as pd
import pytest

from paperdesk.analysis.strategies.registry import create_vectorised_strategy
from paperdesk.data import find_bundled, load_bars
from paperdesk.domain import Side
from paperdesk.plans.wf_days import trading_days
from paperdesk.plans.wf_generate import plan_from_strategy

CAP = Decimal("0.8")
HOLD = Decimal(3)


def daily(symbol: str) -> pd.DataFrame:
    return load_bars(find_bundled(symbol, "1d"))


def csv_rows(symbol: str) -> list[dict[str, str]]:
    name = f"lean_{symbol}_1d.csv"
    with resources.files("paperdesk.data.bundled").joinpath(name).open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


class LongOnLastBar:
    """Signals a long on the last bar it is given: stop 2% under, target 3% over its close."""

    name = "long-on-last"

    def signals(self, bars: pd.DataFrame) -> pd.DataFrame:
        close = float(bars["close"].iloc[-1])
        return pd.DataFrame(
            {
                "direction": np.array([1], dtype=np.int8),
                "confidence": [0.65],
                "stop": [close * 0.98],
                "target": [close * 1.03],
                "reason": ["test"],
            },
            index=bars.index[-1:],
        )


def test_a_row_is_priced_from_the_previous_close_with_the_documented_etth() -> None:
    day = trading_days("XNYS", date(2021, 3, 9), date(2021, 3, 9))[0]
    frame = daily("SPY")
    history = frame[frame["ts_close"] <= day.as_of]
    plan = plan_from_strategy(LongOnLastBar(), {"SPY": history}, day, Decimal(100000), CAP, HOLD)
    (row,) = plan.rows
    # by hand from lean_SPY_1d.csv: the last bar known on 03-09 is 03-08's
    rows = csv_rows("SPY")
    at = [r["timestamp"][:10] for r in rows].index("2021-03-08")
    close = Decimal(rows[at]["close"])
    assert (row.ticker, row.side, row.entry_price) == ("SPY", Side.BUY, close)
    assert row.entry_datetime is None  # from the day's first candle
    assert row.qty == (Decimal(100000) * CAP / close).to_integral_value(rounding=ROUND_FLOOR)
    assert row.stop_loss == (close * Decimal("0.98")).quantize(Decimal("0.01"))
    assert row.take_profit == (close * Decimal("1.03")).quantize(Decimal("0.01"))
    assert row.strength == Decimal("0.6500")
    # etth: the distance to the target over the mean high-low of the 14 bars up to 03-08
    ranges = [Decimal(r["high"]) - Decimal(r["low"]) for r in rows[at - 13 : at + 1]]
    mean_range = sum(ranges, Decimal(0)) / 14
    expected = ((row.take_profit - close) / mean_range).quantize(
        Decimal("0.01"), rounding=ROUND_FLOOR
    )
    assert row.etth_days == expected


def test_a_bar_after_the_plan_time_is_refused() -> None:
    day = trading_days("XNYS", date(2021, 3, 9), date(2021, 3, 9))[0]
    frame = daily("SPY")
    with pytest.raises(ValueError, match="closing after"):
        plan_from_strategy(LongOnLastBar(), {"SPY": frame}, day, Decimal(100000), CAP, HOLD)


def test_macd_cross_rows_are_the_signals_of_the_previous_session() -> None:
    # The strategy is causal, so its signals on the whole history, read at each previous
    # session's bar, say which days of March 2021 get a row and on which side.
    strategy = create_vectorised_strategy("macd-cross", {"stop_atr": 1.0, "target_atr": 2.0})
    frames = {symbol: daily(symbol) for symbol in ("SPY", "AAPL")}
    whole = {symbol: strategy.signals(frame) for symbol, frame in frames.items()}
    planned = 0
    for day in trading_days("XNYS", date(2021, 3, 1), date(2021, 3, 31)):
        histories = {s: f[f["ts_close"] <= day.as_of] for s, f in frames.items()}
        plan = plan_from_strategy(strategy, histories, day, Decimal(100000), CAP, HOLD)
        made = {(row.ticker, row.side) for row in plan.rows}
        expected = set()
        for symbol, signals in whole.items():
            label = histories[symbol].index[-1]
            if label in signals.index and int(signals.loc[label, "direction"]) != 0:
                side = Side.BUY if int(signals.loc[label, "direction"]) > 0 else Side.SELL
                expected.add((symbol, side))
        assert made == expected, day.day
        planned += len(made)
    assert planned > 0


def test_a_symbol_without_the_previous_session_bar_gets_no_row_from_an_old_close() -> None:
    # The bundled SPY days end 2021-03-31; 04-05's previous session is 04-01 (04-02 is Good
    # Friday): a plan priced at 03-31's close would not be that session's plan.
    frame = daily("SPY")
    assert frame.index[-1].date() == date(2021, 3, 31)
    first, later = trading_days("XNYS", date(2021, 4, 1), date(2021, 4, 5))
    assert (first.day, later.day) == (date(2021, 4, 1), date(2021, 4, 5))
    made = plan_from_strategy(LongOnLastBar(), {"SPY": frame}, first, Decimal(100000), CAP, HOLD)
    assert len(made.rows) == 1  # 03-31 is 04-01's previous session
    stale = plan_from_strategy(LongOnLastBar(), {"SPY": frame}, later, Decimal(100000), CAP, HOLD)
    assert stale.rows == ()
    assert stale.notes["SPY"] == (
        "no daily bar of the session before 2021-04-05: the last known is of 2021-03-31 "
        "(closed 2021-03-31T20:00:00+00:00); no plan from an old close"
    )


def test_a_day_that_ends_before_the_equity_close_is_the_previous_session_bar() -> None:
    # A forex day ends at 17:00 New York, an hour after the XNYS close: the last one closed at
    # a plan time is the day before the previous session's, 23 hours earlier, and is current.
    day = trading_days("XNYS", date(2021, 3, 10), date(2021, 3, 10))[0]
    frame = daily("SPY")
    shifted = frame.assign(ts_close=frame["ts_close"] + pd.Timedelta(hours=1))
    history = shifted[shifted["ts_close"] <= day.as_of]
    assert day.as_of - history["ts_close"].iloc[-1] == pd.Timedelta(hours=23)
    plan = plan_from_strategy(LongOnLastBar(), {"SPY": history}, day, Decimal(100000), CAP, HOLD)
    assert len(plan.rows) == 1
