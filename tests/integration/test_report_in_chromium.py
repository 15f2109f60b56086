"""The static report opens from a file in a real browser with no network and shows the same
numbers as the API (issue 12's proof item). Debian's headless ``chromium`` loads the file from
``file://`` with every host unresolvable and a dead proxy, runs the page's script (its CSP
hash must match, or the console says it was blocked) and prints the DOM it ends with; the KPI
cards read from that DOM equal the API's summary and performance answers.

Playwright fixtures (``tests/browser/``) did not exist when this was written, so the browser is
driven through its command line; without ``chromium`` the test is skipped (failed with CI=true).
"""

from __future__ import annotations

import functools
import os
import re
import shutil
import subprocess
import threading
from decimal import Decimal
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from paperdesk.api import create_app
from paperdesk.service import Services
from paperdesk.service.api_requests import api_portfolio_config
from paperdesk.service.report_files import write_report
from paperdesk.store import Database

MACD = {"source": "replay", "replay_from": "2020-01-02", "min_confidence": "0.6"}
PARAMS = ["fast=3", "slow=6", "signal=2", "stop_atr=2", "target_atr=3"]
NAME = '<b>desk</b> & "co"'


def _chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("CI=true but Debian's chromium is not installed")
        pytest.skip("chromium is not installed")
    return found


def _dump_dom(browser: str, page: Path | str, profile: Path) -> tuple[str, str]:
    """The DOM after the page's script ran, and the browser's log (console messages)."""
    done = subprocess.run(
        [
            browser,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            f"--user-data-dir={profile}",
            "--proxy-server=http://127.0.0.1:9",  # nothing listens there: no request gets out
            "--proxy-bypass-list=127.0.0.1",  # only the test's own server, for the http case
            "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
            "--enable-logging=stderr",
            "--v=0",
            "--dump-dom",
            page.as_uri() if isinstance(page, Path) else page,
        ],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout, done.stderr


def _card(dom: str, name: str) -> tuple[str, str]:
    found = re.search(
        rf'data-kpi="{name}" data-value="([^"]*)"><span class="label">[^<]*</span>'
        r'<span class="[^"]*">([^<]*)</span>',
        dom,
    )
    assert found is not None, name
    return found.group(2), found.group(1)


def test_the_report_file_shows_the_api_numbers_offline(tmp_path: Path) -> None:
    browser = _chromium()
    database = Database(f"sqlite:///{tmp_path / 'ledger.db'}")
    services = Services(database=database)
    try:
        settings = api_portfolio_config(
            MACD, strategies=["macd-cross"], params=PARAMS, symbols=["SPY"]
        )
        portfolio = services.portfolios.create_portfolio(NAME, Decimal(10000), settings=settings)
        for _ in range(24):
            services.portfolios.tick(portfolio, "SPY")
        page = tmp_path / "report.html"
        write_report(services.portfolios, portfolio, page)
        key = services.api_keys.create("reader", "read").token
        with TestClient(create_app(services)) as client:
            headers = {"Authorization": f"Bearer {key}"}
            base = f"/api/v1/portfolios/{portfolio}"
            summary = client.get(base, headers=headers).json()["summary"]
            statistics = client.get(f"{base}/performance", headers=headers).json()["statistics"]
    finally:
        services.close()
        database.close()

    dom, log = _dump_dom(browser, page, tmp_path / "profile")
    assert "CONSOLE" not in log, log  # no blocked style or script, no error of the page
    state = re.search(r'id="refresh-state"[^>]*>([^<]*)<', dom)
    assert state is not None
    assert state.group(1) == "opened from a file: regenerate it to update"  # the script ran
    assert re.search(r'<button id="refresh" type="button" hidden="">', dom)  # no refresh
    name = re.search(r'<h1 id="portfolio-name">([^<]*)</h1>', dom)
    assert name is not None
    assert name.group(1) == '&lt;b&gt;desk&lt;/b&gt; &amp; "co"'  # shown as text
    for kpi in ("equity", "cash", "unrealized_pnl"):
        text, value = _card(dom, kpi)
        assert Decimal(text.replace(",", "")) == Decimal(value) == Decimal(summary[kpi]), kpi
    text, _ = _card(dom, "total_pnl")
    assert Decimal(text.replace(",", "")) == Decimal(summary["equity"]) - Decimal(10000)
    assert _card(dom, "win_rate_pct")[0] == f"{statistics['win_rate_pct']:,.2f}%"
    assert _card(dom, "max_drawdown_pct")[0] == f"{statistics['max_drawdown_pct']:,.2f}%"
    assert _card(dom, "sharpe")[0] == f"{statistics['sharpe']:,.2f}"


def test_served_over_http_the_page_offers_its_refresh(tmp_path: Path) -> None:
    """Served by a plain web server (seed 002's model), the script shows the Refresh button
    and arms the 60-second refresh; from a file (above) it does neither."""
    browser = _chromium()
    database = Database(f"sqlite:///{tmp_path / 'ledger.db'}")
    services = Services(database=database)
    site = tmp_path / "site"
    site.mkdir()
    try:
        settings = api_portfolio_config(MACD, strategies=[], params=[], symbols=["SPY"])
        portfolio = services.portfolios.create_portfolio("plain", Decimal(10000), settings=settings)
        services.portfolios.tick(portfolio, "SPY")
        write_report(services.portfolios, portfolio, site / "index.html")
    finally:
        services.close()
        database.close()
    handler = functools.partial(QuietHandler, directory=str(site))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/index.html"
        dom, log = _dump_dom(browser, url, tmp_path / "profile")
    finally:
        server.shutdown()
        server.server_close()
    assert "CONSOLE" not in log, log
    assert re.search(r'<button id="refresh" type="button">Refresh</button>', dom)
    state = re.search(r'id="refresh-state"[^>]*>([^<]*)<', dom)
    assert state is not None
    assert state.group(1) == ""  # nothing said: the page refreshes itself


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        return None
