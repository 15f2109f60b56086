"""A traded paper portfolio to export: round trips, an open position, fees, resting orders."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from paperdesk.config import ExecutionConfig, RunConfig, SourceConfig, StrategySpec
from paperdesk.domain import OrderType, Side
from paperdesk.service.portfolios import OrderRequest, PortfolioService
from paperdesk.store import Database

TICKS = 60


def traded_portfolio(database: Database, ticks: int = TICKS) -> tuple[PortfolioService, int]:
    service = PortfolioService(database)
    settings = RunConfig(
        strategies=(StrategySpec("macd-cross"), StrategySpec("sma-cross", {"fast": 5})),
        symbols=("SPY",),
        source=SourceConfig("replay", replay_from=date(2020, 1, 2)),
        execution=ExecutionConfig(commission="percent:0.1"),
    )
    portfolio_id = service.create_portfolio("exported", Decimal("10000"), settings=settings)
    for _ in range(ticks):
        service.tick(portfolio_id, "SPY")
    service.place_order(
        portfolio_id,
        OrderRequest(
            "SPY",
            Side.BUY,
            Decimal("1"),  # within the exposure cap: manual orders pass the risk rules too
            OrderType.LIMIT,
            limit_price=Decimal("100.5"),
            take_profit=Decimal("400"),
            stop_loss=Decimal("90"),
            client_order_id="my-limit",
        ),
    )
    return service, portfolio_id


def ledger_counts(service: PortfolioService) -> dict[str, object]:
    """Everything a command could change, over every portfolio."""
    counts: dict[str, object] = {}
    for summary in service.list_portfolios(include_archived=True):
        pid = summary.id
        counts[f"{pid}.summary"] = summary
        counts[f"{pid}.orders"] = service.orders(pid)
        counts[f"{pid}.fills"] = len(service.fills(pid))
        counts[f"{pid}.trades"] = len(service.trades(pid))
        counts[f"{pid}.signals"] = len(service.signals(pid))
        counts[f"{pid}.audit"] = len(service.audit(pid))
        counts[f"{pid}.ticks"] = len(service.tick_runs(pid))
        counts[f"{pid}.equity"] = len(service.equity_curve(pid))
    return counts
