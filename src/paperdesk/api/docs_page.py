"""The API's interactive docs (Swagger UI) at ``/api/v1/docs``, working offline.

FastAPI's default page loads Swagger UI from a CDN, which a machine without internet cannot
reach (a blank page). ``./scripts/bootstrap`` copies Swagger UI's script and style from the npm
package ``swagger-ui-dist`` into the dashboard's build (``dist/swagger/``); the page is served
with those. Where the build is missing (an install without npm), it falls back to the CDN.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import FileResponse, HTMLResponse, PlainTextResponse, Response

from paperdesk.api.dashboard import BUILT

SWAGGER_FILES = {"swagger-ui-bundle.js": "text/javascript", "swagger-ui.css": "text/css"}
ONE_DAY = "public, max-age=86400"
TITLE = "paperdesk API"
FAVICON = "/favicon.svg"


def install_api_docs(app: FastAPI, openapi_url: str, docs_url: str, folder: Path = BUILT) -> None:
    """Serve Swagger UI for ``openapi_url`` at ``docs_url``, its files at ``/swagger/NAME``."""
    swagger = folder / "swagger"

    def page() -> HTMLResponse:
        if all((swagger / name).is_file() for name in SWAGGER_FILES):
            return get_swagger_ui_html(
                openapi_url=openapi_url,
                title=TITLE,
                swagger_js_url="/swagger/swagger-ui-bundle.js",
                swagger_css_url="/swagger/swagger-ui.css",
                swagger_favicon_url=FAVICON,
            )
        # not built (an install without npm): FastAPI's defaults, the CDN
        return get_swagger_ui_html(
            openapi_url=openapi_url, title=TITLE, swagger_favicon_url=FAVICON
        )

    def swagger_file(name: str) -> Response:
        path = swagger / name
        if name not in SWAGGER_FILES or not path.is_file():
            return PlainTextResponse(f"no Swagger UI file {name}", status_code=404)
        response = FileResponse(path, media_type=SWAGGER_FILES[name])
        response.headers["Cache-Control"] = ONE_DAY
        return response

    app.add_api_route(docs_url, page, methods=["GET"], include_in_schema=False)
    app.add_api_route("/swagger/{name}", swagger_file, methods=["GET"], include_in_schema=False)
