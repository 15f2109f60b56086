"""A portfolio keeping its books in yen (no minor unit) in a real browser: every table that
shows money (positions, fills, closed trades) prints it by the one money rule in the book's
currency, as the summary cards do: no ``.00`` (docs/dashboard.md)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from browser_support import DashboardServer, sign_in
from playwright.sync_api import Locator, Page, expect
from trading_support import choose_portfolio, money_shown, tick

from paperdesk.data import find_bundled


def usdjpy_hours(rows: int = 40) -> bytes:
    """Hand-made USDJPY hours: the first bundled EURUSD hours (2007) at 100 times their prices,
    to the yen pair's tick (0.001)."""
    lines = find_bundled("EURUSD", "1h").read_text().splitlines()
    made = [lines[0]]
    for line in lines[1 : rows + 1]:
        stamp, *prices, volume = line.split(",")
        scaled = [str((Decimal(p) * 100).quantize(Decimal("0.001"))) for p in prices]
        made.append(",".join([stamp, *scaled, volume]))
    return ("\n".join(made) + "\n").encode()


def yen_book(server: DashboardServer) -> int:
    imported = server.api(
        "POST",
        "/market-data/import",
        server.admin,
        files={"file": ("usdjpy.csv", usdjpy_hours(), "text/csv")},
        data={"symbol": "USDJPY", "timeframe": "1h"},
    )
    assert imported.status_code == 201, imported.text
    created = server.post(
        "/portfolios",
        {
            "name": "yen book",
            "cash": "5000000",
            "currency": "JPY",
            "symbols": ["USDJPY"],
            "strategies": ["macd-cross"],
            "settings": {"source": "replay", "replay_from": "2007-01-02", "timeframe": "1h"},
        },
    )
    return int(created["summary"]["id"])


def _cells(row: Locator) -> list[str]:
    return [text.strip() for text in row.locator("td").all_inner_texts()]


def _yen(value: str) -> str:
    return money_shown(value, "JPY")


def test_a_yen_books_tables_show_money_without_a_minor_unit(
    page: Page, dashboard_server: DashboardServer
) -> None:
    server = dashboard_server
    portfolio_id = yen_book(server)
    tick(server, portfolio_id)  # the replay starts
    server.post(
        f"/portfolios/{portfolio_id}/orders",
        {"symbol": "USDJPY", "side": "buy", "quantity": "1000", "type": "market"},
    )
    tick(server, portfolio_id)  # the buy fills
    tick(server, portfolio_id)  # the position is marked to the next close
    sign_in(page, server, server.trader, "orders")
    choose_portfolio(page, portfolio_id, "orders")
    [position] = server.get(f"/portfolios/{portfolio_id}/positions")
    row = page.locator("#positions tr[data-symbol='USDJPY']")
    expect(row.locator("td").nth(4)).to_have_text(_yen(position["market_value"]), timeout=10_000)
    expect(row.locator("td").nth(5)).to_have_text(_yen(position["unrealized_pnl"]))
    assert not _cells(row)[4].endswith(".00")  # a whole number of yen, as the cards show it

    [fill] = server.get(f"/portfolios/{portfolio_id}/fills")["items"]
    fill_row = page.locator("#history-fills tbody tr").first
    expect(fill_row.locator("td").nth(6)).to_have_text(_yen(fill["fee"]))

    server.post(f"/portfolios/{portfolio_id}/positions/USDJPY/close", {})
    tick(server, portfolio_id)  # the close fills: a round trip
    [trade] = server.get(f"/portfolios/{portfolio_id}/trades")["items"]
    page.click("#history button[data-resource='trades']")
    trade_row = page.locator("#history-trades tbody tr:not(.empty)")
    expect(trade_row).to_have_count(1, timeout=10_000)
    shown: list[Any] = _cells(trade_row)
    assert (shown[6], shown[7]) == (_yen(trade["pnl"]), _yen(trade["fees"]))
    cards = page.locator("#order-summary")
    expect(cards.locator("[data-kpi='cash']")).to_contain_text(
        _yen(server.get(f"/portfolios/{portfolio_id}")["summary"]["cash"])
    )
    # every amount says its currency: each card, and each money column's title
    units = cards.locator(".kpi .unit").all_inner_texts()
    assert units == ["JPY"] * 6
    assert _headers(page, "#history-trades")[6:8] == ["P&L (JPY)", "Fees (JPY)"]
    assert _headers(page, "#positions")[4:6] == ["Value (JPY)", "Unrealized P&L (JPY)"]
    page.click("#history button[data-resource='fills']")
    expect(page.locator("#history-fills")).to_be_visible()
    assert _headers(page, "#history-fills")[6] == "Fee (JPY)"


def _headers(page: Page, table: str) -> list[str]:
    return [title.strip() for title in page.locator(f"{table} thead th").all_inner_texts()]
