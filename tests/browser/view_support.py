"""Helpers of the performance, portfolios and health browser tests: a portfolio of the test's
own (so no other test's ticks change what it checks), signing in with the views' test hooks,
the API's JSON numbers as the page prints them, and the four screenshots of a view."""

from __future__ import annotations

import itertools
import math
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from browser_support import PHONE, DashboardServer, screenshot
from playwright.sync_api import Page

_NAMES = itertools.count(1)
# macd-cross with short periods and ATR brackets, so 25 bars of 2020 hold round trips
TRADING = {
    "cash": "10000",
    "symbols": ["SPY"],
    "strategies": ["macd-cross"],
    "params": ["fast=3", "slow=6", "signal=2", "stop_atr=2", "target_atr=3"],
    "settings": {"source": "replay", "replay_from": "2020-01-02"},
}
UNDEFINED = "—"


def own_portfolio(
    server: DashboardServer, label: str, ticks: int = 0, settings: dict[str, str] | None = None
) -> int:
    """A new replay portfolio named after the test, ticked ``ticks`` bars through the API;
    ``settings`` adds run settings (``{"commission": "percent:0.1"}``)."""
    body = {**TRADING, "name": f"{label} {next(_NAMES)}"}
    if settings:
        body["settings"] = {**TRADING["settings"], **settings}  # type: ignore[dict-item]
    portfolio_id = int(server.post("/portfolios", body)["summary"]["id"])
    for _ in range(ticks):
        server.post(f"/portfolios/{portfolio_id}/ticks", {})
    return portfolio_id


def open_view(page: Page, server: DashboardServer, key: str, route: str, portfolio_id: int) -> None:
    """Signs in with ``?debug=1`` (the views' test hooks), shows ``portfolio_id`` through the
    switcher as a person would, and waits for the view."""
    page.goto(f"{server.base_url}/?debug=1#/{route}")
    page.fill("#api-key", key)
    page.click("#sign-in-button")
    page.wait_for_selector(f"#view[data-view='{route}']")
    page.select_option("#portfolio-switcher", str(portfolio_id))
    page.wait_for_selector(f"#view[data-view='{route}']")


def page_number(value: Any, suffix: str = "") -> str:
    """A JSON value as the page shows it: null is "—", a string (money) as sent, a whole
    number as it is, any other number to two decimals, half away from zero on the double's
    exact value (JavaScript's ``toFixed``)."""
    if value is None:
        return UNDEFINED
    if isinstance(value, bool):
        raise TypeError(value)
    if isinstance(value, float):
        assert math.isfinite(value)
        if value.is_integer() and abs(value) < 1e21:
            return str(int(value)) + suffix
        text = str(Decimal(value).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))
        return ("0.00" if text == "-0.00" else text) + suffix
    return f"{value}{suffix}"


def utc_minutes(iso: str | None) -> str:
    """An ISO time as the views print it: ``2020-01-02 21:00 UTC``."""
    if iso is None:
        return UNDEFINED
    return datetime.fromisoformat(iso.replace("Z", "+00:00")).strftime("%Y-%m-%d %H:%M UTC")


def screenshots(page: Page, view: str, ready: str) -> None:
    """Desktop and phone, light and dark (the theme toggle), each after ``ready`` shows; at
    the phone's width the page must fit it."""
    for device in ("desktop", "phone"):
        if device == "phone":
            page.set_viewport_size(PHONE)
        for _ in range(2):
            page.wait_for_selector(ready)
            if device == "phone":  # the page itself never scrolls sideways (its tables may)
                assert page.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]
            theme = page.get_attribute("html", "data-theme") or "light"
            screenshot(page, view, device, theme)
            page.click("#theme-toggle")
