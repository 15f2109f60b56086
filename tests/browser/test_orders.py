"""The order manager in a real browser against a real server: positions with the API's
unrealized P&L kept live by the stream; closing part of a position, then the rest, moves it to
the closed trades; a resting order modified and canceled; the ticket's own checks and the API's
refusal shown next to the field; screenshots of both trading views at desktop and phone
widths, light and dark."""

from __future__ import annotations

from decimal import Decimal
from typing import Any
from urllib.parse import urlsplit

from browser_support import (
    PHONE,
    DashboardServer,
    PageProblems,
    screenshot,
    settle,
    sign_in,
)
from playwright.sync_api import Locator, Page, Route, expect
from trading_support import (
    choose_portfolio,
    create_portfolio,
    money_shown,
    orders_of,
    show_a_working_exit,
    shown,
    tick,
)


def _position(server: DashboardServer, portfolio_id: int) -> dict[str, Any]:
    [position] = server.get(f"/portfolios/{portfolio_id}/positions")
    assert position["symbol"] == "SPY"
    return dict(position)


def _cells(row: Locator) -> list[str]:
    return [text.strip() for text in row.locator("td").all_inner_texts()]


def test_closing_part_then_all_of_a_position_moves_it_to_the_history(
    page: Page, dashboard_server: DashboardServer
) -> None:
    server = dashboard_server
    portfolio_id = create_portfolio(server)
    tick(server, portfolio_id)  # long signal: a market buy
    tick(server, portfolio_id)  # it fills; the short signal places the strategy's exit
    [exit_order] = [o for o in orders_of(server, portfolio_id) if o["status"] == "accepted"]
    sign_in(page, server, server.trader, "orders")
    choose_portfolio(page, portfolio_id, "orders")
    page.wait_for_selector("#connection[data-state='open']")

    position = _position(server, portfolio_id)
    row = page.locator("#positions tr[data-symbol='SPY']")
    expect(row.locator("td").nth(1)).to_have_text(shown(position["quantity"]), timeout=10_000)
    expect(row.locator("td").nth(5)).to_have_text(money_shown(position["unrealized_pnl"]))
    expect(
        page.locator(f"#open-orders tr[data-order-id='{exit_order['order_id']}']")
    ).to_be_visible()

    # More than is held: the page says so and sends nothing.
    row.locator("input.close-quantity").fill("1000")
    row.locator("button.close-position").click()
    expect(row.locator(".error")).to_contain_text("more than the position")
    assert len(orders_of(server, portfolio_id)) == 2

    # Close 10: the strategy's exit (sized for the whole position) is canceled, a sell of 10 works.
    row.locator("input.close-quantity").fill("10")
    row.locator("button.close-position").click()
    expect(
        page.locator(f"#open-orders tr[data-order-id='{exit_order['order_id']}']")
    ).to_have_count(0, timeout=10_000)
    orders = orders_of(server, portfolio_id)
    working = [o for o in orders if o["status"] == "accepted"]
    assert [(o["side"], o["quantity"], o["type"]) for o in working] == [("sell", "10", "market")]
    expect(
        page.locator(f"#open-orders tr[data-order-id='{working[0]['order_id']}']")
    ).to_be_visible()

    # The next bar fills it: the page follows from the stream alone (no reload, no click).
    tick(server, portfolio_id)
    after = _position(server, portfolio_id)
    assert after["quantity"] == str(int(position["quantity"]) - 10)
    expect(row.locator("td").nth(1)).to_have_text(shown(after["quantity"]), timeout=10_000)
    expect(row.locator("td").nth(5)).to_have_text(money_shown(after["unrealized_pnl"]))
    # a partial close is a fill, not yet a round trip: the fills show it, the trades not yet
    fills = server.get(f"/portfolios/{portfolio_id}/fills")["items"]
    assert [(f["side"], f["quantity"]) for f in fills] == [
        ("buy", position["quantity"]),
        ("sell", "10"),
    ]
    fill_rows = page.locator("#history-fills tbody tr")
    expect(fill_rows).to_have_count(2, timeout=10_000)
    assert _cells(fill_rows.nth(1))[2:6] == ["SPY", "sell", "10", shown(fills[1]["price"])]
    page.click("#history button[data-resource='trades']")
    expect(page.locator("#history-trades tbody tr.empty")).to_have_count(1, timeout=10_000)

    # Close the rest (no quantity: all of it); the next bar ends the round trip: one trade of
    # the whole position, in the history, and no position left.
    row.locator("button.close-position").click()
    expect(page.locator("#open-orders tr[data-order-id]")).to_have_count(1, timeout=10_000)
    tick(server, portfolio_id)
    expect(page.locator("#positions tr[data-symbol]")).to_have_count(0, timeout=10_000)
    assert server.get(f"/portfolios/{portfolio_id}/positions") == []
    [trade] = server.get(f"/portfolios/{portfolio_id}/trades")["items"]
    assert trade["quantity"] == position["quantity"]
    # the realized P&L is labelled gross, beside the fees and the net (gross - fees)
    summary = server.get(f"/portfolios/{portfolio_id}")["summary"]
    for kpi, label, key in (
        ("realized", "Realized P&L (gross)", "realized_pnl"),
        ("fees", "Fees", "fees_paid"),
        ("realized_net", "Realized P&L (net)", "realized_pnl_net"),
    ):
        card = page.locator(f"#order-summary [data-kpi='{kpi}']")
        expect(card.locator(".hint")).to_have_text(label)
        expect(card.locator("strong")).to_have_text(money_shown(summary[key]), timeout=10_000)
    trade_rows = page.locator("#history-trades tbody tr:not(.empty)")
    expect(trade_rows).to_have_count(1, timeout=10_000)
    assert _cells(trade_rows.first)[1:7] == [
        "SPY",
        "long",
        shown(position["quantity"]),
        shown(trade["entry_price"]),
        shown(trade["exit_price"]),
        money_shown(trade["pnl"]),
    ]


