"""The portfolios view against the real server: the create form is generated from the
strategies' JSON Schemas and creates what it shows in the API; the schema's bounds are checked
before sending; a rule only the server knows comes back as its 422 message next to the field;
archive and unarchive after a confirmation; a read-only key sees no control that changes state."""

from __future__ import annotations

import itertools
from decimal import Decimal

from browser_support import DashboardServer, PageProblems, sign_in, visible_trading_controls
from playwright.sync_api import Page, expect
from view_support import own_portfolio, page_number, screenshots

from paperdesk.domain.currencies import money_text

_NAMES = itertools.count(1)


def open_form(page: Page, server: DashboardServer) -> dict[str, dict[str, object]]:
    """Signs in with the trade key at #/portfolios; the strategies' schemas by name."""
    sign_in(page, server, server.trader, "portfolios")
    page.wait_for_selector("#create-form fieldset[data-strategy='macd-cross']")
    return {s["name"]: s["parameters_schema"] for s in server.get("/strategies", server.reader)}


def test_the_generated_form_creates_the_portfolio_it_shows(
    page: Page, dashboard_server: DashboardServer
) -> None:
    server = dashboard_server
    schemas = open_form(page, server)
    # every parameter of the schema has its field: enums as selects with the schema's choices
    page.check("#strategy-sma-cross")
    for strategy in ("macd-cross", "sma-cross"):
        properties = schemas[strategy]["properties"]
        assert isinstance(properties, dict)
        fields = page.eval_on_selector_all(
            f"fieldset[data-strategy='{strategy}'] [data-field]",
            "fs => fs.map(f => f.dataset.field)",
        )
        assert fields == list(properties)
        for name, schema in properties.items():
            selector = f"#param-{strategy}-{name}"
            if "enum" in schema:
                options = page.eval_on_selector_all(
                    f"{selector} option", "os => os.map(o => o.value)"
                )
                assert options == schema["enum"]
            assert page.input_value(selector) == page_number(schema["default"])

    name = f"Form desk {next(_NAMES)}"
    page.fill("#create-name", name)
    page.fill("#create-cash", "15000.50")
    page.fill("#create-symbols", "spy")
    page.fill("#param-macd-cross-fast", "5")
    page.fill("#param-macd-cross-slow", "20")
    page.select_option("#param-macd-cross-ema_seed", "first")
    page.fill("#param-sma-cross-fast", "4")
    page.select_option("#create-sizer", "percent-equity")
    page.fill("#create-size_pct", "20")
    page.fill("#create-min_confidence", "0.5")
    page.fill("#create-commission", "percent:0.1")
    page.click("#create-submit")
    page.wait_for_selector("#create-result[data-created]")
    created = int(page.get_attribute("#create-result", "data-created") or 0)

    detail = server.get(f"/portfolios/{created}", server.reader)
    assert detail["summary"]["name"] == name
    assert detail["summary"]["starting_cash"] == "15000.50"
    settings = detail["settings"]
    assert settings["symbols"] == ["SPY"]
    strategies = {s["name"]: s["params"] for s in settings["strategies"]}
    assert list(strategies) == ["macd-cross", "sma-cross"]
    assert strategies["macd-cross"]["fast"] == 5
    assert strategies["macd-cross"]["slow"] == 20
    assert strategies["macd-cross"]["ema_seed"] == "first"
    assert strategies["sma-cross"]["fast"] == 4
    assert settings["source"]["kind"] == "replay"
    assert settings["source"]["replay_from"] == "2020-01-02"
    assert (settings["sizing"]["method"], settings["sizing"]["percent"]) == ("percent-equity", "20")
    assert settings["risk"]["min_confidence"] == 0.5
    assert settings["execution"]["commission"] == "percent:0.1"
    # the list and the shell's switcher have it
    page.wait_for_selector(f"#portfolios-table tr[data-portfolio='{created}']")
    page.wait_for_selector(f"#portfolio-switcher option[value='{created}']", state="attached")
    page.click(f"#portfolios-table tr[data-portfolio='{created}'] [data-action='switch']")
    page.wait_for_function(
        f"() => document.querySelector('#portfolio-switcher').value === '{created}'"
    )


