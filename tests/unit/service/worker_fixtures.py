"""Builders shared by the worker tests: replay portfolios with brackets, a worker on a fixed
clock, and the ledger read back as comparable values."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pandas as pd

from paperdesk.config import RunConfig, SourceConfig, StrategySpec
from paperdesk.data.clock import FixedClock
from paperdesk.live import BarSource, replay
from paperdesk.service.portfolios import PortfolioService
from paperdesk.service.worker import Worker
from paperdesk.store import Database

STARTED = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
SOURCE = BarSource()  # one reader for every test: the bundled files are parsed once


def bracket_strategy(stop_atr: float = 0.5, target_atr: float = 1.0) -> StrategySpec:
    """A fast MACD whose entries carry a stop-loss and a take-profit (ATR multiples)."""
    params = {"fast": 5, "slow": 13, "signal": 4, "stop_atr": stop_atr, "target_atr": target_atr}
    return StrategySpec("macd-cross", params)


def replay_settings(
    symbols: tuple[str, ...],
    *,
    start: date = date(2021, 3, 24),
    interval: str = "1s",
    started: datetime = STARTED,
    stop_atr: float = 0.5,
) -> RunConfig:
    source = SourceConfig(
        "replay", replay_from=start, replay_interval=interval, replay_started_at=started
    )
    return RunConfig(strategies=(bracket_strategy(stop_atr),), symbols=symbols, source=source)


def service(database: Database, clock: Any) -> PortfolioService:
    return PortfolioService(database, source=SOURCE, clock=clock)


def worker(database: Database, clock: FixedClock, **options: Any) -> Worker:
    options.setdefault("lease_seconds", 30.0)
    options.setdefault("interval", 60.0)
    return Worker(service(database, clock), clock=clock, **options)


def replay_labels(settings: RunConfig, symbol: str) -> list[pd.Timestamp]:
    """Every bar label the replay serves for ``symbol``, in order."""
    history = SOURCE.history(symbol, settings.bar_timeframe, settings.source)
    return list(history.index[replay.first_index(settings, history) :])


def due_labels(settings: RunConfig, symbol: str, now: datetime) -> list[pd.Timestamp]:
    """The bars of ``symbol`` due on the replay clock at ``now`` (what the schedule says)."""
    history = SOURCE.history(symbol, settings.bar_timeframe, settings.source)
    first = replay.first_index(settings, history)
    due = replay.due_index(settings.source, first, now)
    assert due is not None
    return list(history.index[first : min(due, len(history) - 1) + 1])


def ticked_bars(portfolios: PortfolioService, portfolio_id: int) -> list[tuple[str, str, Any]]:
    """(strategy, symbol, bar label) of every tick record, sorted (duplicates kept)."""
    runs = portfolios.tick_runs(portfolio_id)
    return sorted((run.strategy, run.symbol, pd.Timestamp(run.ts_bar)) for run in runs)


def ledger(portfolios: PortfolioService, portfolio_id: int) -> dict[str, Any]:
    """What trading left behind, without the wall-clock times of when it was recorded."""
    detail = portfolios.show(portfolio_id)
    return {
        "orders": [
            (o.order_id, o.symbol, o.side, o.order_type, o.role, o.quantity, o.limit_price,
             o.stop_price, o.status, o.filled_quantity, o.average_price)
            for o in portfolios.orders(portfolio_id)
        ],
        "fills": sorted(
            (f.order_id, f.symbol, f.side, f.quantity, f.price, f.fee, f.ts)
            for f in portfolios.fills(portfolio_id)
        ),
        "trades": sorted(
            (t.symbol, t.quantity, t.entry_price, t.exit_price, t.pnl)
            for t in portfolios.trades(portfolio_id)
        ),
        "cash": detail.summary.cash,
        "positions": sorted((p.symbol, p.quantity) for p in detail.positions),
    }  # fmt: skip


def seconds(amount: float) -> timedelta:
    return timedelta(seconds=amount)
