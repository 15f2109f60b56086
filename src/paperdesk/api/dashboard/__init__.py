"""The web dashboard's files at ``/``: the page built from ``web/`` by ``./scripts/bootstrap``
(Vite writes it to ``dist/`` beside this module), served with a strict Content-Security-Policy.

``index.html`` is never cached (it names the current build's assets); the assets carry a hash of
their content in their names, so a browser may keep them for a year. Before the first build
``/`` answers a short page saying how to build it, rather than a bare 404. The API (``/api/v1``,
``/ws/*``, ``/alpaca``, the probes) is untouched: only ``/``, ``/index.html``, ``/assets/*`` and
the few top-level files of the build are served here, and none is in the OpenAPI document.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import FileResponse, HTMLResponse, PlainTextResponse, Response

BUILT = Path(__file__).resolve().parent / "dist"
# Scripts, styles, images and sockets from this server only; no inline script or style, no
# framing. 'self' covers ws:/wss: to the same host in CSP level 3 browsers (Chromium, Firefox,
# Safari); the explicit schemes keep older ones working behind a proxy that rewrites the port.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self' ws: wss:; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)
NO_CACHE = "no-cache"
ONE_YEAR = "public, max-age=31536000, immutable"
_SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,200}$")
# Files Vite copies from web/public to the build's top level (served by name, nothing else is)
TOP_LEVEL_FILES = ("favicon.svg",)

NOT_BUILT_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>paperdesk: dashboard not built</title></head>
<body><h1>The dashboard is not built yet</h1>
<p>Run <code>./scripts/bootstrap</code> in the paperdesk checkout (it installs the front end's
packages with npm and builds it into <code>src/paperdesk/api/dashboard/dist/</code>), then
reload this page. The API works meanwhile: <a href="/api/v1/docs">/api/v1/docs</a>.</p>
</body></html>
"""


def _secured(response: Response, cache: str) -> Response:
    response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["Cache-Control"] = cache
    return response


def _not_found(what: str) -> Response:
    return _secured(PlainTextResponse(f"no dashboard file {what}", status_code=404), NO_CACHE)


def install_dashboard(app: FastAPI, folder: Path = BUILT) -> None:
    """Serve the dashboard built into ``folder`` at ``/`` on ``app``."""

    def index() -> Response:
        page = folder / "index.html"
        if not page.is_file():
            return _secured(HTMLResponse(NOT_BUILT_PAGE, status_code=503), NO_CACHE)
        return _secured(FileResponse(page, media_type="text/html"), NO_CACHE)

    def asset(name: str) -> Response:
        path = folder / "assets" / name
        if not _SAFE_NAME.match(name) or not path.is_file():
            return _not_found(f"assets/{name}")
        return _secured(FileResponse(path), ONE_YEAR)

    app.add_api_route("/", index, methods=["GET"], include_in_schema=False)
    app.add_api_route("/index.html", index, methods=["GET"], include_in_schema=False)
    app.add_api_route("/assets/{name}", asset, methods=["GET"], include_in_schema=False)
    for file_name in TOP_LEVEL_FILES:
        app.add_api_route(
            f"/{file_name}", _top_level(folder, file_name), methods=["GET"], include_in_schema=False
        )


def _top_level(folder: Path, file_name: str) -> Callable[[], Response]:
    def serve() -> Response:
        path = folder / file_name
        if not path.is_file():
            return _not_found(file_name)
        return _secured(FileResponse(path), NO_CACHE)

    return serve
