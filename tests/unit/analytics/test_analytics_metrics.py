"""Tests for compute_stats with hand-computable cases and independent pandas cross-checks."""

from __future__ import annotations

import math
from datetime import UTC, datetime
from decimal import Decimal

import numpy as np
import pandas as pd
import pytest

from paperdesk.analytics import Stats, compute_stats, max_drawdown
from paperdesk.domain import InvalidInputError, Side, Trade


def curve(values: list[float], start: str = "2024-01-01", freq: str = "D") -> pd.Series:
    index = pd.date_range(start, periods=len(values), freq=freq, tz="UTC")
    return pd.Series(values, index=index, dtype=float)


def trade(pnl: str) -> Trade:
    moment = datetime(2024, 1, 1, tzinfo=UTC)
    return Trade("SPY", Side.BUY, Decimal(1), Decimal(100), Decimal(100), moment, moment,
                 Decimal(0), Decimal(pnl))  # fmt: skip


def stats(equity: pd.Series, trades: list[Trade] | None = None, **options: object) -> Stats:
    settings: dict[str, object] = {
        "in_market": np.zeros(len(equity), dtype=bool),
        "start_equity": 100.0,
        "ambiguous_bars": 0,
        "fees": 0.0,
    }
    settings.update(options)
    return compute_stats(equity, trades or [], **settings)  # type: ignore[arg-type]


def test_known_drawdown_with_dates() -> None:
    equity = curve([100, 110, 120, 90, 95, 130, 117])
    result = stats(equity)
    assert result.max_drawdown_pct == pytest.approx(-25.0)
    assert result.max_drawdown_peak == datetime(2024, 1, 3, tzinfo=UTC)
    assert result.max_drawdown_trough == datetime(2024, 1, 4, tzinfo=UTC)
    assert result.start == datetime(2024, 1, 1, tzinfo=UTC)
    assert result.end == datetime(2024, 1, 7, tzinfo=UTC)
    assert result.final_equity == 117.0
    assert result.total_return_pct == pytest.approx(17.0)


def test_no_drawdown() -> None:
    result = stats(curve([100, 101, 102]))
    assert result.max_drawdown_pct == 0.0
    assert result.max_drawdown_peak is None
    assert result.max_drawdown_trough is None


def test_cagr_over_calendar_span() -> None:
    index = pd.DatetimeIndex(["2020-01-01", "2022-01-01"], tz="UTC")
    equity = pd.Series([100.0, 121.0], index=index)
    years = (index[1] - index[0]).days / 365.25
    result = stats(equity)
    assert result.cagr_pct == pytest.approx(((121 / 100) ** (1 / years) - 1) * 100)


def test_sharpe_and_sortino_by_hand() -> None:
    values = [101.0, 99.0, 102.0, 103.0]
    equity = curve(values)
    previous = [100.0, *values[:-1]]
    returns = [value / before - 1 for value, before in zip(values, previous, strict=True)]
    mean = sum(returns) / len(returns)
    deviation = math.sqrt(sum((r - mean) ** 2 for r in returns) / (len(returns) - 1))
    downside = math.sqrt(sum(min(r, 0.0) ** 2 for r in returns) / len(returns))
    result = stats(equity, periods_per_year=252)
    assert result.sharpe == pytest.approx(mean / deviation * math.sqrt(252))
    assert result.sortino == pytest.approx(mean / downside * math.sqrt(252))


def test_default_periods_per_year_is_bars_per_year() -> None:
    values = [101.0, 99.0, 102.0, 103.0]
    equity = curve(values)
    years = 3 / 365.25
    assert stats(equity).sharpe == pytest.approx(stats(equity, periods_per_year=4 / years).sharpe)


def test_undefined_ratios_are_none() -> None:
    flat = stats(curve([100.0, 100.0, 100.0]))
    assert flat.sharpe is None
    assert flat.sortino is None
    rising = stats(curve([101.0, 102.0, 103.0]))
    assert rising.sortino is None  # no losing bar: no downside to divide by
    assert rising.sharpe is not None
    assert rising.sharpe > 0
    single = stats(curve([105.0]))
    assert single.sharpe is None
    assert single.cagr_pct is None  # no time has passed
    assert single.total_return_pct == pytest.approx(5.0)


def test_trade_figures() -> None:
    trades = [trade("30"), trade("-10"), trade("20"), trade("-5"), trade("0")]
    result = stats(curve([100.0, 135.0]), trades)
    assert result.trades == 5
    assert result.win_rate_pct == pytest.approx(40.0)
    assert result.average_win == pytest.approx(25.0)
    assert result.average_loss == pytest.approx(-7.5)
    assert result.profit_factor == pytest.approx(50 / 15)
    assert result.best_trade == 30.0
    assert result.worst_trade == -10.0


