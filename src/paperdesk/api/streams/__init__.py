"""The WebSocket streams (``/ws/trading``, ``/ws/prices``): the committed event outbox, tailed
once per API process and fanned out to every connected client (see ``docs/api-streams.md``)."""

from __future__ import annotations

from paperdesk.api.streams.routes import install_streams

__all__ = ["install_streams"]