def test_an_earlier_read_answered_late_never_covers_a_newer_one(
    page: Page, dashboard_server: DashboardServer
) -> None:
    # The view re-reads the book at each stream event and after each action, so two reads can
    # be in flight and the server may answer the later first. Here the first read after the
    # position closes is held, a later read shows the closed book, and then the held read is
    # answered with the book as it was before: the page must keep the newer state (it used
    # to show the older one until the next change: a position that was gone, still shown).
    server = dashboard_server
    portfolio_id, _ = show_a_working_exit(page, server)  # SPY held, the strategy's exit working
    page.wait_for_selector("#connection[data-state='open']")
    positions = page.locator("#positions tr[data-symbol]")
    fill_rows = page.locator("#history-fills tbody tr:not(.empty)")
    expect(positions).to_have_count(1, timeout=10_000)
    expect(fill_rows).to_have_count(1, timeout=10_000)
    before = {
        "detail": server.get(f"/portfolios/{portfolio_id}"),
        "fills": server.get(f"/portfolios/{portfolio_id}/fills", limit=25),
    }
    assert len(before["detail"]["positions"]) == 1
    assert len(before["fills"]["items"]) == 1

    held: dict[str, Route] = {}

    def hold_the_first(kind: str, path: str) -> None:
        def handle(route: Route) -> None:
            if kind in held:
                route.continue_()
            else:
                held[kind] = route

        page.route(lambda url: urlsplit(url).path == path, handle)

    base = f"/api/v1/portfolios/{portfolio_id}"
    hold_the_first("detail", base)
    hold_the_first("fills", f"{base}/fills")
    tick(server, portfolio_id)  # the exit fills: the position closes (both reads are held)
    for _ in range(200):
        if len(held) == 2:
            break
        page.wait_for_timeout(50)
    assert sorted(held) == ["detail", "fills"], f"the page asked for {sorted(held)} only"

    tick(server, portfolio_id)  # the next bar: the book is read again, answered at once
    expect(positions).to_have_count(0, timeout=10_000)
    page.click("#history button[data-resource='fills']")  # the fills asked again
    expect(fill_rows).to_have_count(2, timeout=10_000)

    for kind, route in held.items():
        asked = route.request
        with page.expect_response(lambda response, asked=asked: response.request == asked):
            route.fulfill(json=before[kind])  # the earlier reads' answers arrive last
    page.wait_for_timeout(500)  # each answer's handler has run (it runs as the answer lands)
    expect(positions).to_have_count(0, timeout=1)
    expect(fill_rows).to_have_count(2, timeout=1)
    expect(page.locator("#open-orders tr[data-order-id]")).to_have_count(0, timeout=1)


