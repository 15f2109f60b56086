"""The static report (``paperdesk report ID --html FILE``) in Playwright's Chromium, on the
dashboard's real server: opened from ``file://`` with every network request blocked it shows
the API's numbers, and served by the API its Refresh swaps the new figures in with the key
the dashboard keeps in sessionStorage.

This module needs the browser fixtures of ``tests/browser/conftest.py`` (the dashboard's
branch); where they or Playwright are absent it is skipped at collection."""

from __future__ import annotations

import json
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest

pytest.importorskip("playwright.sync_api")
browser_support = pytest.importorskip("browser_support")  # the fixtures' helpers

from browser_support import (  # noqa: E402 (after the skips above)
    CLI,
    DESKTOP,
    PHONE,
    DashboardServer,
    PageProblems,
    screenshot,
    watch,
)
from playwright.sync_api import Browser, Page, Route  # noqa: E402


def _tick(server: DashboardServer, times: int) -> None:
    for _ in range(times):
        server.post(f"/portfolios/{server.portfolio_id}/ticks", {"symbol": "SPY"})


def _write_report(server: DashboardServer, target: Path) -> None:
    done = subprocess.run(
        [*CLI, "report", str(server.portfolio_id), "--html", str(target)],
        env=server.environment,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr


def _card(page: Page, name: str) -> tuple[str, str]:
    card = page.locator(f"[data-kpi='{name}']")
    return card.locator(".value").inner_text(), str(card.get_attribute("data-value"))


def test_the_report_file_shows_the_api_numbers_with_no_network(
    browser: Browser, dashboard_server: DashboardServer, tmp_path: Path
) -> None:
    _tick(dashboard_server, 3)
    target = tmp_path / "report.html"
    _write_report(dashboard_server, target)
    portfolio = dashboard_server.portfolio_id
    summary = dashboard_server.get(f"/portfolios/{portfolio}", dashboard_server.reader)["summary"]
    statistics = dashboard_server.get(f"/portfolios/{portfolio}/performance")["statistics"]
    for theme in ("light", "dark"):
        for device, size in (("desktop", DESKTOP), ("phone", PHONE)):
            context = browser.new_context(viewport=size, color_scheme=theme)  # type: ignore[arg-type]
            outside: list[str] = []

            def block(route: Route, seen: list[str] = outside) -> None:
                seen.append(route.request.url)
                route.abort()

            context.route("http*://**/*", block)  # every request off the file is refused
            page = context.new_page()
            problems = watch(page, PageProblems())
            page.goto(target.as_uri())
            state = page.inner_text("#refresh-state")
            assert state == "opened from a file: regenerate it to update"  # the script ran
            assert page.locator("#refresh").is_hidden()
            for name in ("equity", "cash", "unrealized_pnl"):
                text, value = _card(page, name)
                assert Decimal(text.replace(",", "")) == Decimal(value) == Decimal(summary[name])
            total, _ = _card(page, "total_pnl")
            expected = Decimal(summary["equity"]) - Decimal(summary["starting_cash"])
            assert Decimal(total.replace(",", "")) == expected
            drawdown, _ = _card(page, "max_drawdown_pct")
            assert drawdown == f"{statistics['max_drawdown_pct']:,.2f}%"
            screenshot(page, "report", device, theme)
            context.close()
            assert outside == []
            assert problems.problems == []


def test_served_by_the_api_the_refresh_uses_the_dashboards_key(
    page: Page, dashboard_server: DashboardServer
) -> None:
    """The key where the dashboard keeps it (sessionStorage 'paperdesk.apiKey', as
    test_shell proves), the API's page opened in the tab (the first load carries the key, as
    the dashboard's fetch would), a tick moves the figures, and Refresh swaps them in without
    reloading the page."""
    server = dashboard_server
    key = json.dumps(server.reader)
    page.add_init_script(f"sessionStorage.setItem('paperdesk.apiKey', {key})")
    _tick(server, 1)
    url = f"{server.base_url}/api/v1/portfolios/{server.portfolio_id}/report.html"
    loads: list[str | None] = []

    def first_with_key(route: Route) -> None:
        headers = dict(route.request.headers)
        if not loads:
            headers["authorization"] = f"Bearer {server.reader}"
        loads.append(route.request.headers.get("authorization"))
        route.continue_(headers=headers)

    page.route(url, first_with_key)
    page.goto(url)
    page.evaluate("() => { window.sameDocument = true; }")
    _tick(server, 5)
    after = server.get(f"/portfolios/{server.portfolio_id}", server.reader)["summary"]["equity"]
    page.click("#refresh")
    page.wait_for_function(
        "() => document.getElementById('refresh-state').textContent.startsWith('updated')"
    )
    assert page.evaluate("() => window.sameDocument") is True
    assert loads[1] == f"Bearer {server.reader}"  # the page's own fetch sent the stored key
    assert Decimal(_card(page, "equity")[1]) == Decimal(after)