def test_bad_values_are_shown_next_to_their_field(
    page: Page, dashboard_server: DashboardServer, page_problems: PageProblems
) -> None:
    server = dashboard_server
    schemas = open_form(page, server)
    name = f"Refused desk {next(_NAMES)}"
    page.fill("#create-name", name)
    # beyond the schema's bound: refused in the page, nothing sent
    fast = schemas["macd-cross"]["properties"]["fast"]  # type: ignore[index]
    page.fill("#param-macd-cross-fast", str(fast["minimum"] - 1))
    page.fill("#create-cash", "-3")
    page.click("#create-submit")
    assert "must be at least" in page.inner_text("#param-macd-cross-fast-error")
    assert "cash" in page.inner_text("#create-cash-error")
    assert name not in [p["name"] for p in server.get("/portfolios", server.reader)]

    # within every bound but against the strategy's own rule (fast < slow): the server's 422
    page_problems.allow("/api/v1/portfolios", 422)
    page.fill("#create-cash", "10000")
    page.fill("#param-macd-cross-fast", "30")
    page.fill("#param-macd-cross-slow", "10")
    page.click("#create-submit")
    page.wait_for_function(
        "() => document.querySelector('#param-macd-cross-fast-error').textContent !== ''"
    )
    params = page.eval_on_selector_all(
        "fieldset[data-strategy='macd-cross'] [data-field] input, "
        "fieldset[data-strategy='macd-cross'] [data-field] select",
        "es => es.map(e => `${e.name}=${e.value}`)",
    )
    answer = server.api(
        "POST",
        "/portfolios",
        server.trader,
        json={"name": name, "cash": "10000", "symbols": ["SPY"], "strategies": ["macd-cross"],
              "params": params, "settings": {"source": "replay", "replay_from": "2020-01-02",
                                              "timeframe": "1d"}},
    )  # fmt: skip
    assert answer.status_code == 422
    assert page.inner_text("#param-macd-cross-fast-error") == answer.json()["message"]
    assert answer.json()["code"] in page.inner_text("#create-error")
    assert name not in [p["name"] for p in server.get("/portfolios", server.reader)]
    screenshots(page, "portfolios", "#create-form")


def test_archive_and_unarchive_after_a_confirmation(
    page: Page, dashboard_server: DashboardServer
) -> None:
    server = dashboard_server
    portfolio_id = own_portfolio(server, "Archived desk")
    sign_in(page, server, server.trader, "portfolios")
    row = f"#portfolios-table tr[data-portfolio='{portfolio_id}']"
    page.click(f"{row} [data-action='archive']")
    page.click(f"{row} [data-action='keep']")  # changed their mind: nothing happens
    assert server.get(f"/portfolios/{portfolio_id}", server.reader)["summary"]["status"] == "active"
    # from the keyboard: the confirmation focuses "Keep as is" (Enter does not archive by
    # accident) and Escape keeps it as is, the focus back on Archive
    page.click(f"{row} [data-action='archive']")
    expect(page.locator(f"{row} [data-action='keep']")).to_be_focused()
    page.keyboard.press("Escape")
    expect(page.locator(f"{row} [data-action='confirm']")).to_have_count(0)
    expect(page.locator(f"{row} [data-action='archive']")).to_be_focused()
    page.click(f"{row} [data-action='archive']")
    page.click(f"{row} [data-action='confirm']")
    page.wait_for_selector(f"{row}[data-status='archived']")
    assert server.get(f"/portfolios/{portfolio_id}")["summary"]["status"] == "archived"
    assert page.query_selector(f"#portfolio-switcher option[value='{portfolio_id}']") is None
    page.click(f"{row} [data-action='unarchive']")
    page.click(f"{row} [data-action='confirm']")
    page.wait_for_selector(f"{row}[data-status='active']")
    assert server.get(f"/portfolios/{portfolio_id}")["summary"]["status"] == "active"


def test_a_read_only_key_sees_the_list_without_controls(
    page: Page, dashboard_server: DashboardServer
) -> None:
    server = dashboard_server
    sign_in(page, server, server.reader, "portfolios")
    page.wait_for_selector("#portfolios-table")
    listed = server.get("/portfolios", server.reader, include_archived=True)
    rows = page.eval_on_selector_all(
        "#portfolios-table tbody tr", "rs => rs.map(r => Number(r.dataset.portfolio))"
    )
    assert rows == [p["id"] for p in listed]
    assert page.query_selector("#create-form") is None
    assert page.query_selector("[data-action='archive']") is None
    assert visible_trading_controls(page) == []


def test_the_list_shows_money_as_a_statement_and_realized_pnl_net_of_fees(
    page: Page, dashboard_server: DashboardServer
) -> None:
    server = dashboard_server
    portfolio_id = own_portfolio(
        server, "Fees desk", ticks=25, settings={"commission": "percent:0.1"}
    )
    summary = server.get(f"/portfolios/{portfolio_id}", server.reader)["summary"]
    assert Decimal(summary["fees_paid"]) > 0  # so gross and net differ
    sign_in(page, server, server.reader, "portfolios")
    row = f"#portfolios-table tr[data-portfolio='{portfolio_id}']"
    page.wait_for_selector(row)
    headers = page.eval_on_selector_all(
        "#portfolios-table thead th", "hs => hs.map(h => h.textContent)"
    )
    assert headers[3:6] == ["Equity", "Cash", "Realized P&L (net)"]
    cells = page.eval_on_selector_all(f"{row} td", "cs => cs.map(c => c.textContent)")
    currency = summary["base_currency"]
    # every amount names the currency, as Equity did alone before
    assert cells[3:6] == [
        f"{money_text(Decimal(summary['equity']), currency)} {currency}",
        f"{money_text(Decimal(summary['cash']), currency)} {currency}",
        f"{money_text(Decimal(summary['realized_pnl']) - Decimal(summary['fees_paid']), currency)}"
        f" {currency}",
    ]