def test_the_ticket_checks_then_a_resting_order_is_modified_and_canceled(
    page: Page, dashboard_server: DashboardServer, page_problems: PageProblems
) -> None:
    server = dashboard_server
    # no exposure cap: the strategy's entry, still working, takes the default cap's room,
    # which a person's entry beside it counts (not this test's subject)
    portfolio_id = create_portfolio(server, exposure_cap="none")
    tick(server, portfolio_id)  # the book has a last price (and the strategy's entry)
    page_problems.allow(f"/portfolios/{portfolio_id}/orders", 422)  # refusals the test provokes
    sign_in(page, server, server.trader, "orders")
    choose_portfolio(page, portfolio_id, "orders")
    ticket = page.locator("#order-ticket")
    count = len(orders_of(server, portfolio_id))

    # The page's own checks: the prices a stop-limit needs, a bracket the wrong way round.
    ticket.locator("#ticket-type").select_option("stop_limit")
    ticket.locator("#ticket-quantity").fill("2")
    ticket.locator("#ticket-submit").click()
    expect(ticket.locator("[data-field='limit_price']")).to_contain_text("needs a limit price")
    expect(ticket.locator("[data-field='stop_price']")).to_contain_text("needs a stop price")
    ticket.locator("#ticket-type").select_option("market")
    ticket.locator("#ticket-bracket").check()
    ticket.locator("#ticket-stop_loss").fill("300")
    ticket.locator("#ticket-take_profit").fill("200")
    ticket.locator("#ticket-submit").click()
    expect(ticket.locator("[data-field='stop_loss']")).to_contain_text("below its take-profit")
    assert len(orders_of(server, portfolio_id)) == count  # nothing was sent
    ticket.locator("#ticket-bracket").uncheck()
    # a negative amount is a number, only not a positive one (it said "'-3' is not a decimal
    # number such as 300.5"); text is not a number
    ticket.locator("#ticket-quantity").fill("-3")
    ticket.locator("#ticket-submit").click()
    expect(ticket.locator("[data-field='quantity']")).to_have_text("quantity must be positive")
    ticket.locator("#ticket-quantity").fill("two")
    ticket.locator("#ticket-submit").click()
    expect(ticket.locator("[data-field='quantity']")).to_have_text(
        "quantity 'two' is not a decimal number such as 300.5"
    )
    ticket.locator("#ticket-quantity").fill("2")
    assert len(orders_of(server, portfolio_id)) == count

    # What only the server knows (the tick size) comes back in the API's words, by the field.
    body = {"symbol": "SPY", "side": "buy", "quantity": "2", "type": "limit",
            "limit_price": "200.001", "time_in_force": "gtc"}  # fmt: skip
    refused = server.api("POST", f"/portfolios/{portfolio_id}/orders", server.trader, json=body)
    assert refused.status_code == 422, refused.text
    message = f"{refused.json()['message']} ({refused.json()['code']})"
    ticket.locator("#ticket-type").select_option("limit")
    ticket.locator("#ticket-limit_price").fill("200.001")
    ticket.locator("#ticket-submit").click()
    expect(ticket.locator("[data-field='limit_price']")).to_have_text(message, timeout=10_000)
    assert len(orders_of(server, portfolio_id)) == count

    # A limit far below the price rests; it shows among the working orders.
    ticket.locator("#ticket-limit_price").fill("200")
    ticket.locator("#ticket-submit").click()
    expect(ticket.locator("#ticket-outcome")).to_contain_text("placed", timeout=10_000)
    [placed] = [o for o in orders_of(server, portfolio_id) if o["type"] == "limit"]
    assert (placed["side"], placed["quantity"], placed["limit_price"]) == ("buy", "2", "200")
    row = page.locator(f"#open-orders tr[data-order-id='{placed['order_id']}']")
    expect(row).to_be_visible(timeout=10_000)

    # Modify: a quantity that is not whole lots is refused in the API's words, by the field...
    path = f"/portfolios/{portfolio_id}/orders/{placed['order_id']}"
    page_problems.allow(path, 422)
    refused = server.api("PATCH", path, server.trader, json={"quantity": "2.5"})
    assert refused.status_code == 422, refused.text
    # From the keyboard: Modify puts the caret in the form, Escape closes it as Back does and
    # gives the focus back to Modify.
    row.locator("button.modify-order").click()
    form = row.locator("form.modify-form")
    expect(form.locator("input[name='quantity']")).to_be_focused()
    page.keyboard.press("Escape")
    expect(form).to_have_count(0)
    expect(row.locator("button.modify-order")).to_be_focused()
    row.locator("button.modify-order").click()
    form.locator("input[name='quantity']").fill("2.5")
    form.locator("button.save-order").click()
    expect(form.locator("[data-field='quantity']")).to_have_text(
        f"{refused.json()['message']} ({refused.json()['code']})", timeout=10_000
    )
    # ...a new limit price is taken.
    form.locator("input[name='quantity']").fill("2")
    form.locator("input[name='limit_price']").fill("201.5")
    form.locator("button.save-order").click()
    expect(row.locator("td").nth(5)).to_have_text("201.5", timeout=10_000)
    assert server.get(path)["limit_price"] == "201.5"

    # Cancel: the row goes, the order is canceled.
    row.locator("button.cancel-order").click()
    expect(row).to_have_count(0, timeout=10_000)
    assert server.get(path)["status"] == "canceled"
    page.click("#history button[data-resource='audit']")
    expect(page.locator("#history-audit")).to_contain_text("order.canceled", timeout=10_000)


