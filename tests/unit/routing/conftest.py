"""Shared builders for routing tests: portfolio views and signals."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from paperdesk.domain import Direction, PortfolioView, Position, Signal

TS = datetime(2024, 1, 2, 21, 0, tzinfo=UTC)

ViewMaker = Callable[..., PortfolioView]
SignalMaker = Callable[..., Signal]


def build_view(
    cash: str | Decimal = "10000",
    positions: Mapping[str, tuple[str, str]] | None = None,
    prices: Mapping[str, str] | None = None,
    equity: str | Decimal | None = None,
    day_start_equity: str | Decimal | None = None,
) -> PortfolioView:
    """A view whose equity is cash plus positions marked at ``prices`` (or their average)."""
    held = {
        symbol: Position(symbol, Decimal(quantity), Decimal(average))
        for symbol, (quantity, average) in (positions or {}).items()
    }
    marks = {symbol: Decimal(price) for symbol, price in (prices or {}).items()}
    cash_value = Decimal(cash)
    if equity is None:
        equity_value = cash_value + sum(
            (p.quantity * marks.get(s, p.average_price) for s, p in held.items()), Decimal(0)
        )
    else:
        equity_value = Decimal(equity)
    start = None if day_start_equity is None else Decimal(day_start_equity)
    return PortfolioView(TS, cash_value, equity_value, held, marks, start)


def build_signal(
    direction: Direction = Direction.LONG,
    symbol: str = "AAPL",
    *,
    strategy: str = "sma-cross",
    confidence: float = 1.0,
    entry: Decimal | None = None,
    stop: Decimal | None = None,
    target: Decimal | None = None,
    reason: str = "",
) -> Signal:
    return Signal(strategy, symbol, direction, TS, confidence, entry, stop, target, reason)


@pytest.fixture(scope="session")
def make_view() -> ViewMaker:
    return build_view


@pytest.fixture(scope="session")
def make_signal() -> SignalMaker:
    return build_signal
