"""The signal panel in a real browser against a real server: a signal appears live when a tick
makes one, with the figures of the API and of the bundled bars; the router's refusal is shown
with its reason; one click (a double click, even) executes it exactly once with the quantity
the user set, and the position follows; a read-only key sees the signals but no control."""

from __future__ import annotations

from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from typing import Any

from browser_support import DashboardServer, PageProblems, sign_in, visible_trading_controls
from playwright.sync_api import Page, expect
from trading_support import (
    STARTING_CASH,
    bundled_close,
    choose_portfolio,
    create_portfolio,
    orders_of,
    shown,
    tick,
)

SIZE_PERCENT = Decimal("0.80")  # the default sizer: 80 % of equity


def test_a_signal_arrives_live_and_one_click_executes_it_once(
    page: Page, dashboard_server: DashboardServer, page_problems: PageProblems
) -> None:
    server = dashboard_server
    # the router's refusal of a plan is an answer the panel shows, not a failure
    page_problems.allow("/execute/preview", 422)
    # pyramiding on: a second request of the same click WOULD place a second order
    portfolio_id = create_portfolio(server, pyramiding=True)
    sign_in(page, server, server.trader, "signals")
    choose_portfolio(page, portfolio_id, "signals")
    page.wait_for_selector("#no-signals")
    page.wait_for_selector("#connection[data-state='open']")

    report = tick(server, portfolio_id)  # the 2020-01-02 bar: a long signal, its entry order
    card = page.locator("article.signal").first
    expect(card).to_be_visible(timeout=15_000)  # came over /ws/trading: no reload
    [signal] = server.get(f"/portfolios/{portfolio_id}/signals")["items"]
    assert card.get_attribute("data-signal-id") == str(signal["id"])
    assert signal["entry"] == str(bundled_close("2020-01-02"))  # the bar's close, from the file
    expect(card.locator(".direction")).to_have_text("▲ long")
    expect(card.locator(".strategy")).to_have_text("macd-cross")
    expect(card.locator(".metric.confidence dd")).to_have_text(f"{signal['confidence']:.0%}")
    expect(card.locator(".metric.entry dd")).to_have_text(shown(signal["entry"]))
    expect(card.locator(".metric.stop dd")).to_have_text("—")  # macd-cross sets no stop
    expect(card.locator(".decision")).to_have_text("accepted")
    # the API's times are UTC, and the card says so (as the order manager's titles do)
    stamp = signal["ts"].replace("T", " ")[:16]
    expect(card.locator("header time")).to_have_text(f"{stamp} UTC")

    # Cancel the strategy's own entry; the plan's quantity is the sizing rules' (80 % of the
    # equity at the last close, whole shares), computed here from the bundled close.
    [entry] = report["orders"]
    server.api("DELETE", f"/portfolios/{portfolio_id}/orders/{entry['order_id']}", server.trader)
    close = bundled_close("2020-01-02")
    sized = (STARTING_CASH * SIZE_PERCENT / close).to_integral_value(ROUND_FLOOR)
    preview_path = f"/portfolios/{portfolio_id}/signals/{signal['id']}/execute/preview"
    plan = server.get(preview_path, server.trader)
    assert Decimal(plan["quantity"]) == sized
    quantity = card.locator("input.quantity")
    expect(quantity).to_have_value(plan["quantity"], timeout=10_000)

    # Edit it and double-click Execute: exactly one order, of the edited quantity.
    before = {o["order_id"] for o in orders_of(server, portfolio_id)}
    quantity.fill("5")
    expect(card.locator("button.execute")).to_be_enabled(timeout=10_000)
    card.locator("button.execute").dblclick()
    expect(card.locator(".execution .outcome")).to_contain_text("placed", timeout=10_000)
    page.wait_for_load_state("networkidle")
    placed = [o for o in orders_of(server, portfolio_id) if o["order_id"] not in before]
    assert len(placed) == 1, placed
    assert placed[0]["quantity"] == "5"
    assert placed[0]["side"] == "buy"
    assert f"signal {signal['id']} executed by user" in placed[0]["reason"]
    expect(card.locator(".execution .outcome")).to_have_text(
        f"placed {placed[0]['order_id']} buy 5 SPY market"
    )

    # The next bar fills it (and makes a short signal: the strategy's exit of those 5).
    tick(server, portfolio_id)
    page.click("nav a[data-route='orders']")
    row = page.locator("#positions tr[data-symbol='SPY']")
    expect(row).to_be_visible(timeout=10_000)
    expect(row.locator("td").nth(1)).to_have_text("5")

    # Once that exit filled, the short signal has nothing to close in a long-only book: the
    # router refuses it, and the panel shows the API's reason.
    tick(server, portfolio_id)
    page.click("nav a[data-route='signals']")
    newest = page.locator("article.signal").first
    expect(newest.locator(".direction")).to_have_text("▼ short", timeout=10_000)
    short_id = newest.get_attribute("data-signal-id")
    refusal = server.api(
        "GET", f"/portfolios/{portfolio_id}/signals/{short_id}/execute/preview", server.trader
    )
    assert refusal.status_code == 422, refusal.text
    reason = f"{refusal.json()['message']} ({refusal.json()['code']})"
    expect(newest.locator(".execution .refusal")).to_have_text(reason, timeout=10_000)
    expect(newest.locator("button.execute")).to_be_disabled()


