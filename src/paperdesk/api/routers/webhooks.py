"""A portfolio's webhooks: create, list, delete (trade keys; delivery is the worker's)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Path, Request
from fastapi.responses import JSONResponse

from paperdesk.api.dependencies import (
    PortfolioId,
    ServicesDep,
    Trader,
    active_portfolio,
    check_visible,
)
from paperdesk.api.errors import not_found
from paperdesk.api.idempotency import request_hash, run_once
from paperdesk.api.query_parameters import QueryCheckedRoute
from paperdesk.api.schemas import ErrorOut
from paperdesk.api.webhook_schemas import WebhookCreate, WebhookCreatedOut, WebhookOut
from paperdesk.domain import UnknownNameError

router = APIRouter(
    prefix="/portfolios/{portfolio_id}/webhooks", tags=["webhooks"], route_class=QueryCheckedRoute
)
IdempotencyKey = Annotated[str | None, Header(alias="Idempotency-Key")]
WebhookId = Annotated[int, Path(ge=1, le=2**63 - 1)]
ERRORS: dict[int | str, dict[str, object]] = {
    status: {"model": ErrorOut} for status in (401, 403, 404, 409, 422)
}


@router.post("", status_code=201, response_model=WebhookCreatedOut, responses=ERRORS)
def create_webhook(
    portfolio_id: PortfolioId,
    body: WebhookCreate,
    request: Request,
    container: ServicesDep,
    key: Trader,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    """Register a URL for the portfolio's events; the answer holds the signing secret, once."""
    active_portfolio(container, key, portfolio_id)

    def create() -> tuple[int, WebhookCreatedOut]:
        created = container.webhooks.add(portfolio_id, body.url, body.events, body.secret)
        out = WebhookOut.of(created.record)
        return 201, WebhookCreatedOut(**out.model_dump(), secret=created.secret)

    fingerprint = request_hash("POST", request.url.path, body)
    return run_once(container, key, idempotency_key, fingerprint, create)


@router.get("", response_model=list[WebhookOut], responses=ERRORS)
def list_webhooks(
    portfolio_id: PortfolioId, container: ServicesDep, key: Trader
) -> list[WebhookOut]:
    """The portfolio's webhooks with their delivery state (never their secrets)."""
    check_visible(container, key, portfolio_id)
    return [WebhookOut.of(record) for record in container.webhooks.list_webhooks(portfolio_id)]


@router.delete("/{webhook_id}", response_model=WebhookOut, responses=ERRORS)
def delete_webhook(
    portfolio_id: PortfolioId, webhook_id: WebhookId, container: ServicesDep, key: Trader
) -> WebhookOut:
    """Remove a webhook: nothing more is sent to it."""
    check_visible(container, key, portfolio_id)
    try:
        return WebhookOut.of(container.webhooks.remove(portfolio_id, webhook_id))
    except UnknownNameError:
        raise not_found("webhook", webhook_id) from None
