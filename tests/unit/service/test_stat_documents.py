"""Statistics in JSON: numbers without float noise, null when undefined; money stays exact."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from paperdesk.service.documents import json_value, result_to_dict
from paperdesk.service.paper_documents import summary_document
from paperdesk.service.views import PortfolioSummary


def test_float_noise_is_rounded_away() -> None:
    assert json_value(61129.76000000001) == 61129.76
    assert json.dumps(json_value(0.1 + 0.2)) == "0.3"
    assert json_value(-14.0512345678) == -14.051235  # six decimals, half-up
    assert json_value(3) == 3


def test_undefined_statistics_are_null() -> None:
    assert json_value(None) is None
    assert json_value(float("inf")) is None
    assert json_value(float("nan")) is None


def test_a_backtest_document_has_no_float_noise(stats_result: object) -> None:
    document = result_to_dict(stats_result)  # type: ignore[arg-type]
    assert document["final_equity"] == "61129.7600000000001"  # money: every stored digit
    assert document["stats"]["final_equity"] == 61129.76
    assert document["stats"]["sharpe"] is None
    assert "61129.76000000001" not in json.dumps(document)


def test_a_portfolio_summary_shows_gross_fees_and_net(summary: PortfolioSummary) -> None:
    document = summary_document(summary)
    assert document["realized_pnl"] == "-762.36"  # gross
    assert document["fees_paid"] == "129.12"
    assert document["realized_pnl_net"] == "-891.48"
    assert document["total_pnl"] == "-891.48"


@pytest.fixture
def stats_result() -> object:
    from datetime import UTC, datetime

    import pandas as pd

    from paperdesk.analytics.stats import Stats
    from paperdesk.config import RunConfig
    from paperdesk.engine.result import BacktestResult

    moment = datetime(2020, 1, 2, tzinfo=UTC)
    stats = Stats(
        start=moment, end=moment, start_equity=10000.0, final_equity=61129.76000000001,
        total_return_pct=511.2976000000001, cagr_pct=None, max_drawdown_pct=0.0,
        max_drawdown_peak=None, max_drawdown_trough=None, sharpe=None, sortino=None,
        win_rate_pct=None, average_win=None, average_loss=None, profit_factor=None,
        exposure_pct=0.0, trades=0, best_trade=None, worst_trade=None, fees=0.0,
        ambiguous_bars=0, buy_and_hold_return_pct=None,
    )  # fmt: skip
    config = RunConfig(strategy="buy-and-hold", symbol="SPY", cash=Decimal("10000"))
    return BacktestResult(
        config=config, symbol="SPY", timeframe="1d",
        final_equity=Decimal("61129.7600000000001"), final_cash=Decimal("0"), stats=stats,
        trades=(), fills=(), orders=(), rejections=(), equity_curve=pd.Series(dtype=float),
        bars=1, signals=0,
    )  # fmt: skip


@pytest.fixture
def summary() -> PortfolioSummary:
    from datetime import UTC, datetime

    return PortfolioSummary(
        id=1, name="p", status="active", base_currency="USD", starting_cash=Decimal("10000"),
        cash=Decimal("9108.52"), positions_value=Decimal("0"), equity=Decimal("9108.52"),
        realized_pnl=Decimal("-762.36"), unrealized_pnl=Decimal("0"),
        fees_paid=Decimal("129.12"), ts_created=datetime(2024, 1, 1, tzinfo=UTC),
    )  # fmt: skip
