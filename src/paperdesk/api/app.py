"""The application factory: routers under ``/api/v1`` on the one service container."""

from __future__ import annotations

from fastapi import FastAPI

from paperdesk.api.errors import install_error_handlers
from paperdesk.api.routers import (
    history,
    orders,
    performance,
    portfolio_settings,
    portfolios,
    strategies,
    ticks,
    transfers,
)
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
    install_error_handlers(app)
    app.include_router(transfers.router, prefix=PREFIX)  # before /portfolios/{id}: "import"
    app.include_router(portfolios.router, prefix=PREFIX)
    app.include_router(portfolio_settings.router, prefix=PREFIX)
    app.include_router(performance.router, prefix=PREFIX)
    app.include_router(history.router, prefix=PREFIX)
    app.include_router(ticks.router, prefix=PREFIX)
    app.include_router(strategies.router, prefix=PREFIX)
    app.include_router(orders.router, prefix=PREFIX)

    @app.get("/healthz", response_model=HealthOut, tags=["operations"])
    def healthz() -> HealthOut:
        """Alive (no key needed)."""
        return HealthOut(status="ok")

    return app
