"""The API's docs page (Swagger UI at /api/v1/docs) renders every operation of the OpenAPI
document offline: its script and style come from the server itself, never a CDN."""

from __future__ import annotations

from urllib.parse import urlparse

from browser_support import DashboardServer
from playwright.sync_api import Page, Request


def test_the_docs_page_lists_the_operations_from_this_server_only(
    page: Page, dashboard_server: DashboardServer
) -> None:
    server = dashboard_server
    hosts: set[str] = set()

    def record(request: Request) -> None:
        hosts.add(urlparse(request.url).netloc)

    page.on("request", record)
    page.goto(f"{server.base_url}/api/v1/docs")
    page.wait_for_selector(".opblock-summary-path", timeout=30_000)
    shown = set(page.eval_on_selector_all(
        ".opblock-summary-path", "paths => paths.map(p => p.dataset.path)"
    ))  # fmt: skip
    document = server.api("GET", "/openapi.json").json()
    assert shown == set(document["paths"])
    assert "/api/v1/portfolios/{portfolio_id}/orders" in shown
    assert hosts == {urlparse(server.base_url).netloc}  # no CDN, nothing off this server
