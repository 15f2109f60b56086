"""Helpers of the dashboard's browser tests: a real ``paperdesk serve`` (and worker) in
subprocesses, a Playwright page that fails the test on any console error or failed request,
screenshots for people to look at, and checks shared by the views' tests."""

from __future__ import annotations

import contextlib
import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from playwright.sync_api import ConsoleMessage, Page, Request, Response
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

REPOSITORY = Path(__file__).resolve().parents[2]
SCREENSHOTS = REPOSITORY / "test-artifacts" / "screenshots"
BUILT_INDEX = REPOSITORY / "src" / "paperdesk" / "api" / "dashboard" / "dist" / "index.html"
CLI = [sys.executable, "-c", "from paperdesk.cli import main; main()"]
DESKTOP = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}
# Anything a user could change state with; views tag such controls with data-trading-control.
TRADING_WORDS = re.compile(
    r"\b(buy|sell|execute|place|cancel|close|modify|submit|archive|create)\b", re.IGNORECASE
)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def server_environment(home: Path, **extra: str) -> dict[str, str]:
    """The process environment less every paperdesk setting of the caller's (tests must not
    depend on them), with its own home: an SQLite ledger in ``home``, no Redis."""
    environment = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith("PAPERDESK_") and name not in ("DATABASE_URL", "REDIS_URL")
    }
    environment.update(
        PAPERDESK_HOME=str(home),
        PAPERDESK_RATE_LIMIT_PER_MINUTE="0",  # a page makes bursts of requests; not under test
        PAPERDESK_STREAM_POLL_SECONDS="0.2",
        PAPERDESK_SHUTDOWN_GRACE_SECONDS="2",
        **extra,
    )
    return environment


