"""The service's REST API (FastAPI): transport, authentication and error mapping over the one
service container; every action goes through the service layer. ``create_app(services)`` builds
the application; ``paperdesk serve`` runs it on uvicorn."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from paperdesk.api.app import create_app


def __getattr__(name: str) -> Any:
    if name == "create_app":
        from paperdesk.api.app import create_app

        return create_app
    raise AttributeError(name)


__all__ = ["create_app"]