@pytest.mark.parametrize(
    ("pnls", "expected"),
    [([], None), (["5", "7"], None), (["-5"], 0.0), (["0"], None), (["0", "-2"], 0.0)],
)
def test_profit_factor_edges(pnls: list[str], expected: float | None) -> None:
    """Without losses the profit factor is undefined (None), not 0.0 or inf."""
    result = stats(curve([100.0, 101.0]), [trade(pnl) for pnl in pnls])
    assert result.profit_factor == expected
    if not pnls:
        assert result.win_rate_pct is None
        assert result.average_win is None
        assert result.average_loss is None
        assert result.best_trade is None
        assert result.worst_trade is None


def test_exposure_fees_ambiguous_and_buy_and_hold() -> None:
    equity = curve([100.0, 101.0, 102.0, 103.0])
    benchmark = curve([50.0, 52.0, float("nan"), 55.0])
    result = stats(
        equity,
        in_market=np.array([False, True, True, True]),
        fees=12.5,
        ambiguous_bars=2,
        benchmark_close=benchmark,
    )
    assert result.exposure_pct == pytest.approx(75.0)
    assert result.fees == 12.5
    assert result.ambiguous_bars == 2
    assert result.buy_and_hold_return_pct == pytest.approx(10.0)
    assert stats(equity).buy_and_hold_return_pct is None


def test_invalid_inputs() -> None:
    with pytest.raises(InvalidInputError, match="in_market"):
        stats(curve([100.0, 101.0]), in_market=np.array([True]))
    with pytest.raises(InvalidInputError, match="empty"):
        stats(curve([]))
    naive = pd.Series([1.0], index=pd.DatetimeIndex(["2024-01-01"]))
    with pytest.raises(InvalidInputError, match="timezone-aware"):
        stats(naive)
    with pytest.raises(InvalidInputError, match="not finite"):
        stats(curve([100.0, float("nan")]))


def test_random_curve_matches_independent_pandas() -> None:
    generator = np.random.default_rng(7)
    returns = generator.normal(0.0004, 0.01, 1500)
    values = 10_000.0 * np.cumprod(1 + returns)
    equity = pd.Series(values, index=pd.date_range("2015-01-02", periods=1500, freq="B", tz="UTC"))
    result = stats(equity, start_equity=10_000.0, periods_per_year=252)

    drawdown = equity / equity.cummax() - 1
    assert result.max_drawdown_pct == pytest.approx(drawdown.min() * 100)
    assert result.max_drawdown_trough == drawdown.idxmin().to_pydatetime()
    assert result.max_drawdown_peak == equity.loc[: drawdown.idxmin()].idxmax().to_pydatetime()

    bar_returns = pd.concat([pd.Series([10_000.0]), equity.reset_index(drop=True)]).pct_change()
    bar_returns = bar_returns.dropna()
    expected_sharpe = bar_returns.mean() / bar_returns.std() * np.sqrt(252)
    assert result.sharpe == pytest.approx(expected_sharpe)
    fraction, _, _ = max_drawdown(equity)
    assert fraction * 100 == pytest.approx(result.max_drawdown_pct)


def test_drawdown_counts_the_starting_equity_as_the_first_peak() -> None:
    times = pd.date_range("2024-01-01", periods=3, freq="D", tz="UTC")
    equity = pd.Series([9000.0, 8000.0, 8500.0], index=times)
    stats = compute_stats(
        equity,
        [],
        in_market=np.ones(3, dtype=bool),
        start_equity=10000.0,
        ambiguous_bars=0,
        fees=0.0,
    )
    assert stats.max_drawdown_pct == pytest.approx(-20.0)
    assert stats.max_drawdown_peak == times[0].to_pydatetime()
    assert stats.max_drawdown_trough == times[1].to_pydatetime()


def test_a_pnl_column_gives_the_trades_statistics() -> None:
    trades = [trade(pnl) for pnl in ("12.5", "-3.25", "0", "7.125", "-0.1")]
    equity = curve([100, 104, 99, 103, 108, 107])
    by_trades = stats(equity, trades)
    pnls = np.array([float(t.pnl) for t in trades])
    assert repr(stats(equity, [], trade_pnls=pnls)) == repr(by_trades)
    assert by_trades.trades == 5


def test_returns_and_drawdown_are_bit_for_bit_the_textbook_formulas() -> None:
    generator = np.random.default_rng(3)
    for start_equity in (100.0, 50.0, 1e6):
        values = start_equity * np.exp(np.cumsum(generator.normal(0, 0.05, 500)))
        result = stats(curve(values.tolist(), freq="h"), start_equity=start_equity)
        returns = np.diff(np.concatenate(([start_equity], values))) / np.concatenate(
            ([start_equity], values[:-1])
        )
        deviation = float(returns.std(ddof=1))
        scale = math.sqrt(values.size / ((values.size - 1) / (365.25 * 24)))
        assert result.sharpe == float(returns.mean()) / deviation * scale
        peak = np.maximum(np.maximum.accumulate(values), start_equity)
        drawdowns = np.where(peak > 0, values / peak - 1.0, 0.0)
        assert result.max_drawdown_pct == float(drawdowns.min()) * 100.0