def wait_until_healthy(base_url: str, process: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 60
    while True:
        try:
            if httpx.get(f"{base_url}/healthz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        if process.poll() is not None:
            raise RuntimeError(f"paperdesk serve exited with {process.returncode} (see its log)")
        if time.monotonic() > deadline:
            raise RuntimeError("paperdesk serve did not answer /healthz in 60 s")
        time.sleep(0.2)


def stop(process: subprocess.Popen[str]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@dataclass
class DashboardServer:
    """A running ``paperdesk serve`` with keys of each scope and a portfolio on bundled data."""

    base_url: str
    home: Path
    environment: dict[str, str]
    admin: str
    trader: str
    reader: str
    portfolio_id: int
    process: subprocess.Popen[str]

    def api(self, method: str, path: str, token: str | None = None, **kwargs: Any) -> Any:
        headers = {"Authorization": f"Bearer {token or self.admin}"}
        response = httpx.request(
            method, f"{self.base_url}/api/v1{path}", headers=headers, timeout=60, **kwargs
        )
        return response

    def get(self, path: str, token: str | None = None, **params: Any) -> Any:
        response = self.api("GET", path, token, params=params)
        assert response.status_code == 200, response.text
        return response.json()

    def post(self, path: str, body: Any = None, token: str | None = None) -> Any:
        response = self.api("POST", path, token or self.trader, json=body)
        assert response.status_code in (200, 201), response.text
        return response.json()


@dataclass
class PageProblems:
    """What went wrong in the page: console errors, uncaught exceptions, failed requests and
    HTTP errors, less the ones a test said it expects (``allow``)."""

    allowed: list[tuple[str, int]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def allow(self, url_part: str, status: int) -> None:
        """The test expects a ``status`` answer from a URL containing ``url_part`` (a refused
        key's 401): neither the response nor Chromium's console line about it is a problem."""
        self.allowed.append((url_part, status))

    def _is_allowed(self, url: str, status: int | None) -> bool:
        return any(
            part in url and (status is None or status == expected)
            for part, expected in self.allowed
        )

    def on_console(self, message: ConsoleMessage) -> None:
        if message.type != "error":
            return
        url = str(message.location.get("url", ""))
        if message.text.startswith("Failed to load resource") and self._is_allowed(url, None):
            return
        self.problems.append(f"console error: {message.text} ({url})")

    def on_page_error(self, error: Exception) -> None:
        self.problems.append(f"uncaught exception in the page: {error}")

    def on_request_failed(self, request: Request) -> None:
        if request.failure == "net::ERR_ABORTED":
            return  # the page cancelled it (a reload or navigation the test made): no failure
        self.problems.append(f"request failed: {request.method} {request.url}: {request.failure}")

    def on_response(self, response: Response) -> None:
        if response.status >= 400 and not self._is_allowed(response.url, response.status):
            method = response.request.method
            self.problems.append(f"HTTP {response.status}: {method} {response.url}")


def watch(page: Page, problems: PageProblems) -> PageProblems:
    page.on("console", problems.on_console)
    page.on("pageerror", problems.on_page_error)
    page.on("requestfailed", problems.on_request_failed)
    page.on("response", problems.on_response)
    return problems


def sign_in(page: Page, server: DashboardServer, key: str, route: str = "chart") -> None:
    """Signs in through the form, as a person would, and waits for the view."""
    page.goto(f"{server.base_url}/#/{route}")
    page.fill("#api-key", key)
    page.click("#sign-in-button")
    page.wait_for_selector(f"#view[data-view='{route}']")
    settle(page)  # the view's first requests answered


def settle(page: Page, timeout_ms: float = 10_000) -> None:
    """Waits until the page has had no request in flight for half a second (a view that polls
    may never be idle that long: after ``timeout_ms`` the test goes on)."""
    with contextlib.suppress(PlaywrightTimeoutError):
        page.wait_for_load_state("networkidle", timeout=timeout_ms)


def screenshot(page: Page, view: str, device: str, theme: str) -> Path:
    """Saves ``test-artifacts/screenshots/<view>-<device>-<theme>.png`` (not committed)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{view}-{device}-{theme}.png"
    page.screenshot(path=str(path), full_page=False)
    return path


def visible_trading_controls(page: Page) -> list[str]:
    """Every visible control a read-only key must not see: elements tagged
    ``data-trading-control``, and buttons, links and inputs whose text reads as an action."""
    found: list[str] = []
    for element in page.query_selector_all("[data-trading-control]"):
        if element.is_visible():
            found.append(f"tagged control: {element.evaluate('e => e.outerHTML')[:120]}")
    candidates: Iterable[Any] = page.query_selector_all(
        "#view button, #view a, #view input[type=submit], #view form"
    )
    for element in candidates:
        text = (element.inner_text() or element.get_attribute("value") or "").strip()
        if element.is_visible() and TRADING_WORDS.search(text):
            found.append(f"action control: {text[:60]!r}")
    return found


def _create_keys(home: Path) -> dict[str, str]:
    from paperdesk.service import Services
    from paperdesk.store import Database

    database = Database(f"sqlite:///{home / 'paperdesk.db'}")
    try:
        keys = Services(database=database).api_keys
        scopes = ("admin", "trade", "read")
        return {scope: keys.create(f"browser {scope}", scope).token for scope in scopes}
    finally:
        database.close()


@contextlib.contextmanager
def running_server(home: Path, **extra_environment: str) -> Iterator[DashboardServer]:
    """A ``paperdesk serve`` subprocess on a free port with its home in ``home`` (settings of
    ``server_environment`` plus ``extra_environment``) and keys of each scope; no portfolio yet
    (``portfolio_id`` 0). Stopped on exit."""
    keys = _create_keys(home)
    environment = server_environment(home, **extra_environment)
    port = free_port()
    log = (home / "serve.log").open("w")  # a file, never a pipe nobody reads (it would fill)
    process = subprocess.Popen(
        [*CLI, "serve", "--port", str(port)],
        env=environment, stdout=log, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    base_url = f"http://127.0.0.1:{port}"
    try:
        wait_until_healthy(base_url, process)
        yield DashboardServer(
            base_url=base_url,
            home=home,
            environment=environment,
            admin=keys["admin"],
            trader=keys["trade"],
            reader=keys["read"],
            portfolio_id=0,
            process=process,
        )
    finally:
        stop(process)
        log.close()
