"""The report document and its page: a forex portfolio's pips (recomputed here from its own
fills), today's P&L, undefined figures as "—", a hostile portfolio name escaped, and a page
that refers to nothing outside itself."""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime
from decimal import Decimal
from html.parser import HTMLParser

from paperdesk.config import RunConfig, SourceConfig
from paperdesk.domain import Instrument, Side, Trade
from paperdesk.domain.records import EquityView
from paperdesk.service.performance_periods import breakdown, trade_pips
from paperdesk.service.portfolios import OrderRequest, PortfolioService
from paperdesk.service.report import portfolio_report
from paperdesk.service.report_html import render_report
from paperdesk.store import Database

EURUSD_REPLAY = SourceConfig("replay", replay_from=date(2017, 5, 1))
HOSTILE = '</script><script>alert(1)</script><img src=x onerror=alert(2)> & "q" \'s'


def _eurusd(database: Database, name: str = "fx") -> tuple[PortfolioService, int]:
    """EURUSD's bundled hourly bars replayed from 2017-05-01; one unit bought, then sold two
    bars later (each order fills at the next bar's open)."""
    service = PortfolioService(database)
    settings = RunConfig(
        symbols=("EURUSD",),
        timeframe="1h",
        source=SourceConfig("replay", replay_from=date(2017, 5, 1)),
    )
    portfolio_id = service.create_portfolio(name, Decimal("10000"), settings=settings)
    service.tick(portfolio_id, "EURUSD")
    service.place_order(portfolio_id, OrderRequest("EURUSD", Side.BUY, Decimal(1000)))
    service.tick(portfolio_id, "EURUSD")
    service.tick(portfolio_id, "EURUSD")
    service.place_order(portfolio_id, OrderRequest("EURUSD", Side.SELL, Decimal(1000)))
    service.tick(portfolio_id, "EURUSD")
    return service, portfolio_id


