"""The docs page's files: Swagger UI from the build when it is there (offline), the CDN only
when the build is missing; only Swagger UI's two files are served from /swagger/."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.testclient import TestClient

from paperdesk.api.docs_page import SWAGGER_FILES, install_api_docs


def _client(folder: Path) -> TestClient:
    app = FastAPI(docs_url=None, redoc_url=None)
    install_api_docs(app, "/api/v1/openapi.json", "/api/v1/docs", folder)
    return TestClient(app)


def test_a_built_swagger_ui_is_served_from_this_server(tmp_path: Path) -> None:
    (tmp_path / "swagger").mkdir()
    for name in SWAGGER_FILES:
        (tmp_path / "swagger" / name).write_text(f"/* {name} */")
    client = _client(tmp_path)
    page = client.get("/api/v1/docs").text
    assert '"/swagger/swagger-ui-bundle.js"' in page
    assert "cdn." not in page
    assert "/api/v1/openapi.json" in page
    script = client.get("/swagger/swagger-ui-bundle.js")
    assert script.status_code == 200
    assert script.text == "/* swagger-ui-bundle.js */"
    assert script.headers["content-type"].startswith("text/javascript")
    assert client.get("/swagger/index.html").status_code == 404  # nothing but the two files
    assert client.get("/swagger/..%2F..%2Fetc%2Fpasswd").status_code == 404


def test_without_the_build_the_page_falls_back_to_the_cdn(tmp_path: Path) -> None:
    client = _client(tmp_path)
    page = client.get("/api/v1/docs").text
    assert "cdn.jsdelivr.net/npm/swagger-ui-dist" in page
    assert client.get("/swagger/swagger-ui.css").status_code == 404
