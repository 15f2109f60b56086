"""The demo: a portfolio in the embedded database, fed a stretch of bundled real data through
the live runner one bar per tick, exactly as a scheduled paper portfolio would be."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

from paperdesk.config import ExecutionConfig, RunConfig, SourceConfig, StrategySpec
from paperdesk.live import TickStatus

if TYPE_CHECKING:
    from paperdesk.service.portfolios import PortfolioService

DEMO_STRATEGIES = ("macd-cross", "tsi-momentum", "rsi-divergence")
DEMO_SYMBOLS = ("SPY", "AAPL")
DEMO_FROM = date(2019, 1, 2)  # the bundled AAPL prices are not split-adjusted: its 2020-08-31 4:1
# split would look like a crash, so the demo year stays clear of it
DEMO_COMMISSION = "per-share:0.005:min=1"  # a US retail broker's tiered rate, $1 minimum
DEMO_BARS = 252  # one trading year of daily bars

Progress = Callable[[int, int], None]


@dataclass(frozen=True, slots=True)
class DemoRun:
    portfolio_id: int
    bars: int  # bars processed per symbol
    ticks: int  # (symbol, bar) ticks committed


def run_demo(
    service: PortfolioService,
    *,
    strategies: Sequence[str] = DEMO_STRATEGIES,
    symbols: Sequence[str] = DEMO_SYMBOLS,
    replay_from: date = DEMO_FROM,
    bars: int = DEMO_BARS,
    cash: Decimal = Decimal("100000"),
    progress: Progress | None = None,
) -> DemoRun:
    """Create a replay portfolio and tick every symbol ``bars`` times."""
    settings = RunConfig(
        strategies=tuple(StrategySpec(name) for name in strategies),
        symbols=tuple(symbols),
        timeframe="1d",
        source=SourceConfig(kind="replay", replay_from=replay_from),
        execution=ExecutionConfig(commission=DEMO_COMMISSION),
    )
    existing = len(service.list_portfolios(include_archived=True))
    name = f"Demo {existing + 1}: {', '.join(strategies)} on {', '.join(symbols)}"
    portfolio_id = service.create_portfolio(name, cash, settings=settings)
    total, done, committed = bars * len(symbols), 0, 0
    for _ in range(bars):
        for symbol in symbols:
            ticks = service.tick(portfolio_id, symbol)
            committed += sum(1 for t in ticks if t.status is TickStatus.PROCESSED)
            done += 1
            if progress is not None:
                progress(done, total)
    service.mark_to_market(portfolio_id)
    return DemoRun(portfolio_id, committed // max(len(symbols), 1), committed)
