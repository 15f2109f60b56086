"""The titles over the dashboard's tables in a real browser: the order manager's times say
they are UTC (as the performance view's do), the fills' slippage names its unit (a price
difference per unit, the API's ``slippage``), and a numeric column's title stands right-aligned
over its right-aligned numbers in every table (docs/dashboard.md)."""

from __future__ import annotations

from typing import Any

from browser_support import DashboardServer
from playwright.sync_api import Page, expect
from trading_support import show_a_working_exit
from view_support import open_view, own_portfolio

# For each column of a table: its title, its title's alignment, the first row's cell and the
# cell's alignment.
COLUMNS_SCRIPT = """table => {
  const titles = [...table.querySelectorAll('thead th')];
  const cells = [...table.querySelector('tbody tr').querySelectorAll('td, th')];
  return titles.map((title, index) => ({
    title: title.textContent.trim(),
    titleAlign: getComputedStyle(title).textAlign,
    cell: cells[index] === undefined ? null : cells[index].textContent.trim(),
    cellAlign: cells[index] === undefined ? null : getComputedStyle(cells[index]).textAlign,
  }));
}"""


def _columns(page: Page, table: str) -> list[dict[str, Any]]:
    columns: list[dict[str, Any]] = page.eval_on_selector(table, COLUMNS_SCRIPT)
    return columns


def _minutes(iso: str) -> str:
    """The orders view's time text: the API's ISO time to the minute."""
    return iso[:16].replace("T", " ")


def _title_over(page: Page, table: str, text: str) -> str:
    [title] = [c["title"] for c in _columns(page, table) if c["cell"] == text]
    return title


def _misaligned(page: Page, table: str) -> list[str]:
    """The titles left-aligned over a right-aligned column."""
    return [
        c["title"]
        for c in _columns(page, table)
        if c["cellAlign"] in ("right", "end") and c["titleAlign"] not in ("right", "end")
    ]


def test_the_order_managers_times_say_utc_and_slippage_its_unit(
    page: Page, dashboard_server: DashboardServer
) -> None:
    server = dashboard_server
    portfolio_id, working = show_a_working_exit(page, server)
    [position] = server.get(f"/portfolios/{portfolio_id}/positions")
    [fill] = server.get(f"/portfolios/{portfolio_id}/fills")["items"]
    expect(page.locator("#history-fills tbody tr:not(.empty)")).to_have_count(1)

    assert _title_over(page, "#open-orders", _minutes(working["ts_submitted"])).endswith("(UTC)")
    assert _title_over(page, "#positions", _minutes(position["ts_opened"])).endswith("(UTC)")
    assert _title_over(page, "#history-fills", _minutes(fill["ts"])).endswith("(UTC)")
    [slippage] = [c for c in _columns(page, "#history-fills") if c["title"].startswith("Slippage")]
    assert slippage["title"] == "Slippage (price per unit)"

    page.click("#history button[data-resource='audit']")
    audit = page.locator("#history-audit tbody tr:not(.empty)")
    expect(audit.first).to_be_visible()
    [entry, *_] = server.get(f"/portfolios/{portfolio_id}/audit")["items"]
    assert _title_over(page, "#history-audit", _minutes(entry["ts_event"])).endswith("(UTC)")

    for table in ("#open-orders", "#positions", "#history-audit"):
        assert _misaligned(page, table) == [], table


def test_numeric_titles_stand_over_their_numbers_in_the_views_tables(
    page: Page, dashboard_server: DashboardServer
) -> None:
    server = dashboard_server
    portfolio_id = own_portfolio(server, "Aligned titles", ticks=40)
    open_view(page, server, server.reader, "portfolios", portfolio_id)
    page.wait_for_selector(f"#portfolios-table tr[data-portfolio='{portfolio_id}']")
    right = [c["title"] for c in _columns(page, "#portfolios-table") if c["cellAlign"] == "right"]
    assert "Equity" in right  # the table has numeric columns to hold to
    assert _misaligned(page, "#portfolios-table") == []

    page.click("a[href='#/performance']")
    page.wait_for_selector("#trade-extremes")
    assert _misaligned(page, "#trade-extremes") == []
    assert _misaligned(page, ".month-table") == []

    page.click("a[href='#/health']")
    page.wait_for_selector(f"#worker-table tr[data-portfolio='{portfolio_id}']")
    assert _misaligned(page, "#worker-table") == []
