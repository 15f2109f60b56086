"""GET /portfolios/{id}/performance: every statistic the CLI prints (undefined ones null),
money as decimal strings, and the equity curve with its running peak and drawdown."""

from __future__ import annotations

import dataclasses
from decimal import ROUND_HALF_UP, Decimal

from api_fixtures import Harness, api, assert_refused
from portfolio_scenario import traded_portfolio

from paperdesk.analytics.stats import Stats

__all__ = ["api"]

MONEY = {
    "start_equity",
    "final_equity",
    "average_win",
    "average_loss",
    "best_trade",
    "worst_trade",
    "fees",
    "expectancy",
}


def test_performance_has_every_statistic_and_the_drawdown_curve(api: Harness) -> None:
    portfolio = traded_portfolio(api)
    response = api.get(f"/portfolios/{portfolio}/performance", api.reader)
    assert response.status_code == 200, response.text
    body = response.json()
    statistics = body["statistics"]
    assert set(statistics) == {field.name for field in dataclasses.fields(Stats)}
    for name in MONEY:  # money as decimal strings at the cent
        value = statistics[name]
        assert value is None or (
            isinstance(value, str) and Decimal(value) == round(Decimal(value), 2)
        ), (name, value)
    for name in ("total_return_pct", "max_drawdown_pct", "exposure_pct"):
        assert isinstance(statistics[name], float), name
    for name, value in statistics.items():  # numbers at 6 decimals: never 3.4317614000000107
        if isinstance(value, float):
            assert Decimal(repr(value)).as_tuple().exponent >= -6, (name, value)
    curve = body["equity_curve"]
    snapshots = api.services.portfolios.equity_curve(portfolio)
    assert [point["equity"] for point in curve] == [str(s.equity) for s in snapshots]
    peak = Decimal("-Infinity")
    deepest = 0.0
    for point in curve:  # the drawdown recomputed here from the equity alone
        equity = Decimal(point["equity"])
        peak = max(peak, equity)
        assert Decimal(point["peak"]) == peak
        assert Decimal(point["drawdown"]) == equity - peak
        exact = (equity - peak) / peak * 100
        assert point["drawdown_pct"] == float(exact.quantize(Decimal("0.000001"), ROUND_HALF_UP))
        deepest = min(deepest, point["drawdown_pct"])
    assert deepest < 0  # the scenario has losing stretches
    assert abs(statistics["max_drawdown_pct"] - deepest) < 0.01
    final = Decimal(curve[-1]["equity"])
    assert statistics["final_equity"] == str(final.quantize(Decimal("0.01")))
    assert statistics["start_equity"] == "10000.00"
    expected_return = float((final / Decimal(10000) - 1) * 100)
    assert abs(statistics["total_return_pct"] - expected_return) <= 5e-7  # 6 decimals
    trades = api.get(f"/portfolios/{portfolio}/trades").json()["items"]
    assert statistics["trades"] == len(trades)
    best = max(Decimal(t["pnl"]) for t in trades)
    assert statistics["best_trade"] == str(best.quantize(Decimal("0.01")))


def test_a_new_portfolio_has_no_statistics_yet_rather_than_zeros(api: Harness) -> None:
    portfolio = api.create_portfolio()
    body = api.get(f"/portfolios/{portfolio}/performance", api.reader).json()
    total = {"period": "total", "start_equity": "10000", "end_equity": "10000", "pnl": "0",
             "return_pct": 0.0}  # fmt: skip
    assert body == {
        "portfolio_id": portfolio,
        "statistics": None,
        "equity_curve": [],
        "breakdown": {"total": total, "day": None, "months": [], "total_pips": None},
    }


def test_the_breakdown_is_the_curves_exact_pnl_by_month_and_last_day(api: Harness) -> None:
    """25 bars from 2020-01-02 reach into February; every figure is recomputed here from the
    equity curve alone (the last equity of each month and day, the cash before the first)."""
    portfolio = traded_portfolio(api, bars=25)
    body = api.get(f"/portfolios/{portfolio}/performance", api.reader).json()
    curve = body["equity_curve"]
    breakdown = body["breakdown"]
    month_end: dict[str, Decimal] = {}
    for point in curve:
        month_end[point["ts"][:7]] = Decimal(point["equity"])
    assert len(month_end) == 2  # January and February 2020
    start = Decimal(10000)
    for month, got in zip(month_end, breakdown["months"], strict=True):
        end = month_end[month]
        assert got["period"] == month
        assert Decimal(got["start_equity"]) == start
        assert Decimal(got["end_equity"]) == end
        assert Decimal(got["pnl"]) == end - start
        assert abs(got["return_pct"] - float((end - start) / start * 100)) < 1e-6
        start = end
    last_day = curve[-1]["ts"][:10]
    before = [Decimal(p["equity"]) for p in curve if p["ts"][:10] < last_day]
    day = breakdown["day"]
    assert day["period"] == last_day
    assert Decimal(day["start_equity"]) == before[-1]
    assert Decimal(day["pnl"]) == Decimal(curve[-1]["equity"]) - before[-1]
    assert Decimal(breakdown["total"]["pnl"]) == Decimal(curve[-1]["equity"]) - 10000
    assert breakdown["total_pips"] is None  # SPY only


def test_undefined_statistics_are_null_not_zero(api: Harness) -> None:
    """One tick, no trade: no win rate, no profit factor, no Sharpe (one snapshot)."""
    portfolio = traded_portfolio(api, bars=1)
    statistics = api.get(f"/portfolios/{portfolio}/performance").json()["statistics"]
    assert statistics["trades"] == 0
    for name in ("win_rate_pct", "profit_factor", "average_win", "best_trade", "sharpe"):
        assert statistics[name] is None, name


def test_performance_of_an_unknown_or_hidden_portfolio_is_not_found(api: Harness) -> None:
    portfolio = api.create_portfolio()
    other = api.create_portfolio(name="other")
    limited = api.services.api_keys.create("other", "read", portfolio_ids=[other]).token
    before = api.dump()
    for path, token in (
        ("/portfolios/999/performance", api.reader),
        (f"/portfolios/{portfolio}/performance", limited),
    ):
        assert_refused(api, api.get(path, token), 404, "not_found", before=before)
    missing_key = api.client.get(f"/api/v1/portfolios/{portfolio}/performance")
    assert_refused(api, missing_key, 401, "missing_api_key", before=before)


def test_a_forex_portfolio_counts_the_pips_of_its_round_trips(api: Harness) -> None:
    """EURUSD hourly bars (bundled Oanda mids) with a fast MACD: the pips are recomputed here
    from the closed trades the API lists (pip size 0.0001), signed by each trade's side."""
    portfolio = api.create_portfolio(
        symbols=["EURUSD"],
        strategies=["macd-cross"],
        params=["fast=3", "slow=6", "signal=2"],
        settings={"source": "replay", "replay_from": "2018-06-01", "timeframe": "1h",
                  "allow_short": True},
    )  # fmt: skip
    for _ in range(40):
        api.services.portfolios.tick(portfolio, "EURUSD")
    trades = api.get(f"/portfolios/{portfolio}/trades").json()["items"]
    assert {trade["side"] for trade in trades} == {"long", "short"}
    expected = Decimal(0)
    for trade in trades:
        move = Decimal(trade["exit_price"]) - Decimal(trade["entry_price"])
        expected += (move if trade["side"] == "long" else -move) / Decimal("0.0001")
    breakdown = api.get(f"/portfolios/{portfolio}/performance").json()["breakdown"]
    assert Decimal(breakdown["total_pips"]) == expected
