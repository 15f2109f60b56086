"""The fast path's result computes its statistics when ``stats`` is first read: equal to the event
kernel's, kept once computed, resolved by every reader (equality, repr, pickling, replace), and
independent of what happens to the caller's bars after the run; the inputs that would make the
statistics fail are refused when the result is made, as before."""

from __future__ import annotations

import dataclasses
import pickle
from decimal import Decimal

import numpy as np
import pandas as pd
import pytest
from engine_builders import Scripted, make_bars
from test_fastpath_deferred import CONFIG, SCRIPT, TEST, _runs, _stored

from paperdesk.analytics.conventions import Conventions
from paperdesk.analytics.metrics import LATER_RATIO, compute_stats, periods_per_year_for_later
from paperdesk.analytics.stats import Stats
from paperdesk.config.statistics import ReturnBasis, StatisticsConfig
from paperdesk.domain import InvalidInputError
from paperdesk.engine.backtest import simulate
from paperdesk.engine.result import StatsOnRead, assemble_result


def test_statistics_are_computed_on_first_read_and_kept(flat_bars: pd.DataFrame) -> None:
    fast, slow = _runs(flat_bars)
    assert type(_stored(fast, "stats")) is StatsOnRead
    assert type(_stored(slow, "stats")) is Stats  # the event kernel computes them at once
    stats = fast.stats
    assert type(_stored(fast, "stats")) is Stats
    assert stats is fast.stats
    assert repr(stats) == repr(slow.stats)


def test_every_reader_resolves_the_statistics(flat_bars: pd.DataFrame) -> None:
    _, slow = _runs(flat_bars)
    fresh = _runs(flat_bars)[0]
    assert repr(fresh).count("Stats(") == 1
    assert repr(_runs(flat_bars)[0].stats) == repr(slow.stats)
    copied = pickle.loads(pickle.dumps(_runs(flat_bars)[0]))
    assert type(_stored(copied, "stats")) is Stats
    assert repr(copied.stats) == repr(slow.stats)
    replaced = dataclasses.replace(_runs(flat_bars)[0], signals=99)
    assert type(_stored(replaced, "stats")) is Stats
    assert repr(replaced.stats) == repr(slow.stats)


def test_the_callers_bars_changed_after_the_run_leave_the_statistics(
    flat_bars: pd.DataFrame,
) -> None:
    bars = flat_bars.copy()
    expected = simulate(bars, Scripted(SCRIPT), CONFIG, TEST, engine="fastpath").stats
    result = simulate(bars, Scripted(SCRIPT), CONFIG, TEST, engine="fastpath")
    assert type(_stored(result, "stats")) is StatsOnRead
    bars.iloc[-1, bars.columns.get_loc("close")] = 1e9
    assert repr(result.stats) == repr(expected)


def test_writing_into_the_results_curve_before_reading_leaves_the_statistics(
    flat_bars: pd.DataFrame,
) -> None:
    """The curve a caller gets is a copy on write of the one the statistics read later: a write
    into it (a user rescaling or masking the curve in place) changes that copy only."""
    expected = simulate(flat_bars, Scripted(SCRIPT), CONFIG, TEST, engine="fastpath").stats
    result = simulate(flat_bars, Scripted(SCRIPT), CONFIG, TEST, engine="fastpath")
    assert type(_stored(result, "stats")) is StatsOnRead
    curve = result.equity_curve
    curve.iloc[:] = 0.0
    assert (result.equity_curve == 0.0).all()  # the caller's write is kept in its curve
    assert repr(result.stats) == repr(expected)


def test_inputs_the_statistics_refuse_are_refused_when_the_result_is_made() -> None:
    index = pd.date_range("2024-01-01", periods=3, freq="h", tz="UTC")
    arguments = {
        "symbol": "TEST",
        "timeframe": "1h",
        "ts_close_ns": index.asi8,
        "closes": np.array([1.0, 2.0, 3.0]),
        "in_market": np.zeros(3, dtype=bool),
        "final_equity": CONFIG.cash,
        "final_cash": CONFIG.cash,
        "trades": (),
        "fills": (),
        "orders": (),
        "rejections": (),
        "fees": 0.0,
        "ambiguous_bars": 0,
        "signals": 0,
    }
    for stats_on_read in (False, True):
        with pytest.raises(InvalidInputError, match="not finite"):
            assemble_result(
                CONFIG,
                equity=np.array([1.0, np.nan, 1.0]),
                stats_on_read=stats_on_read,
                **arguments,  # type: ignore[arg-type]
            )
        with pytest.raises(InvalidInputError, match="in_market"):
            assemble_result(
                CONFIG,
                equity=np.ones(3),
                stats_on_read=stats_on_read,
                **{**arguments, "in_market": np.zeros(2, dtype=bool)},  # type: ignore[arg-type]
            )


