"""Helpers of the signal panel's and the order manager's browser tests: a portfolio of the
test's own on the session's server (so no test depends on another's ticks or orders), ticks
through the API (one replayed bar each), choosing the portfolio in the page, and the bundled
bars the figures are checked against."""

from __future__ import annotations

import csv
import uuid
from decimal import Decimal
from typing import Any

from browser_support import DESKTOP, REPOSITORY, DashboardServer, sign_in
from playwright.sync_api import Page, expect

from paperdesk.domain.currencies import money_text

BUNDLED_SPY = REPOSITORY / "src" / "paperdesk" / "data" / "bundled" / "lean_SPY_1d.csv"
STARTING_CASH = Decimal("25000")


def create_portfolio(server: DashboardServer, **settings: Any) -> int:
    """A fresh replay of bundled SPY from 2020-01-02 with macd-cross: its first tick emits a
    long signal on the 2020-01-02 bar (the strategy's warm-up reads earlier bars), the second
    a short one (an exit in this long-only book)."""
    created = server.post(
        "/portfolios",
        {
            "name": f"trading {uuid.uuid4().hex[:8]}",
            "cash": str(STARTING_CASH),
            "symbols": ["SPY"],
            "strategies": ["macd-cross"],
            "settings": {"source": "replay", "replay_from": "2020-01-02", **settings},
        },
    )
    return int(created["summary"]["id"])


def tick(server: DashboardServer, portfolio_id: int) -> dict[str, Any]:
    """Processes the replay's next bar; returns that tick's report."""
    answer = server.post(f"/portfolios/{portfolio_id}/ticks", {})
    assert answer["processed"] == 1, answer
    report: dict[str, Any] = answer["ticks"][0]
    return report


def choose_portfolio(page: Page, portfolio_id: int, view: str) -> None:
    """Picks the portfolio in the switcher and waits for the view to be mounted again."""
    page.select_option("#portfolio-switcher", str(portfolio_id))
    page.wait_for_selector(f"#view[data-view='{view}']")


def bundled_close(day: str) -> Decimal:
    """The close of bundled SPY's daily bar labelled ``day`` (YYYY-MM-DD), read from the file."""
    with BUNDLED_SPY.open(newline="") as handle:
        for line in csv.DictReader(handle):
            if line["timestamp"].startswith(day):
                return Decimal(line["close"])
    raise AssertionError(f"no bundled SPY bar on {day}")


def shown(value: str | Decimal) -> str:
    """How the dashboard prints a price or a quantity: its digits as the API sent them,
    thousands grouped."""
    return format(Decimal(value), ",")


def money_shown(value: str | Decimal, currency: str = "USD") -> str:
    """How the dashboard prints money: the CLI's rule (``currencies.money_text``), exact,
    grouped, at least the currency's decimals."""
    return money_text(Decimal(value), currency)


def orders_of(server: DashboardServer, portfolio_id: int) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = server.get(f"/portfolios/{portfolio_id}/orders", limit=500)[
        "items"
    ]
    return items


def show_a_working_exit(page: Page, server: DashboardServer) -> tuple[int, dict[str, Any]]:
    """A fresh book holding SPY with the strategy's exit working, shown to a trader in the
    orders view at 1366 px; returns the portfolio's id and the working order."""
    portfolio_id = create_portfolio(server)
    tick(server, portfolio_id)  # long signal: a market buy
    tick(server, portfolio_id)  # it fills; the short signal places the strategy's exit
    [working] = [o for o in orders_of(server, portfolio_id) if o["status"] == "accepted"]
    page.set_viewport_size(DESKTOP)
    sign_in(page, server, server.trader, "orders")
    choose_portfolio(page, portfolio_id, "orders")
    expect(page.locator(f"#open-orders tr[data-order-id='{working['order_id']}']")).to_be_visible(
        timeout=10_000
    )
    return portfolio_id, working
