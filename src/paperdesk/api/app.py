"""The application factory: routers under ``/api/v1`` on the one service container."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import anyio.to_thread
from fastapi import FastAPI
from starlette.types import ASGIApp

from paperdesk.api.alpaca import MOUNT as ALPACA
from paperdesk.api.alpaca import create_alpaca_app
from paperdesk.api.dashboard import install_dashboard
from paperdesk.api.docs_page import install_api_docs
from paperdesk.api.errors import install_error_handlers
from paperdesk.api.middleware import RequestContext
from paperdesk.api.order_lane import Lane, OrderLane, lanes
from paperdesk.api.rate_limit import Limit, build_limiter
from paperdesk.api.routers import (
    api_keys,
    history,
    market_data,
    me,
    operations,
    orders,
    performance,
    plan_uploads,
    plans,
    portfolio_settings,
    portfolios,
    prices,
    report,
    strategies,
    ticks,
    trading,
    transfers,
    walk_forwards,
    webhooks,
    worker_status,
)
from paperdesk.api.schemas import HealthOut
from paperdesk.api.streams import install_streams
from paperdesk.service import Services

PREFIX = "/api/v1"
# Requests served at once (each a thread; a request may hold two pooled connections: its
# transaction and a bar read), kept below the database pool so a burst waits for a thread
# rather than starving the pool (see store/database.py's pool sizes).
REQUEST_THREADS = 8


class PaperdeskApp(FastAPI):
    """FastAPI with the order lane (``api/order_lane.py``) as the outermost layer of its stack:
    a placement or a cancel served without the middleware stack and the router's walk."""

    lanes: tuple[Lane, ...] = ()  # create_app gives the bare routes'

    def build_middleware_stack(self) -> ASGIApp:
        stack = super().build_middleware_stack()
        if not self.lanes or self.debug or self.max_body_size is not None:
            return stack
        return OrderLane(stack, self, self.lanes)


@asynccontextmanager
async def _bounded_threads(app: FastAPI) -> AsyncIterator[None]:
    anyio.to_thread.current_default_thread_limiter().total_tokens = REQUEST_THREADS
    yield


def create_app(services: Services) -> FastAPI:
    """The REST API on ``services`` (one container per process, shared by every request)."""
    app = PaperdeskApp(
        title="paperdesk",
        version="1",
        openapi_url=f"{PREFIX}/openapi.json",
        docs_url=None,  # served by install_api_docs, without a CDN
        redoc_url=None,
        lifespan=_bounded_threads,
    )
    app.state.services = services
    settings = services.settings
    app.state.rate_limiter = build_limiter(
        Limit(settings.rate_limit_per_minute, settings.rate_limit_burst),
        settings.redis_url_value(),
        settings.redis_prefix_for(services.database.url),
    )
    app.add_middleware(RequestContext)
    install_error_handlers(app)
    install_streams(app)  # /ws/trading and /ws/prices, and the process's outbox tailer
    # placing and cancelling an order matched first (the same two routes, again, out of the
    # schema): routers are tried in turn for every request (routers/orders.py)
    first = orders.placing_and_cancelling()
    app.include_router(first, prefix=PREFIX, include_in_schema=False)
    app.lanes = tuple(lanes(PREFIX, first.routes))  # the same routes, served ahead of the stack
    app.include_router(transfers.router, prefix=PREFIX)  # before /portfolios/{id}: "import"
    app.include_router(portfolios.router, prefix=PREFIX)
    app.include_router(portfolio_settings.router, prefix=PREFIX)
    app.include_router(performance.router, prefix=PREFIX)
    app.include_router(report.router, prefix=PREFIX)
    app.include_router(history.router, prefix=PREFIX)
    app.include_router(ticks.router, prefix=PREFIX)
    app.include_router(strategies.router, prefix=PREFIX)
    app.include_router(plans.router, prefix=PREFIX)  # trade plans, simulations, jobs
    app.include_router(plan_uploads.router, prefix=PREFIX)
    app.include_router(walk_forwards.router, prefix=PREFIX)
    app.include_router(orders.router, prefix=PREFIX)
    app.include_router(webhooks.router, prefix=PREFIX)
    app.include_router(trading.router, prefix=PREFIX)
    app.include_router(prices.router, prefix=PREFIX)
    app.include_router(market_data.router, prefix=PREFIX)
    app.include_router(api_keys.router, prefix=PREFIX)
    app.include_router(me.router, prefix=PREFIX)
    app.include_router(worker_status.router, prefix=PREFIX)
    app.include_router(operations.router)

    @app.get("/healthz", response_model=HealthOut, tags=["operations"])
    def healthz() -> HealthOut:
        """Alive (no key needed)."""
        return HealthOut(status="ok")

    alpaca = create_alpaca_app(services)  # Alpaca's API for alpaca-py bots
    alpaca.state.rate_limiter = app.state.rate_limiter  # one limit per key across both APIs
    app.mount(ALPACA, alpaca)
    install_api_docs(app, f"{PREFIX}/openapi.json", f"{PREFIX}/docs")
    install_dashboard(app)  # the web dashboard at / (built from web/ by ./scripts/bootstrap)
    return app
