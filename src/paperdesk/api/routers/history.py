"""What a portfolio did: closed trades, the strategies' signals with the router's decision,
and the audit log; each filtered and paged with a cursor, oldest first."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from fastapi import APIRouter, Query

from paperdesk.api.dependencies import (
    PortfolioId,
    Reader,
    ServicesDep,
    check_visible,
)
from paperdesk.api.paging import DEFAULT_LIMIT, MAX_LIMIT, page
from paperdesk.api.portfolio_schemas import (
    AuditOut,
    AuditPage,
    SignalOut,
    SignalPage,
    TradeOut,
    TradePage,
)
from paperdesk.api.query_parameters import QueryCheckedRoute
from paperdesk.api.schemas import ErrorOut
from paperdesk.service.performance_views import signal_details

router = APIRouter(
    prefix="/portfolios/{portfolio_id}", tags=["history"], route_class=QueryCheckedRoute
)
ERRORS: dict[int | str, dict[str, object]] = {
    status: {"model": ErrorOut} for status in (401, 403, 404, 422)
}
Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT)]
Cursor = Annotated[str | None, Query(max_length=200)]
SymbolFilter = Annotated[str | None, Query(min_length=1, max_length=32)]
StrategyFilter = Annotated[str | None, Query(min_length=1, max_length=80)]


class Decision(StrEnum):
    ACCEPTED = "accepted"
    REJECTED = "rejected"


def _symbol(symbol: str | None) -> str | None:
    return symbol.strip().upper() if symbol is not None else None


@router.get("/trades", response_model=TradePage, responses=ERRORS)
def list_trades(
    portfolio_id: PortfolioId,
    container: ServicesDep,
    key: Reader,
    symbol: SymbolFilter = None,
    strategy: StrategyFilter = None,
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
) -> TradePage:
    """Closed round trips in the order they closed, filtered by symbol and strategy."""
    check_visible(container, key, portfolio_id)
    wanted = _symbol(symbol)
    items, next_cursor = page(
        container.portfolios.trades(portfolio_id),
        cursor,
        limit,
        lambda t: (
            (wanted is None or t.symbol == wanted) and (strategy is None or t.strategy == strategy)
        ),
    )
    return TradePage(items=[TradeOut.of(t) for t in items], next_cursor=next_cursor)


@router.get("/signals", response_model=SignalPage, responses=ERRORS)
def list_signals(
    portfolio_id: PortfolioId,
    container: ServicesDep,
    key: Reader,
    symbol: SymbolFilter = None,
    strategy: StrategyFilter = None,
    decision: Decision | None = None,
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
) -> SignalPage:
    """Signals with entry, stop, target, reward-to-risk and the router's decision and reason,
    filtered by symbol, strategy and decision."""
    check_visible(container, key, portfolio_id)
    wanted = _symbol(symbol)
    items, next_cursor = page(
        container.portfolios.signals(portfolio_id),
        cursor,
        limit,
        lambda s: (
            (wanted is None or s.symbol == wanted)
            and (strategy is None or s.strategy == strategy)
            and (decision is None or s.status == decision)
        ),
    )
    details = signal_details(container.portfolios, portfolio_id, items)
    return SignalPage(items=[SignalOut.of(d) for d in details], next_cursor=next_cursor)


@router.get("/audit", response_model=AuditPage, responses=ERRORS)
def list_audit(
    portfolio_id: PortfolioId,
    container: ServicesDep,
    key: Reader,
    kind: Annotated[str | None, Query(min_length=1, max_length=80)] = None,
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
) -> AuditPage:
    """The audit log (every change, with its details), filtered by kind (``order.placed``) or
    a kind's prefix ending in a dot (``portfolio.``)."""
    check_visible(container, key, portfolio_id)
    prefix = kind is not None and kind.endswith(".")
    items, next_cursor = page(
        container.portfolios.audit(portfolio_id),
        cursor,
        limit,
        None if kind is None else lambda e: e.kind.startswith(kind) if prefix else e.kind == kind,
    )
    return AuditPage(items=[AuditOut.of(e) for e in items], next_cursor=next_cursor)