def test_typing_in_a_modify_form_goes_on_after_the_stream_redraws_the_table(
    page: Page, dashboard_server: DashboardServer
) -> None:
    """The stream redraws the working orders on every event of the portfolio; the open modify
    form is kept, and so is its focus: what the user types next still lands in the field."""
    server = dashboard_server
    portfolio_id = create_portfolio(server, exposure_cap="none")  # as the test above
    tick(server, portfolio_id)
    resting = {"symbol": "SPY", "side": "buy", "quantity": "2", "type": "limit",
               "limit_price": "200", "time_in_force": "gtc"}  # fmt: skip
    placed = server.api("POST", f"/portfolios/{portfolio_id}/orders", server.trader, json=resting)
    assert placed.status_code == 201, placed.text
    sign_in(page, server, server.trader, "orders")
    choose_portfolio(page, portfolio_id, "orders")
    page.wait_for_selector("#connection[data-state='open']")
    [first] = [o["order_id"] for o in orders_of(server, portfolio_id) if o["type"] == "limit"]
    row = page.locator(f"#open-orders tr[data-order-id='{first}']")
    expect(row).to_be_visible(timeout=10_000)
    row.locator("button.modify-order").click()
    quantity = row.locator("form.modify-form input[name='quantity']")
    quantity.click()
    page.keyboard.press("End")
    page.keyboard.type("1")
    expect(quantity).to_have_value("21")

    # Another order's event: the table is drawn again with the new row.
    other = server.api(
        "POST", f"/portfolios/{portfolio_id}/orders", server.trader,
        json={**resting, "limit_price": "199"},
    )  # fmt: skip
    assert other.status_code == 201, other.text
    [second] = [
        o["order_id"] for o in orders_of(server, portfolio_id)
        if o["type"] == "limit" and o["order_id"] != first
    ]  # fmt: skip
    expect(page.locator(f"#open-orders tr[data-order-id='{second}']")).to_be_visible(timeout=10_000)
    page.keyboard.type("5")
    expect(quantity).to_have_value("215")
    expect(quantity).to_be_focused()


