"""Portfolios: create (with the run description's keys), list, show, archive."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Request
from fastapi.responses import JSONResponse

from paperdesk.api.dependencies import (
    PortfolioId,
    Reader,
    ServicesDep,
    Trader,
    check_visible,
    visible_portfolio,
)
from paperdesk.api.errors import ApiError
from paperdesk.api.idempotency import request_hash, run_once
from paperdesk.api.query_parameters import QueryCheckedRoute
from paperdesk.api.schemas import ErrorOut, PortfolioCreate, PortfolioOut, SummaryOut
from paperdesk.service.api_requests import api_portfolio_config

router = APIRouter(prefix="/portfolios", tags=["portfolios"], route_class=QueryCheckedRoute)
IdempotencyKey = Annotated[str | None, Header(alias="Idempotency-Key")]
ERRORS: dict[int | str, dict[str, object]] = {
    status: {"model": ErrorOut} for status in (401, 403, 404, 409, 422)
}


@router.post("", status_code=201, response_model=PortfolioOut, responses=ERRORS)
def create_portfolio(
    body: PortfolioCreate,
    request: Request,
    container: ServicesDep,
    key: Trader,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    """Create a portfolio (its settings are the keys a run file takes)."""
    if key.portfolio_ids is not None:
        raise ApiError(
            403, "insufficient_scope", "a key limited to some portfolios cannot create portfolios"
        )

    def create() -> tuple[int, PortfolioOut]:
        settings = api_portfolio_config(
            body.settings, strategies=body.strategies, params=body.params, symbols=body.symbols
        )
        portfolio_id = container.portfolios.create_portfolio(
            body.name, body.cash, base_currency=body.currency, settings=settings
        )
        return 201, PortfolioOut.of(container.portfolios.show(portfolio_id))

    fingerprint = request_hash("POST", request.url.path, body)
    return run_once(container, key, idempotency_key, fingerprint, create)


@router.get("", response_model=list[SummaryOut], responses=ERRORS)
def list_portfolios(
    container: ServicesDep, key: Reader, include_archived: bool = False
) -> list[SummaryOut]:
    """The portfolios this key may see."""
    summaries = container.portfolios.list_portfolios(include_archived=include_archived)
    return [SummaryOut.of(s) for s in summaries if key.sees(s.id)]


@router.get("/{portfolio_id}", response_model=PortfolioOut, responses=ERRORS)
def show_portfolio(portfolio_id: PortfolioId, container: ServicesDep, key: Reader) -> PortfolioOut:
    """Summary, positions, open orders and settings."""
    return PortfolioOut.of(visible_portfolio(container, key, portfolio_id))


@router.post("/{portfolio_id}/archive", response_model=PortfolioOut, responses=ERRORS)
def archive_portfolio(
    portfolio_id: PortfolioId,
    request: Request,
    container: ServicesDep,
    key: Trader,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    """Archive a portfolio with no positions and no open orders."""
    check_visible(container, key, portfolio_id)

    def archive() -> tuple[int, PortfolioOut]:
        container.portfolios.archive_portfolio(portfolio_id)
        return 200, PortfolioOut.of(container.portfolios.show(portfolio_id))

    fingerprint = request_hash("POST", request.url.path, None)
    return run_once(container, key, idempotency_key, fingerprint, archive)
