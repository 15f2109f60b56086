"""Fixtures of the dashboard's browser tests: Debian's Chromium driven by Playwright through its
executable path (never a browser download), a real ``paperdesk serve`` on a free port with its
own SQLite home, keys of each scope and a portfolio on bundled data (one server per session: it
only grows, and each test reads what it needs from the API), and a page that fails its test on
any console error or failed request.

Without Chromium the tests skip with the reason; with ``CI=true`` they fail instead
(``.ci/run`` installs it with ``scripts/install-chromium``)."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from browser_support import (
    BUILT_INDEX,
    CLI,
    DESKTOP,
    DashboardServer,
    PageProblems,
    running_server,
    settle,
    stop,
    watch,
)
from playwright.sync_api import Browser, Page, sync_playwright

PACED_INTERVAL = "2s"
CHROMIUM = Path(os.environ.get("PAPERDESK_CHROMIUM", "/usr/bin/chromium"))
ON_CI = os.environ.get("CI", "").lower() == "true"
# The portfolio the dashboard shows: a manual replay of bundled SPY from the start of 2020 (one
# bar per tick, so a test decides when a new candle arrives), with the demo's strategy.
PORTFOLIO = {
    "name": "Browser desk",
    "cash": "25000",
    "symbols": ["SPY"],
    "strategies": ["macd-cross"],
    "settings": {"source": "replay", "replay_from": "2020-01-02"},
}


def _unavailable(problem: str) -> None:
    if ON_CI:
        pytest.fail(f"CI=true but {problem}")
    pytest.skip(problem)


@pytest.fixture(scope="session")
def chromium_executable() -> str:
    if not CHROMIUM.is_file():
        _unavailable(f"{CHROMIUM} is missing (scripts/install-chromium installs it)")
    if not BUILT_INDEX.is_file():
        pytest.fail(f"the dashboard is not built ({BUILT_INDEX} is missing): run scripts/bootstrap")
    return str(CHROMIUM)


@pytest.fixture(scope="module")
def browser(chromium_executable: str) -> Iterator[Browser]:
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=chromium_executable, headless=True)
        yield launched
        launched.close()


@pytest.fixture(scope="session")
def dashboard_server(
    chromium_executable: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[DashboardServer]:
    home = tmp_path_factory.mktemp("dashboard-home")
    with running_server(home) as server:
        created = server.post("/portfolios", PORTFOLIO)
        server.portfolio_id = int(created["summary"]["id"])
        yield server


@pytest.fixture(scope="module")
def paced_replay(dashboard_server: DashboardServer) -> Iterator[int]:
    """A portfolio whose replay serves one bar every 2 seconds, ticked by a real
    ``paperdesk worker`` subprocess (docs/worker.md): live bars with no test driving them.
    Yields the portfolio's id; the worker is stopped afterwards."""
    created = dashboard_server.post(
        "/portfolios",
        {
            "name": "Paced desk",
            "cash": "25000",
            "symbols": ["SPY"],
            "strategies": ["macd-cross"],
            "settings": {
                "source": "replay",
                "replay_from": "2020-06-01",
                "replay_interval": PACED_INTERVAL,
            },
        },
    )
    portfolio_id = int(created["summary"]["id"])
    log = (dashboard_server.home / f"worker-{portfolio_id}.log").open("w")
    worker = subprocess.Popen(
        [*CLI, "worker", "--portfolio", str(portfolio_id), "--interval", PACED_INTERVAL],
        env=dashboard_server.environment, stdout=log, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    try:
        yield portfolio_id
    finally:
        stop(worker)
        log.close()


@pytest.fixture
def page_problems() -> PageProblems:
    return PageProblems()


@pytest.fixture
def page(
    browser: Browser, dashboard_server: DashboardServer, page_problems: PageProblems
) -> Iterator[Page]:
    """A fresh browser context (its own sessionStorage) at desktop size; the test fails if the
    page logged a console error, threw, or had a request fail or answer an HTTP error it did
    not declare with ``page_problems.allow``."""
    context = browser.new_context(viewport=DESKTOP)  # type: ignore[arg-type]
    opened = context.new_page()
    watch(opened, page_problems)  # a test's allow() calls apply whenever they are made
    yield opened
    if not opened.is_closed() and opened.url.startswith(dashboard_server.base_url):
        # requests still in flight would be aborted by closing the page: let them finish
        settle(opened)
    problems = list(page_problems.problems)
    context.close()
    assert not problems, "the page had problems:\n" + "\n".join(problems)
