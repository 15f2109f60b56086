"""A portfolio's detail, equity curve, round trips (and fills) read in ONE snapshot of the
ledger, with the statistics over them: the figures ``portfolio performance``, the report and
the API's ``/performance`` print side by side then agree while a worker ticks the portfolio
(read one after the other, the summary could be a bar newer than the statistics)."""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

from paperdesk.domain import InvalidInputError

if TYPE_CHECKING:
    from paperdesk.analytics.stats import Stats
    from paperdesk.domain import Fill, Trade
    from paperdesk.service.performance_periods import PerformanceBreakdown
    from paperdesk.service.portfolios import PortfolioService
    from paperdesk.service.views import EquityView, PortfolioDetail

NO_HISTORY = "the portfolio has no equity history yet; run a tick first"


class PerformanceSnapshot(NamedTuple):
    detail: PortfolioDetail
    equity: list[EquityView]
    trades: list[Trade]
    fills: list[Fill]  # empty unless asked for
    statistics: Stats | None  # None before the first equity snapshot

    def required_statistics(self) -> Stats:
        """The statistics; refused before the first equity snapshot, naming why."""
        if self.statistics is None:
            raise InvalidInputError(NO_HISTORY)
        return self.statistics

    def breakdown(self) -> PerformanceBreakdown:
        """The total, the last day's and each month's P&L and the pips, of this snapshot."""
        from paperdesk.service.performance_periods import breakdown, forex_pip

        settings = self.detail.settings
        return breakdown(
            self.equity,
            self.trades,
            self.detail.summary.starting_cash,
            lambda symbol: forex_pip(settings, symbol),
        )


def read_performance(
    service: PortfolioService, portfolio_id: int, *, with_fills: bool = False
) -> PerformanceSnapshot:
    """``portfolio_id``'s snapshot (an unknown id raises ``UnknownNameError``, naming it)."""
    from paperdesk.service.performance import performance_stats, portfolio_conventions

    with service.database.reading() as repository:
        detail = service.detail_in(repository, portfolio_id)
        equity = repository.equity(portfolio_id)
        trades = repository.trades(portfolio_id)
        fills = repository.fills(portfolio_id) if with_fills else []
    statistics = None
    if equity:
        conventions = portfolio_conventions(detail.settings, service.source)
        starting_cash = float(detail.summary.starting_cash)
        statistics = performance_stats(equity, trades, starting_cash, conventions)
    return PerformanceSnapshot(detail, equity, trades, fills, statistics)
