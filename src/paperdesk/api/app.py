"""The application factory: routers under ``/api/v1`` on the one service container."""

from __future__ import annotations

from fastapi import FastAPI

from paperdesk.api.errors import install_error_handlers
from paperdesk.api.middleware import RequestContext
from paperdesk.api.rate_limit import Limit, build_limiter
from paperdesk.api.routers import api_keys, operations, orders, portfolios, webhooks
from paperdesk.api.schemas import HealthOut
from paperdesk.service import Services

PREFIX = "/api/v1"


def create_app(services: Services) -> FastAPI:
    """The REST API on ``services`` (one container per process, shared by every request)."""
    app = FastAPI(
        title="paperdesk",
        version="1",
        openapi_url=f"{PREFIX}/openapi.json",
        docs_url=f"{PREFIX}/docs",
        redoc_url=None,
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
    app.include_router(portfolios.router, prefix=PREFIX)
    app.include_router(orders.router, prefix=PREFIX)
    app.include_router(webhooks.router, prefix=PREFIX)
    app.include_router(api_keys.router, prefix=PREFIX)
    app.include_router(operations.router)

    @app.get("/healthz", response_model=HealthOut, tags=["operations"])
    def healthz() -> HealthOut:
        """Alive (no key needed)."""
        return HealthOut(status="ok")

    return app
