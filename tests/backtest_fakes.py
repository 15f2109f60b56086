"""A hand-built backtest result and a fake engine that records its calls (CLI tests)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal

import pandas as pd

from paperdesk.analytics.stats import Stats
from paperdesk.config import RunConfig
from paperdesk.domain import Fill, Side, Trade
from paperdesk.engine.result import BacktestResult


def make_result(config: RunConfig) -> BacktestResult:
    start = datetime(2020, 1, 2, 21, tzinfo=UTC)
    end = datetime(2020, 12, 31, 21, tzinfo=UTC)
    stats = Stats(
        start=start,
        end=end,
        start_equity=10000.0,
        final_equity=10234.57,
        total_return_pct=2.35,
        cagr_pct=2.4,
        max_drawdown_pct=-12.5,
        max_drawdown_peak=datetime(2020, 2, 19, 21, tzinfo=UTC),
        max_drawdown_trough=datetime(2020, 3, 23, 20, tzinfo=UTC),
        sharpe=0.8,
        sortino=1.1,
        win_rate_pct=50.0,
        average_win=400.0,
        average_loss=-150.0,
        profit_factor=float("inf"),
        exposure_pct=61.0,
        trades=2,
        best_trade=400.0,
        worst_trade=-150.0,
        fees=3.5,
        ambiguous_bars=1,
        buy_and_hold_return_pct=16.2,
    )
    long_trade = Trade(
        symbol="SPY",
        side=Side.BUY,
        quantity=Decimal("10"),
        entry_price=Decimal("300.125"),
        exit_price=Decimal("340.1"),
        ts_entry=datetime(2020, 1, 3, 14, 30, tzinfo=UTC),
        ts_exit=datetime(2020, 2, 3, 14, 30, tzinfo=UTC),
        fees=Decimal("1.75"),
        pnl=Decimal("398.0000000001"),
        strategy="sma-cross",
        exit_reason="signal",
    )
    short_trade = Trade(
        symbol="SPY",
        side=Side.SELL,
        quantity=Decimal("5"),
        entry_price=Decimal("250"),
        exit_price=Decimal("280"),
        ts_entry=datetime(2020, 3, 2, 14, 30, tzinfo=UTC),
        ts_exit=datetime(2020, 3, 9, 14, 30, tzinfo=UTC),
        fees=Decimal("1.75"),
        pnl=Decimal("-151.75"),
        strategy="sma-cross",
        exit_reason="stop_loss",
    )
    fill = Fill(
        "o1",
        "SPY",
        Side.BUY,
        Decimal("10"),
        Decimal("300.125"),
        Decimal("1.75"),
        datetime(2020, 1, 3, 14, 30, tzinfo=UTC),
    )
    return BacktestResult(
        config=config,
        symbol="SPY",
        timeframe=config.timeframe or "1d",
        final_equity=Decimal("10234.5678901234"),
        final_cash=Decimal("10234.5678901234"),
        stats=stats,
        trades=(long_trade, short_trade),
        fills=(fill, fill, fill, fill),
        orders=(),
        rejections=(),
        equity_curve=pd.Series(dtype=float),
        bars=252,
        signals=5,
    )


@dataclass
class FakeEngine:
    """Stands in for the engine: records each config and progress callback it is given."""

    configs: list[RunConfig] = field(default_factory=list)
    progress_callbacks: list[object] = field(default_factory=list)
    error: Exception | None = None

    def __call__(self, config: RunConfig, progress: object = None, **_: object) -> BacktestResult:
        self.configs.append(config)
        self.progress_callbacks.append(progress)
        if self.error is not None:
            raise self.error
        return make_result(config)

    @property
    def config(self) -> RunConfig:
        assert len(self.configs) == 1
        return self.configs[0]
