"""Operations endpoints, outside ``/api/v1`` and without a key (like ``/healthz``): readiness
for a load balancer and Prometheus metrics for the internal scrape (see docs/api-operations.md
for why ``/metrics`` is open and how to keep it internal)."""

from __future__ import annotations

import logging

from fastapi import APIRouter
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from pydantic import BaseModel

from paperdesk.api.dependencies import ServicesDep
from paperdesk.service.metrics import refresh_outbox

log = logging.getLogger(__name__)
router = APIRouter(tags=["operations"])


class CheckOut(BaseModel):
    name: str
    ok: bool
    detail: str


class ReadyOut(BaseModel):
    status: str  # "ready", or "unavailable" naming what is down in ``checks``
    checks: list[CheckOut]


@router.get(
    "/readyz",
    response_model=ReadyOut,
    responses={503: {"model": ReadyOut, "description": "something the service needs is down"}},
)
def readyz(container: ServicesDep) -> JSONResponse:
    """Ready when the database answers (and Redis, when ``REDIS_URL`` is set); 503 naming
    what is down otherwise."""
    checks = container.operations.readiness()
    ready = all(check.ok for check in checks)
    body = ReadyOut(
        status="ready" if ready else "unavailable",
        checks=[CheckOut(name=c.name, ok=c.ok, detail=c.detail) for c in checks],
    )
    return JSONResponse(body.model_dump(mode="json"), 200 if ready else 503)


@router.get(
    "/metrics",
    response_class=Response,
    responses={200: {"content": {"text/plain": {"schema": {"type": "string"}}}}},
)
def metrics(container: ServicesDep) -> Response:
    """Prometheus text format: requests, latencies, ticks, orders, fills, rejections, provider
    calls, WebSocket clients and outbox lag."""
    try:
        refresh_outbox(container.operations.outbox_last_sequence())
    except Exception as error:  # the database is down: still serve the counters
        log.warning("outbox position not read for /metrics: %s", error)
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)
