"""A portfolio's performance: every statistic ``paperdesk portfolio performance`` prints and
the equity curve with its running peak and drawdown."""

from __future__ import annotations

from fastapi import APIRouter

from paperdesk.api.dependencies import (
    PortfolioId,
    Reader,
    ServicesDep,
    check_visible,
)
from paperdesk.api.portfolio_schemas import BreakdownOut, EquityPointOut, PerformanceOut
from paperdesk.api.query_parameters import QueryCheckedRoute
from paperdesk.api.schemas import ErrorOut
from paperdesk.service.performance_views import drawdown_curve, statistics_document

router = APIRouter(
    prefix="/portfolios/{portfolio_id}", tags=["performance"], route_class=QueryCheckedRoute
)
ERRORS: dict[int | str, dict[str, object]] = {
    status: {"model": ErrorOut} for status in (401, 403, 404, 422)
}


@router.get("/performance", response_model=PerformanceOut, responses=ERRORS)
def performance(portfolio_id: PortfolioId, container: ServicesDep, key: Reader) -> PerformanceOut:
    """Statistics (docs/statistics.md; null before the first equity snapshot) and the equity
    curve: each snapshot with the peak so far and the drawdown from it; the exact P&L in
    total, of the last day and by month, and the forex pips."""
    check_visible(container, key, portfolio_id)
    snapshot = container.portfolios.performance_snapshot(portfolio_id)  # one read: they agree
    statistics = snapshot.statistics
    return PerformanceOut(
        portfolio_id=portfolio_id,
        statistics=None if statistics is None else statistics_document(statistics),
        equity_curve=[EquityPointOut.of(point) for point in drawdown_curve(snapshot.equity)],
        breakdown=BreakdownOut.of(snapshot.breakdown()),
    )