def test_screenshots_of_the_trading_views(
    page: Page, dashboard_server: DashboardServer, page_problems: PageProblems
) -> None:
    server = dashboard_server
    page_problems.allow("/execute/preview", 422)  # the newest signal's plan may be refused
    portfolio_id = create_portfolio(server)
    for _ in range(9):  # five signals, two round trips, and a position held
        tick(server, portfolio_id)
    server.post(
        f"/portfolios/{portfolio_id}/orders",
        {"symbol": "SPY", "side": "sell", "quantity": "3", "type": "limit", "limit_price": "400"},
    )
    sign_in(page, server, server.trader, "signals")
    choose_portfolio(page, portfolio_id, "signals")
    for theme in ("light", "dark"):
        page.emulate_media(color_scheme=theme)
        settle(page)  # a reload aborts requests still in flight (the plan's preview)
        page.reload()  # the theme follows the system's preference (the key stays for the tab)
        page.wait_for_selector("#view[data-view]")
        for device, size in (("desktop", {"width": 1366, "height": 768}), ("phone", PHONE)):
            page.set_viewport_size(size)  # type: ignore[arg-type]
            page.click("nav a[data-route='signals']")
            expect(page.locator("article.signal")).not_to_have_count(0, timeout=10_000)
            assert page.get_attribute("html", "data-theme") == theme
            screenshot(page, "signals", device, theme)
            page.click("nav a[data-route='orders']")
            expect(page.locator("#positions tr[data-symbol='SPY']")).to_be_visible(timeout=10_000)
            expect(page.locator("#open-orders tr[data-order-id]")).not_to_have_count(0)
            width = page.evaluate("() => document.documentElement.scrollWidth")
            assert width <= size["width"], f"{device}: the page is {width} px wide"
            screenshot(page, "orders", device, theme)


def test_the_history_pages_through_the_audit_log_and_filters_it(
    page: Page, dashboard_server: DashboardServer
) -> None:
    server = dashboard_server
    portfolio_id = create_portfolio(server)
    audit: list[dict[str, Any]] = []
    for _ in range(40):  # until the log is more than one page of the dashboard's 25
        tick(server, portfolio_id)
        audit = server.get(f"/portfolios/{portfolio_id}/audit", limit=500)["items"]
        if len(audit) > 30:
            break
    assert len(audit) > 30
    sign_in(page, server, server.reader, "orders")
    choose_portfolio(page, portfolio_id, "orders")
    page.click("#history button[data-resource='audit']")
    rows = page.locator("#history-audit tbody tr")

    def shown_ids() -> list[int]:
        return [int(_cells(rows.nth(i))[0]) for i in range(rows.count())]

    expect(rows).to_have_count(25, timeout=10_000)
    assert shown_ids() == [entry["id"] for entry in audit[:25]]
    page.click("#history button.page-next")
    expect(page.locator("#history .page-number")).to_have_text("page 2")
    expect(rows.first.locator("td").first).to_have_text(str(audit[25]["id"]))
    assert shown_ids() == [entry["id"] for entry in audit[25:50]]
    page.click("#history button.page-previous")
    expect(rows.first.locator("td").first).to_have_text(str(audit[0]["id"]))

    # the kind filter is the API's: an exact kind, or a prefix ending in a dot
    page.fill("#history input[name='kind']", "order.")
    page.click("#history .history-filters button[type='submit']")
    orders_only = [entry for entry in audit if entry["kind"].startswith("order.")]
    expect(rows).to_have_count(min(25, len(orders_only)), timeout=10_000)
    assert shown_ids() == [entry["id"] for entry in orders_only[:25]]


def test_the_summary_cards_keep_a_third_decimal_and_add_up(
    page: Page, dashboard_server: DashboardServer
) -> None:
    # a per-share fee of 0.0055 puts a third decimal into the fees and the cash: each card shows
    # the exact amount (grouped, trailing zeros beyond the cents dropped), so gross - fees = net
    server = dashboard_server
    portfolio_id = create_portfolio(server, commission="per-share:0.0055")
    for _ in range(3):  # a buy, its exit, the round trip closed
        tick(server, portfolio_id)
    summary = server.get(f"/portfolios/{portfolio_id}")["summary"]
    fees = Decimal(summary["fees_paid"])
    assert fees != fees.quantize(Decimal("0.01"))  # the scenario has a third decimal
    sign_in(page, server, server.trader, "orders")
    choose_portfolio(page, portfolio_id, "orders")
    cards = page.locator("#order-summary")
    expect(cards.locator("[data-kpi='fees'] strong")).to_have_text(
        money_shown(summary["fees_paid"]), timeout=10_000
    )

    def card(kpi: str) -> Decimal:
        text = cards.locator(f"[data-kpi='{kpi}'] strong").inner_text()
        return Decimal(text.replace(",", ""))

    assert card("fees") == fees
    assert card("cash") == Decimal(summary["cash"])
    assert card("realized") - card("fees") == card("realized_net")
    assert card("realized_net") == Decimal(summary["realized_pnl_net"])
    assert cards.locator("[data-kpi='cash'] strong").inner_text() == money_shown(summary["cash"])
