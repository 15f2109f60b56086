"""BacktestService and the JSON document of a result."""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from types import SimpleNamespace

import pandas as pd
import pytest

from paperdesk.analytics.stats import Stats
from paperdesk.config import RunConfig
from paperdesk.domain import InvalidInputError, Side, Trade
from paperdesk.engine.result import BacktestResult
from paperdesk.service import BacktestService, backtests, result_to_dict

NEW_YORK = timezone(timedelta(hours=-5))


def make_stats(**changes: object) -> Stats:
    start = datetime(2021, 1, 4, 21, tzinfo=UTC)
    values: dict[str, object] = {
        "start": start,
        "end": start + timedelta(days=30),
        "start_equity": 1000.0,
        "final_equity": 1100.0,
        "total_return_pct": 10.0,
        "cagr_pct": 200.5,
        "max_drawdown_pct": -3.25,
        "max_drawdown_peak": None,
        "max_drawdown_trough": None,
        "sharpe": 1.5,
        "sortino": float("nan"),
        "win_rate_pct": 100.0,
        "average_win": 100.0,
        "average_loss": 0.0,
        "profit_factor": float("inf"),
        "exposure_pct": 40.0,
        "trades": 1,
        "best_trade": 100.0,
        "worst_trade": float("-inf"),
        "fees": 0.0,
        "ambiguous_bars": 0,
        "buy_and_hold_return_pct": 5.0,
    }
    values.update(changes)
    return Stats(**values)  # type: ignore[arg-type]


def make_result(trades: tuple[Trade, ...] = ()) -> BacktestResult:
    config = RunConfig(strategy="buy-and-hold", symbol="EURUSD", cash=Decimal("1000.00"))
    return BacktestResult(
        config=config,
        symbol="EURUSD",
        timeframe="1h",
        final_equity=Decimal("1E+3"),
        final_cash=Decimal("999.123456789012345678"),
        stats=make_stats(),
        trades=trades,
        fills=(),
        orders=(),
        rejections=(),
        equity_curve=pd.Series(dtype=float),
        bars=10,
        signals=1,
    )


def short_trade() -> Trade:
    return Trade(
        symbol="EURUSD",
        side=Side.SELL,
        quantity=Decimal("100000"),
        entry_price=Decimal("1.10005"),
        exit_price=Decimal("1.09500"),
        ts_entry=datetime(2021, 1, 5, 9, 0, tzinfo=NEW_YORK),
        ts_exit=datetime(2021, 1, 6, 9, 0, tzinfo=UTC),
        fees=Decimal("0"),
        pnl=Decimal("505.00"),
        exit_reason="take_profit",
    )


def test_run_calls_the_engine_with_config_and_progress(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[tuple[RunConfig, object]] = []
    result = make_result()

    def fake_engine(config: RunConfig, progress: object = None, **_: object) -> BacktestResult:
        calls.append((config, progress))
        return result

    monkeypatch.setattr(backtests, "run_backtest", fake_engine)

    def progress(done: int, total: int) -> None:
        return None

    assert BacktestService().run(result.config, progress) is result
    assert calls == [(result.config, progress)]


def test_strategies_from_the_registry(monkeypatch: pytest.MonkeyPatch) -> None:
    classes = {
        "b": SimpleNamespace(name="b", description="Second."),
        "a": SimpleNamespace(name="a", description="First."),
    }
    registry = SimpleNamespace(
        available_strategy_names=lambda: ["b", "a"], get_strategy_class=classes.get
    )
    package = SimpleNamespace(registry=registry)
    monkeypatch.setitem(sys.modules, "paperdesk.analysis.strategies", package)
    assert BacktestService().strategies() == [("a", "First."), ("b", "Second.")]


def test_document_shape_and_exact_decimals() -> None:
    document = result_to_dict(make_result((short_trade(),)))
    assert set(document) == {
        "strategy",
        "symbol",
        "timeframe",
        "start_cash",
        "final_equity",
        "final_cash",
        "stats",
        "trades",
        "open_positions",
        "fills",
        "orders",
        "rejected_signals",
        "rejection_reasons",
        "account_events",
        "adjustments",
        "bars",
        "signals",
        "adjust",
        "prices",
        "data_gaps",
    }
    assert document["account_events"] == []  # margin calls and overdrafts, with their reasons
    assert document["start_cash"] == "1000.00"
    assert document["final_equity"] == "1000"  # plain notation, never 1E+3
    assert document["final_cash"] == "999.123456789012345678"
    assert (document["fills"], document["orders"], document["rejected_signals"]) == (0, 0, 0)
    assert document["rejection_reasons"] == []
    assert (document["bars"], document["signals"]) == (10, 1)


def test_trades_are_utc_with_long_or_short_sides() -> None:
    document = result_to_dict(make_result((short_trade(),)))
    assert document["trades"] == [
        {
            "entry_time": "2021-01-05T14:00:00+00:00",
            "exit_time": "2021-01-06T09:00:00+00:00",
            "side": "short",
            "quantity": "100000",
            "entry_price": "1.10005",
            "exit_price": "1.09500",
            "gross_pnl": "505.00",
            "fees": "0",
            "pnl": "505.00",
            "exit_reason": "take_profit",
        }
    ]


def test_stats_are_json_safe() -> None:
    document = result_to_dict(make_result())
    stats = document["stats"]
    assert isinstance(stats, dict)
    assert set(stats) == set(make_stats().to_dict())
    assert stats["profit_factor"] is None  # not finite: undefined, null
    assert stats["worst_trade"] is None
    assert stats["sortino"] is None
    assert stats["sharpe"] == 1.5
    assert stats["start"] == "2021-01-04T21:00:00+00:00"
    assert stats["max_drawdown_peak"] is None
    json.dumps(document, allow_nan=False)  # raises on any non-finite float left behind


def test_a_backtest_of_two_symbols_is_refused_naming_them() -> None:
    config = RunConfig(strategy="sma-cross", symbols=("SPY", "AAPL"))
    with pytest.raises(
        InvalidInputError, match="a backtest runs one symbol; this run lists SPY, AAPL"
    ):
        BacktestService().run(config)