def _curve(values: list[float]) -> tuple[pd.Series, np.ndarray]:
    index = pd.date_range("2024-01-01", periods=len(values), freq="h", tz="UTC")
    return pd.Series(values, index=index, dtype=np.float64), np.zeros(len(values), dtype=bool)


def test_statistics_are_left_for_later_only_where_nothing_can_raise() -> None:
    later = periods_per_year_for_later
    curve, in_market = _curve([100.0, 101.0, 99.0])
    assert later(curve, in_market, 100.0) == later(curve, in_market, 100.0, Conventions())
    assert later(curve, in_market, 100.0) is not None
    assert later(curve, in_market[:2], 100.0) is None  # refused by compute_stats, now
    assert later(*_curve([100.0, np.nan, 99.0]), 100.0) is None
    assert later(*_curve([100.0, np.inf, 99.0]), 100.0) is None
    assert later(*_curve([100.0, 0.0, 99.0]), 100.0) is None  # a wiped-out curve
    assert later(*_curve([100.0, -5.0]), 100.0) is None
    assert later(*_curve([100.0, 100.0 * LATER_RATIO * 1.01, 100.0]), 100.0) is None
    assert later(*_curve([100.0, 100.0 * LATER_RATIO, 100.0]), 100.0) is not None
    assert later(curve, in_market, 0.0) is None
    daily = Conventions.of(
        StatisticsConfig(returns=ReturnBasis.DAILY), timeframe="1h", calendar="24/7"
    )
    assert later(curve, in_market, 100.0, daily) is None
    with pytest.raises(OverflowError):  # the growth rate over minutes, as compute_stats raises
        later(*_curve([100.0, 1e9]), 100.0)


def test_statistics_with_the_periods_given_later_equal_those_computed_now() -> None:
    generator = np.random.default_rng(8)
    for _ in range(60):
        count = int(generator.integers(1, 400))
        values = 1000.0 * np.cumprod(1 + generator.normal(0, 0.01, count))
        index = pd.date_range("2024-01-01", periods=count, freq="D", tz="UTC")
        conventions = Conventions.of(
            StatisticsConfig(risk_free_rate=Decimal(2)), timeframe="1d", calendar="24/7"
        )
        arguments = {
            "in_market": generator.random(count) < 0.5,
            "start_equity": 1000.0,
            "ambiguous_bars": 0,
            "fees": 1.5,
            "trade_pnls": generator.normal(0, 10, int(generator.integers(0, 20))),
            "conventions": conventions,
        }
        curve = pd.Series(values, index=index)
        periods = periods_per_year_for_later(curve, arguments["in_market"], 1000.0, conventions)
        assert periods is not None
        now = compute_stats(curve, (), **arguments)  # type: ignore[arg-type]
        given = compute_stats(curve, (), periods_per_year=periods, **arguments)  # type: ignore[arg-type]
        assert repr(given) == repr(now)


def test_a_run_that_may_not_be_left_for_later_computes_its_statistics_now() -> None:
    rows = [(100.0, 100.5, 99.5, 100.25)] * 4 + [(1e6, 1e6 + 0.5, 1e6 - 0.5, 1e6)] * 4
    bars = make_bars(rows)  # a short all in, then the price 10,000 times up: equity below 0
    result = simulate(bars, Scripted({1: -1}), CONFIG, TEST, engine="fastpath")
    assert type(_stored(result, "stats")) is Stats
    assert result.final_equity < 0
    slow = simulate(bars, Scripted({1: -1}), CONFIG, TEST, engine="event")
    assert repr(result.stats) == repr(slow.stats)
