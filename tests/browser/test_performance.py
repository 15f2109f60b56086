"""The performance view against the real server: the KPI cards and statistics are the API's
numbers (money by the CLI's rule: exact, grouped, at least the currency's decimals, the API's
text in the tooltip; realized P&L net of fees, its gross and fees under it), the equity
curve plots the API's points (the drawdown pane too), the months are the API's, and an equity
event on /ws/trading brings the cards up to date."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from browser_support import DashboardServer
from playwright.sync_api import Page
from view_support import UNDEFINED, open_view, own_portfolio, page_number, screenshots

from paperdesk.cli.money import NOT_AVAILABLE, percent, ratio
from paperdesk.domain.currencies import money_text

KPIS = ("equity", "cash", "unrealized_pnl", "realized_pnl_net")
# each statistic as the CLI prints it (paperdesk.cli.money): the same text on both surfaces
PERCENTS = ("win_rate_pct", "max_drawdown_pct")
RATIOS = ("profit_factor", "sharpe")
MONEY = ("best_trade", "worst_trade")


def card_text(page: Page, key: str) -> str:
    return page.inner_text(f"[data-kpi='{key}'] .figure-value")


def loads(page: Page) -> int:
    return int(page.get_attribute("#view", "data-loads") or 0)


def expected_cards(server: DashboardServer, portfolio_id: int) -> dict[str, str]:
    summary = server.get(f"/portfolios/{portfolio_id}", server.reader)["summary"]
    performance = server.get(f"/portfolios/{portfolio_id}/performance", server.reader)
    breakdown = performance["breakdown"]
    currency = summary["base_currency"]
    cards = {key: money_text(Decimal(summary[key]), currency) for key in KPIS}
    cards["day_pnl"] = money_text(Decimal(breakdown["day"]["pnl"]), currency)
    cards["total_pnl"] = money_text(Decimal(breakdown["total"]["pnl"]), currency)
    statistics = performance["statistics"]
    for key in PERCENTS:
        cards[key] = shown_as_cli(percent(statistics[key]))
    for key in RATIOS:
        cards[key] = shown_as_cli(ratio(statistics[key]))
    for key in MONEY:
        value = statistics[key]
        cards[key] = UNDEFINED if value is None else money_text(Decimal(value), currency)
    cards["trades"] = page_number(statistics["trades"])
    return cards


def shown_as_cli(text: str) -> str:
    """The CLI's text of a statistic, its undefined "n/a" being the page's "—"."""
    return UNDEFINED if text == NOT_AVAILABLE else text


def test_the_cards_curve_and_months_are_the_apis(
    page: Page, dashboard_server: DashboardServer
) -> None:
    server = dashboard_server
    portfolio_id = own_portfolio(  # into February 2020, paying fees
        server, "Performance desk", ticks=25, settings={"commission": "percent:0.1"}
    )
    page.emulate_media(color_scheme="light")
    open_view(page, server, server.reader, "performance", portfolio_id)
    page.wait_for_function("() => Number(document.querySelector('#view').dataset.loads) >= 1")

    expected = expected_cards(server, portfolio_id)
    shown = {key: card_text(page, key) for key in expected}
    assert shown == expected
    assert page.query_selector("[data-kpi='total_pips']") is None  # SPY: no pips
    performance = server.get(f"/portfolios/{portfolio_id}/performance", server.reader)
    assert performance["statistics"]["trades"] >= 1  # the scenario closed round trips

    # realized P&L is net of every fee (the report's and the CLI's "Realized P&L net"), labelled
    # so, its gross and the fees under it; each money card keeps the exact text in its tooltip
    summary = server.get(f"/portfolios/{portfolio_id}", server.reader)["summary"]
    net = Decimal(summary["realized_pnl"]) - Decimal(summary["fees_paid"])
    assert Decimal(summary["realized_pnl_net"]) == net
    assert Decimal(summary["fees_paid"]) > 0  # so gross and net differ
    realized = "[data-kpi='realized_pnl_net']"
    assert page.inner_text(f"{realized} .figure-label") == "Realized P&L (net)"
    assert page.inner_text(f"{realized} .figure-note") == (
        f"gross {money_text(Decimal(summary['realized_pnl']), 'USD')}"
        f" − fees {money_text(Decimal(summary['fees_paid']), 'USD')}"
    )
    for key in KPIS:
        assert page.get_attribute(f"[data-kpi='{key}']", "title") == summary[key]
    assert page.query_selector("[data-kpi='realized_pnl']") is None  # no unlabeled gross card
    # the balance cards name the book's currency, the unrealized P&L beside them too
    for key in ("equity", "cash", "unrealized_pnl"):
        assert page.inner_text(f"[data-kpi='{key}'] .figure-note") == "USD", key

    # the chart plots the API's curve: one point per moment (the last snapshot of it)
    last_of_moment: dict[int, dict[str, object]] = {}
    for point in performance["equity_curve"]:
        moment = int(datetime.fromisoformat(point["ts"].replace("Z", "+00:00")).timestamp())
        last_of_moment[moment] = point
    plotted = page.evaluate("() => window.paperdeskPerformance.plotted()")
    assert [p["time"] for p in plotted["equity"]] == sorted(last_of_moment)
    assert [p["value"] for p in plotted["equity"]] == [
        float(str(last_of_moment[t]["equity"])) for t in sorted(last_of_moment)
    ]
    assert [p["value"] for p in plotted["drawdown"]] == [
        last_of_moment[t]["drawdown_pct"] for t in sorted(last_of_moment)
    ]
    assert min(p["value"] for p in plotted["drawdown"]) < 0  # a drawdown is shaded
    # the scales print as the cards do, grouped (`25,000.00`; it was `25000.00`)
    whole = Decimal(summary["equity"]).quantize(Decimal(1))
    label = page.evaluate("v => window.paperdeskPerformance.scaleLabel(v)", float(whole))
    assert label == money_text(whole, "USD")

    months = performance["breakdown"]["months"]
    assert [m["period"] for m in months] == ["2020-01", "2020-02"]
    for month in months:
        cell = page.inner_text(f"[data-month='{month['period']}']")
        assert cell == shown_as_cli(percent(month["return_pct"]))  # as the CLI prints it

    # the best and the worst round trips are the API's, their net P&L by the money rule
    trades = server.get(f"/portfolios/{portfolio_id}/trades", server.reader, limit=500)["items"]
    pnls = sorted(Decimal(t["pnl"]) for t in trades)
    best = page.inner_text("[data-rank='best-1'] [data-cell='pnl']")
    assert best == money_text(pnls[-1], "USD")
    assert page.inner_text("[data-rank='worst-1'] [data-cell='pnl']") == money_text(pnls[0], "USD")

    screenshots(page, "performance", "[data-kpi='equity']")


def test_an_equity_event_brings_the_cards_up_to_date(
    page: Page, dashboard_server: DashboardServer
) -> None:
    server = dashboard_server
    portfolio_id = own_portfolio(server, "Live cards", ticks=3)
    open_view(page, server, server.trader, "performance", portfolio_id)
    page.wait_for_function("() => Number(document.querySelector('#view').dataset.loads) >= 1")
    page.wait_for_selector("#connection[data-state='open']")
    before = loads(page)
    initial = {key: card_text(page, key) for key in KPIS}
    for _ in range(3):  # bars with fills and marks: each commits an equity event
        server.post(f"/portfolios/{portfolio_id}/ticks", {})
    expected = expected_cards(server, portfolio_id)
    assert {key: expected[key] for key in KPIS} != initial  # the ticks moved the books
    page.wait_for_function(  # the view reloads on the events: wait until it shows them all
        """expected => Object.entries(expected).every(([key, text]) =>
            document.querySelector(`[data-kpi='${key}'] .figure-value`)?.textContent === text)""",
        arg=expected,
    )
    assert loads(page) > before
    assert {key: card_text(page, key) for key in expected} == expected


def test_the_cards_keep_a_third_decimal_and_add_up(
    page: Page, dashboard_server: DashboardServer
) -> None:
    # a per-share fee of 0.0051 a share: fees and cash carry a third decimal, which the cards
    # show (never rounded to the cent), so the net card is the gross less the fees under it
    server = dashboard_server
    portfolio_id = own_portfolio(
        server, "Fees desk", ticks=25, settings={"commission": "per-share:0.0051"}
    )
    summary = server.get(f"/portfolios/{portfolio_id}", server.reader)["summary"]
    fees = Decimal(summary["fees_paid"])
    assert fees != fees.quantize(Decimal("0.01"))  # the scenario has a third decimal
    open_view(page, server, server.reader, "performance", portfolio_id)
    page.wait_for_function("() => Number(document.querySelector('#view').dataset.loads) >= 1")

    def amount(text: str) -> Decimal:
        return Decimal(text.replace(",", ""))

    net = amount(card_text(page, "realized_pnl_net"))
    note = page.inner_text("[data-kpi='realized_pnl_net'] .figure-note")
    gross_text, fees_text = note.removeprefix("gross ").split(" − fees ")
    assert amount(fees_text) == fees
    assert amount(gross_text) - amount(fees_text) == net == Decimal(summary["realized_pnl_net"])
    assert amount(card_text(page, "cash")) == Decimal(summary["cash"])
    assert card_text(page, "cash") == money_text(Decimal(summary["cash"]), "USD")
