"""The dashboard's files at / (paperdesk.api.dashboard): the built page never cached, hashed
assets cached for a year, a strict Content-Security-Policy, a clear page before the first
build, nothing served outside the build, and the API untouched."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.testclient import TestClient

from paperdesk.api.dashboard import CONTENT_SECURITY_POLICY, install_dashboard


def _client(folder: Path) -> TestClient:
    app = FastAPI()

    @app.get("/api/v1/ping")
    def ping() -> dict[str, str]:
        return {"pong": "yes"}

    install_dashboard(app, folder)
    return TestClient(app)


def _build(folder: Path) -> None:
    (folder / "assets").mkdir(parents=True)
    (folder / "index.html").write_text("<!doctype html><title>built</title>")
    (folder / "assets" / "index-Ab12.js").write_text("console.log(1)")
    (folder / "favicon.svg").write_text("<svg xmlns='http://www.w3.org/2000/svg'/>")


def test_before_the_first_build_the_page_says_how_to_build(tmp_path: Path) -> None:
    response = _client(tmp_path / "dist").get("/")
    assert response.status_code == 503
    assert "./scripts/bootstrap" in response.text
    assert response.headers["cache-control"] == "no-cache"


def test_the_built_page_is_never_cached_and_assets_are_kept_a_year(tmp_path: Path) -> None:
    folder = tmp_path / "dist"
    _build(folder)
    client = _client(folder)
    page = client.get("/")
    assert page.status_code == 200
    assert page.text == "<!doctype html><title>built</title>"
    assert page.headers["content-type"].startswith("text/html")
    assert page.headers["cache-control"] == "no-cache"
    assert page.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    assert "'unsafe-inline'" not in CONTENT_SECURITY_POLICY
    asset = client.get("/assets/index-Ab12.js")
    assert asset.status_code == 200
    assert asset.text == "console.log(1)"
    assert asset.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert "javascript" in asset.headers["content-type"]
    assert client.get("/favicon.svg").status_code == 200
    assert client.get("/api/v1/ping").json() == {"pong": "yes"}  # the API is untouched


def test_nothing_outside_the_build_is_served(tmp_path: Path) -> None:
    folder = tmp_path / "dist"
    _build(folder)
    (tmp_path / "secret.txt").write_text("not for the web")
    client = _client(folder)
    for path in (
        "/assets/missing.js",
        "/assets/..%2F..%2Fsecret.txt",
        "/assets/.hidden",
        "/secret.txt",
        "/dist/index.html",
    ):
        response = client.get(path)
        assert response.status_code == 404, path
        assert "not for the web" not in response.text