class Elements(HTMLParser):
    """Every start tag with its attributes, and the text inside each element with an id."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.texts: dict[str, str] = {}
        self._ids: list[str | None] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        self._ids.append(dict(attrs).get("id"))

    def handle_endtag(self, tag: str) -> None:
        if self._ids:
            self._ids.pop()

    def handle_data(self, data: str) -> None:
        current = next((i for i in reversed(self._ids) if i), None)
        if current is not None:
            self.texts[current] = self.texts.get(current, "") + data


def elements(page: str) -> Elements:
    parsed = Elements()
    parsed.feed(page)
    parsed.close()
    return parsed


def test_a_forex_portfolio_shows_its_pips(database: Database) -> None:
    service, portfolio_id = _eurusd(database)
    buy, sell = service.fills(portfolio_id)
    assert (buy.side, sell.side) == (Side.BUY, Side.SELL)
    expected = (sell.price - buy.price) / Decimal("0.0001")  # EURUSD's pip, by convention
    report = portfolio_report(service, portfolio_id)
    assert report["forex"] is True
    assert Decimal(report["kpis"]["total_pips"]) == expected
    assert Decimal(report["trades"]["total_pips"]) == expected
    page = render_report(report)
    card = re.search(r'data-kpi="total_pips" data-value="([^"]*)"', page)
    assert card is not None
    assert Decimal(card.group(1)) == expected
    assert f"{format(expected, ',f')} pips" in page


def test_the_last_fills_are_the_newest_first(database: Database) -> None:
    service, portfolio_id = _eurusd(database)
    _buy, sell = service.fills(portfolio_id)
    report = portfolio_report(service, portfolio_id)
    assert [f["side"] for f in report["fills"]] == ["sell", "buy"]
    newest = portfolio_report(service, portfolio_id, last_fills=1)
    assert [(f["side"], Decimal(f["price"])) for f in newest["fills"]] == [("sell", sell.price)]
    assert newest["fill_count"] == 2
    assert "Last fills (1 of 2, newest first)" in render_report(newest)


def test_a_forex_portfolio_before_its_first_trade_has_no_pips_yet(database: Database) -> None:
    service = PortfolioService(database)
    settings = RunConfig(symbols=("EURUSD",), timeframe="1h", source=EURUSD_REPLAY)
    portfolio_id = service.create_portfolio("fx", Decimal("10000"), settings=settings)
    service.tick(portfolio_id, "EURUSD")
    report = portfolio_report(service, portfolio_id)
    assert report["forex"] is True
    assert report["kpis"]["total_pips"] is None
    assert 'data-kpi="total_pips" data-value=""' in render_report(report)


def test_pips_count_in_the_trades_favour_long_and_short() -> None:
    pair = Instrument.forex("EURUSD")
    moment = datetime(2017, 5, 1, tzinfo=UTC)
    up = Trade("EURUSD", Side.BUY, Decimal(1), Decimal("1.0850"), Decimal("1.0873"), moment,
               moment, Decimal(0), Decimal("0.0023"))  # fmt: skip
    short_loss = up._replace(side=Side.SELL, pnl=Decimal("-0.0023"))
    assert pair.pip_size is not None
    assert trade_pips(up, pair.pip_size) == Decimal(23)
    assert trade_pips(short_loss, pair.pip_size) == Decimal(-23)
    assert trade_pips(up._replace(entry_price=Decimal("110.25"), exit_price=Decimal("110.05"),
                                  symbol="USDJPY"), yen_pip_size()) == Decimal(-20)  # fmt: skip


def yen_pip_size() -> Decimal:
    size = Instrument.forex("USDJPY").pip_size
    assert size is not None
    return size


def todays_pnl(curve: list[EquityView], starting_cash: Decimal) -> tuple[Decimal, str] | None:
    day = breakdown(curve, [], starting_cash, lambda symbol: None).day
    return None if day is None else (day.pnl, day.label)


def _snapshot(ts: datetime, equity: str) -> EquityView:
    value = Decimal(equity)
    zero = Decimal(0)
    return EquityView(ts, value, zero, value, zero, zero, zero)


def test_todays_pnl_is_measured_from_the_previous_days_last_equity() -> None:
    curve = [
        _snapshot(datetime(2020, 1, 2, 21, tzinfo=UTC), "10010"),
        _snapshot(datetime(2020, 1, 3, 15, tzinfo=UTC), "10030"),
        _snapshot(datetime(2020, 1, 3, 21, tzinfo=UTC), "10025.50"),  # the day before's end
        _snapshot(datetime(2020, 1, 6, 15, tzinfo=UTC), "10040"),
        _snapshot(datetime(2020, 1, 6, 21, tzinfo=UTC), "10001.25"),
    ]
    assert todays_pnl(curve, Decimal(10000)) == (Decimal("-24.25"), "2020-01-06")
    first_day = curve[:1]  # no earlier day: measured from the starting cash
    assert todays_pnl(first_day, Decimal(10000)) == (Decimal(10), "2020-01-02")
    assert todays_pnl([], Decimal(10000)) is None


def test_a_hostile_portfolio_name_is_only_text(database: Database) -> None:
    service, portfolio_id = _eurusd(database, name=HOSTILE)
    page = render_report(portfolio_report(service, portfolio_id))
    parsed = elements(page)
    assert [tag for tag, _ in parsed.tags].count("script") == 2  # the data and the page's own
    assert "img" not in [tag for tag, _ in parsed.tags]
    assert all("onerror" not in attributes for _, attributes in parsed.tags)
    assert parsed.texts["portfolio-name"] == HOSTILE
    data = json.loads(parsed.texts["report-data"])
    assert data["portfolio"]["name"] == HOSTILE
    embedded = re.search(r'id="report-data">([^<]*)</script>', page)  # no "<" inside at all
    assert embedded is not None
    assert json.loads(embedded.group(1))["portfolio"]["name"] == HOSTILE


def test_undefined_figures_are_a_dash_not_zero(database: Database) -> None:
    service = PortfolioService(database)
    settings = RunConfig(symbols=("EURUSD",), timeframe="1h", source=EURUSD_REPLAY)
    portfolio_id = service.create_portfolio("quiet", Decimal("10000"), settings=settings)
    service.tick(portfolio_id, "EURUSD")  # one snapshot, no trade
    report = portfolio_report(service, portfolio_id)
    page = render_report(report)
    for name in ("win_rate_pct", "profit_factor", "sharpe"):
        assert report["kpis"][name] is None, name
        card = re.search(rf'data-kpi="{name}" data-value=""><span class="label">[^<]*</span>'
                         r'<span class="value">([^<]*)</span>', page)  # fmt: skip
        assert card is not None, name
        assert card.group(1) == "—", name


def test_the_page_refers_to_nothing_outside_itself(database: Database) -> None:
    service, portfolio_id = _eurusd(database)
    page = render_report(portfolio_report(service, portfolio_id))
    for _tag, attributes in elements(page).tags:
        assert "src" not in attributes, attributes
        assert "href" not in attributes, attributes
    assert "@import" not in page
    assert "url(" not in page
    assert not re.search(r"https?://", page)
    policy = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', page)
    assert policy is not None
    assert "default-src &#x27;none&#x27;" in policy.group(1)


def test_the_pages_show_money_as_a_statement_and_prices_with_every_digit() -> None:
    from paperdesk.service.report_html import MISSING, exact, money

    # money by the CLI's rule: exact, grouped, at least the currency's decimals; more than three
    # past them (an engine P&L on adjusted prices) half-up to the minor unit
    assert money("4718.804674770767002440") == "4,718.80"
    assert money("4718.8046") == "4,718.8046"
    assert money("24385.290") == "24,385.29"
    assert money("-0.125") == "-0.125"
    assert money("7") == "7.00"
    assert money("1234.5", "JPY") == "1,234.5"
    assert money("1235", "JPY") == "1,235"  # no minor unit
    assert money(None) == MISSING
    # prices and quantities are on their tick and lot already: nothing is rounded away
    assert exact("1.10345") == "1.10345"
    assert exact("12345.5") == "12,345.5"
