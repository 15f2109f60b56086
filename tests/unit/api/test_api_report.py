"""The static report equals the API: after a real replay of SPY's bundled daily bars, every
figure of ``portfolio_report`` (and of the page ``GET /portfolios/{id}/report.html`` serves)
is the one the summary, performance, positions and fills endpoints answer; the page is read
with a key that may see the portfolio only (on SQLite and PostgreSQL, by the ``api`` fixture)."""

from __future__ import annotations

import base64
import hashlib
import re
from decimal import Decimal
from html.parser import HTMLParser

from api_fixtures import Harness, api, assert_refused
from portfolio_scenario import spy_closes, traded_portfolio

from paperdesk.service.report import portfolio_report

__all__ = ["api"]

# Ticks from 2020-01-02: the macd scenario buys again on 2020-02-04 (its 23rd bar) and still
# holds on the 24th, so the report has fills, closed trades AND an open position.
BARS = 24


class Page(HTMLParser):
    """What a reader of the page sees: each KPI card's value text and data-value, the text of
    each table cell, the inline scripts and styles."""

    def __init__(self) -> None:
        super().__init__()
        self.cards: dict[str, tuple[str, str]] = {}
        self.scripts: list[tuple[dict[str, str | None], str]] = []
        self.styles: list[str] = []
        self.tables: dict[str, list[list[str]]] = {}
        self._card: str | None = None
        self._in_value = False
        self._open: list[tuple[str, dict[str, str | None]]] = []
        self._table: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        classes = (attributes.get("class") or "").split()
        if "card" in classes:
            self._card = attributes["data-kpi"]
            self.cards[str(self._card)] = ("", str(attributes["data-value"]))
        if tag == "span" and "value" in classes:
            self._in_value = True
        if tag == "table":
            self._table = attributes["data-table"]
            self.tables[str(self._table)] = []
        if tag == "tr" and self._table is not None:
            self.tables[self._table].append([])
        self._open.append((tag, attributes))
        self._text = []

    def handle_endtag(self, tag: str) -> None:
        _tag, attributes = self._open.pop() if self._open else (tag, {})
        content = "".join(self._text)
        if tag == "script":
            self.scripts.append((attributes, content))
        elif tag == "style":
            self.styles.append(content)
        elif tag == "span" and self._in_value and self._card is not None:
            self.cards[self._card] = (content, self.cards[self._card][1])
            self._in_value = False
        elif tag == "td" and self._table is not None:
            self.tables[self._table][-1].append(content)
        elif tag == "table":
            self._table = None
        self._text = []

    def handle_data(self, data: str) -> None:
        self._text.append(data)


def read_page(text: str) -> Page:
    page = Page()
    page.feed(text)
    page.close()
    return page


def shown(value: str) -> Decimal:
    """A money figure as the page prints it (``10,111.60``) read back as a Decimal."""
    return Decimal(value.replace(",", ""))


def test_the_report_has_the_api_numbers_after_a_real_run(api: Harness) -> None:
    portfolio = traded_portfolio(api, bars=BARS)
    summary = api.get(f"/portfolios/{portfolio}", api.reader).json()["summary"]
    performance = api.get(f"/portfolios/{portfolio}/performance", api.reader).json()
    positions = api.get(f"/portfolios/{portfolio}/positions", api.reader).json()
    fills = api.get(f"/portfolios/{portfolio}/fills", api.reader).json()["items"]
    trades = api.get(f"/portfolios/{portfolio}/trades", api.reader).json()["items"]
    assert positions  # the scenario holds a position, has closed trades and fills
    assert trades
    assert fills

    report = portfolio_report(api.services.portfolios, portfolio)
    kpis = report["kpis"]
    for name in ("equity", "cash", "unrealized_pnl"):
        assert Decimal(kpis[name]) == Decimal(summary[name]), name
    net = Decimal(summary["realized_pnl"]) - Decimal(summary["fees_paid"])
    assert Decimal(kpis["realized_pnl"]) == net
    assert Decimal(summary["realized_pnl_net"]) == net  # the dashboard's card: the same net
    assert Decimal(kpis["total_pnl"]) == Decimal(summary["equity"]) - Decimal("10000")
    assert report["statistics"] == performance["statistics"]
    for name in ("win_rate_pct", "profit_factor", "max_drawdown_pct", "sharpe"):
        assert kpis[name] == performance["statistics"][name], name
    closed = [Decimal(t["pnl"]) for t in trades]
    assert report["trades"]["count"] == len(trades)
    assert Decimal(report["trades"]["net_pnl"]) == sum(closed)
    assert Decimal(report["trades"]["best"]) == max(closed)

    # positions at the last price: the positions endpoint's, and SPY's close from the file
    assert len(report["positions"]) == len(positions)
    for mine, theirs in zip(report["positions"], positions, strict=True):
        for name in ("quantity", "average_price", "last_price", "market_value", "unrealized_pnl"):
            assert Decimal(mine[name]) == Decimal(theirs[name]), name
    (held,) = positions
    last_bar = performance["equity_curve"][-1]["ts"][:10]
    assert Decimal(held["last_price"]) == Decimal(str(spy_closes()[last_bar]))

    # the last fills, newest first
    assert [f["order_id"] for f in report["fills"]] == [f["order_id"] for f in fills[::-1][:20]]
    for mine, theirs in zip(report["fills"], fills[::-1], strict=False):
        for name in ("quantity", "price", "fee"):
            assert Decimal(mine[name]) == Decimal(theirs[name]), name

    # the curve with its drawdown, point by point
    curve = performance["equity_curve"]
    assert [(p["ts"][:19], Decimal(p["equity"]), Decimal(p["drawdown"])) for p in curve] == [
        (p["ts"][:19], Decimal(p["equity"]), Decimal(p["drawdown"])) for p in report["equity_curve"]
    ]

    # today's P&L: equity now minus the last equity of the day before the newest snapshot
    day = curve[-1]["ts"][:10]
    before = [p for p in curve if p["ts"][:10] < day]
    expected = Decimal(summary["equity"]) - Decimal(before[-1]["equity"])
    assert (Decimal(kpis["todays_pnl"]), kpis["today"]) == (expected, day)


