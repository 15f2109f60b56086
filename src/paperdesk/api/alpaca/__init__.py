"""An Alpaca-compatible subset of Alpaca's trading API v2 and its ``trade_updates`` stream,
mounted under ``/alpaca``: a bot written with the official ``alpaca-py`` SDK paper-trades
against paperdesk by changing only its base URL and keys::

    TradingClient(key_id, token, url_override="http://HOST:PORT/alpaca")
    TradingStream(key_id, token, url_override="ws://HOST:PORT/alpaca/stream")

It is a separate application (its own error format, Alpaca's) on the same service container;
the field and order-state mapping is in docs/alpaca.md.
"""

from __future__ import annotations

from fastapi import FastAPI

from paperdesk.api.alpaca import account, orders, stream
from paperdesk.api.alpaca.errors import install_alpaca_error_handlers
from paperdesk.service import Services

MOUNT = "/alpaca"


def create_alpaca_app(services: Services) -> FastAPI:
    """The Alpaca-compatible API on ``services`` (mount it at ``MOUNT``)."""
    app = FastAPI(
        title="paperdesk: Alpaca-compatible trading API",
        version="2",
        openapi_url=None,
        docs_url=None,
        redoc_url=None,
    )
    app.state.services = services
    install_alpaca_error_handlers(app)
    app.include_router(orders.router)
    app.include_router(account.router)
    app.include_router(stream.router)
    return app


__all__ = ["MOUNT", "create_alpaca_app"]
