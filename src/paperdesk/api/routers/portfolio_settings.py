"""Change a portfolio after it was created: rename, edit its run settings (the edits
``paperdesk portfolio edit`` allows, never a server path), and unarchive it."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Request
from fastapi.responses import JSONResponse

from paperdesk.api.dependencies import (
    PortfolioId,
    ServicesDep,
    Trader,
    active_portfolio,
    visible_portfolio,
)
from paperdesk.api.errors import ApiError
from paperdesk.api.idempotency import request_hash, run_once
from paperdesk.api.portfolio_schemas import ChangeOut, PortfolioUpdate, UpdatedOut
from paperdesk.api.query_parameters import QueryCheckedRoute
from paperdesk.api.schemas import ErrorOut, PortfolioOut
from paperdesk.config import RunConfig
from paperdesk.service.api_requests import api_edited_config

router = APIRouter(
    prefix="/portfolios/{portfolio_id}", tags=["portfolios"], route_class=QueryCheckedRoute
)
IdempotencyKey = Annotated[str | None, Header(alias="Idempotency-Key")]
ERRORS: dict[int | str, dict[str, object]] = {
    status: {"model": ErrorOut} for status in (401, 403, 404, 409, 422)
}


@router.patch("", response_model=UpdatedOut, responses=ERRORS)
def update_portfolio(
    portfolio_id: PortfolioId,
    body: PortfolioUpdate,
    request: Request,
    container: ServicesDep,
    key: Trader,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    """Rename and change run settings; only what is given changes. The settings are checked as
    a tick would check them before anything is written (a refused edit changes nothing, not
    even the name); an archived portfolio is refused with 409 ``portfolio_archived``."""
    active_portfolio(container, key, portfolio_id)
    if body.name is not None and not body.name.strip():
        raise ApiError(422, "invalid_input", "name: must not be blank")

    def edit(current: RunConfig) -> RunConfig:
        return api_edited_config(
            current,
            body.settings,
            strategies=body.strategies,
            params=body.params,
            symbols=body.symbols,
        )

    def update() -> tuple[int, UpdatedOut]:
        changes = container.portfolios.edit_portfolio(portfolio_id, edit, name=body.name)
        detail = PortfolioOut.of(container.portfolios.show(portfolio_id))
        listed = [
            ChangeOut(key=name, before=change["from"], after=change["to"])
            for name, change in changes.items()
        ]
        return 200, UpdatedOut(portfolio=detail, changes=listed)

    fingerprint = request_hash("PATCH", request.url.path, body)
    return run_once(container, key, idempotency_key, fingerprint, update)


@router.post("/unarchive", response_model=PortfolioOut, responses=ERRORS)
def unarchive_portfolio(
    portfolio_id: PortfolioId,
    request: Request,
    container: ServicesDep,
    key: Trader,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    """Make an archived portfolio active again (409 ``portfolio_not_archived`` if it is not)."""
    detail = visible_portfolio(container, key, portfolio_id)
    if detail.summary.status != "archived":
        raise ApiError(409, "portfolio_not_archived", f"portfolio {portfolio_id} is not archived")

    def unarchive() -> tuple[int, PortfolioOut]:
        container.portfolios.unarchive_portfolio(portfolio_id)
        return 200, PortfolioOut.of(container.portfolios.show(portfolio_id))

    fingerprint = request_hash("POST", request.url.path, None)
    return run_once(container, key, idempotency_key, fingerprint, unarchive)