def test_the_served_page_shows_the_api_numbers(api: Harness) -> None:
    portfolio = traded_portfolio(api, bars=BARS)
    summary = api.get(f"/portfolios/{portfolio}", api.reader).json()["summary"]
    statistics = api.get(f"/portfolios/{portfolio}/performance").json()["statistics"]
    positions = api.get(f"/portfolios/{portfolio}/positions").json()
    response = api.get(f"/portfolios/{portfolio}/report.html", api.reader)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/html")
    assert response.headers["cache-control"] == "no-store"
    page = read_page(response.text)
    for name in ("equity", "cash", "unrealized_pnl"):
        text, value = page.cards[name]
        assert shown(text) == Decimal(value) == Decimal(summary[name]), name
    text, _ = page.cards["total_pnl"]
    assert shown(text) == Decimal(summary["equity"]) - Decimal(summary["starting_cash"])
    win_rate, _ = page.cards["win_rate_pct"]
    assert win_rate == f"{statistics['win_rate_pct']:,.2f}%"
    sharpe_text, sharpe_value = page.cards["sharpe"]
    assert float(sharpe_value) == statistics["sharpe"]
    assert sharpe_text == f"{statistics['sharpe']:,.2f}"
    assert "total_pips" not in page.cards  # SPY is no forex pair
    (row,) = [cells for cells in page.tables["positions"] if cells]  # the heading has no td
    assert row[0] == "SPY"
    assert shown(row[5]) == Decimal(positions[0]["unrealized_pnl"])


def _digest(text: str) -> str:
    return base64.b64encode(hashlib.sha256(text.encode()).digest()).decode()


def test_the_served_page_runs_only_its_own_script_and_style(api: Harness) -> None:
    """The policy header names the SHA-256 of the page's one inline script and one style and
    allows nothing else (no other script, style, image, font or origin)."""
    portfolio = traded_portfolio(api, bars=3)
    response = api.get(f"/portfolios/{portfolio}/report.html", api.reader)
    policy = response.headers["content-security-policy"]
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";"))
    page = read_page(response.text)
    executable = [body for attributes, body in page.scripts if "type" not in attributes]
    (script,) = executable
    (style,) = page.styles
    assert directives["default-src"] == "'none'"
    assert directives["script-src"] == f"'sha256-{_digest(script)}'"
    assert directives["style-src"] == f"'sha256-{_digest(style)}'"
    assert directives["connect-src"] == "'self'"
    assert "sessionStorage" in script
    assert "paperdesk.apiKey" in script
    assert not re.search(r"""(src|href)\s*=\s*["']?\s*(https?:)?//""", response.text)


def test_the_page_is_for_keys_that_see_the_portfolio(api: Harness) -> None:
    portfolio = traded_portfolio(api, bars=2)
    other = api.create_portfolio(name="other")
    limited = api.services.api_keys.create("mine", "read", portfolio_ids=[portfolio]).token
    elsewhere = api.services.api_keys.create("theirs", "read", portfolio_ids=[other]).token
    for token in (api.reader, api.trader, api.admin, limited):
        response = api.get(f"/portfolios/{portfolio}/report.html", token)
        assert response.status_code == 200, response.text
    before = api.dump()
    for path, token in (
        ("/portfolios/999/report.html", api.reader),
        (f"/portfolios/{portfolio}/report.html", elsewhere),
    ):
        assert_refused(api, api.get(path, token), 404, "not_found", before=before)
    missing = api.client.get(f"/api/v1/portfolios/{portfolio}/report.html")
    assert_refused(api, missing, 401, "missing_api_key", before=before)
    wrong = api.client.get(
        f"/api/v1/portfolios/{portfolio}/report.html", headers={"X-API-Key": "pd_wrong"}
    )
    assert_refused(api, wrong, 401, "invalid_api_key", before=before)


def test_a_portfolio_that_never_ticked_has_a_page_of_undefined_figures(api: Harness) -> None:
    portfolio = api.create_portfolio()
    response = api.get(f"/portfolios/{portfolio}/report.html", api.reader)
    assert response.status_code == 200, response.text
    page = read_page(response.text)
    for name in ("win_rate_pct", "profit_factor", "max_drawdown_pct", "sharpe", "todays_pnl"):
        assert page.cards[name] == ("—", ""), name
    assert shown(page.cards["equity"][0]) == Decimal("10000")
    assert "No equity history yet" in response.text