def test_a_forex_signal_shows_its_bracket_in_lots_and_pips(
    page: Page, dashboard_server: DashboardServer, page_problems: PageProblems
) -> None:
    server = dashboard_server
    # the panel first opens on the shared portfolio, whose newest signal the router may refuse
    page_problems.allow("/execute/preview", 422)
    created = server.post(
        "/portfolios",
        {
            "name": "forex signals",
            "cash": "10000",
            "symbols": ["EURUSD"],
            "strategies": ["macd-cross"],
            "params": ["stop_atr=1.5", "target_atr=3"],  # ATR stop and target: a bracket
            # no exposure cap and no cash check: the strategy's entry, still working, takes
            # the default cap's room and the cash, which the click's entry beside it counts
            # (not this test's subject)
            "settings": {"source": "replay", "replay_from": "2018-01-02", "timeframe": "1h",
                         "sizer": "risk", "risk_pct": "1", "pyramiding": True,
                         "exposure_cap": "none", "cash_check": "off"},
        },
    )  # fmt: skip
    portfolio_id = int(created["summary"]["id"])
    signals: list[dict[str, Any]] = []
    while not any(s["direction"] == 1 for s in signals):  # a short refused, then a long
        tick(server, portfolio_id)
        signals = server.get(f"/portfolios/{portfolio_id}/signals")["items"]
    long_signal = signals[-1]
    refused = next(s for s in signals if s["decision"] == "rejected")
    sign_in(page, server, server.trader, "signals")
    choose_portfolio(page, portfolio_id, "signals")

    rejected_card = page.locator(f"article.signal[data-signal-id='{refused['id']}']")
    expect(rejected_card.locator(".decision")).to_have_text(
        f"rejected: {refused['decision_reason']}", timeout=10_000
    )
    card = page.locator(f"article.signal[data-signal-id='{long_signal['id']}']")
    entry, stop, target = (Decimal(long_signal[k]) for k in ("entry", "stop", "target"))
    ratio = abs(target - entry) / abs(entry - stop)  # reward-to-risk, computed here
    expect(card.locator(".metric.reward-risk dd")).to_have_text(f"{ratio:.2f}")
    expect(card.locator(".metric.stop dd")).to_have_text(shown(long_signal["stop"]))
    expect(card.locator(".metric.target dd")).to_have_text(shown(long_signal["target"]))

    plan = server.get(f"/portfolios/{portfolio_id}/signals/{long_signal['id']}/execute/preview")
    price, units = Decimal(plan["price"]), Decimal(plan["quantity"])
    pip, tick_size = Decimal("0.0001"), Decimal("0.00001")
    [planned] = plan["planned"]  # the legs on the tick against the trader, as the strategy's
    legs = Decimal(planned["stop_loss"]), Decimal(planned["take_profit"])
    assert legs == (
        stop.quantize(tick_size, ROUND_FLOOR),
        target.quantize(tick_size, ROUND_CEILING),
    )
    assert Decimal(plan["lots"]) == units / 100_000  # a standard lot
    assert Decimal(plan["stop_pips"]) == (price - legs[0]) / pip
    assert Decimal(plan["target_pips"]) == (legs[1] - price) / pip
    expect(card.locator("input.quantity")).to_have_value(plan["quantity"], timeout=10_000)
    expect(card.locator(".plan")).to_contain_text(f"{plan['lots']} lots")
    expect(card.locator(".plan")).to_contain_text(f"stop {plan['stop_pips']} pips")
    expect(card.locator(".plan")).to_contain_text(f"target {plan['target_pips']} pips")
    expect(card.locator(".plan .planned")).to_contain_text(
        f"stop-loss {planned['stop_loss']} · take-profit {planned['take_profit']}"
    )


def test_a_read_only_key_sees_the_signals_but_no_trading_control(
    page: Page, dashboard_server: DashboardServer
) -> None:
    server = dashboard_server
    portfolio_id = create_portfolio(server)
    for _ in range(2):  # a long signal, then a short one; an order is working
        tick(server, portfolio_id)
    sign_in(page, server, server.reader, "signals")
    choose_portfolio(page, portfolio_id, "signals")
    expect(page.locator("article.signal")).to_have_count(2, timeout=10_000)
    assert visible_trading_controls(page) == []
    assert page.locator(".execution, button.open-execution, input.quantity").count() == 0
    page.click("nav a[data-route='orders']")
    expect(page.locator("#positions tr[data-symbol='SPY']")).to_be_visible(timeout=10_000)
    expect(page.locator("#open-orders tr[data-order-id]")).to_have_count(1)
    assert visible_trading_controls(page) == []
    assert page.locator("#order-ticket, button.cancel-order, button.close-position").count() == 0
