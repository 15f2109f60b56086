"""The plans view (`#/plans`) against the real server: a bundled plan filtered shows the API's
audit row by row, a simulation shows the API's trades in a table and as entry and exit markers
on the candles (coloured by outcome), a short walk-forward over bundled March 2021 shows its
evidence, and a read key sees no execute or walk-forward control."""

from __future__ import annotations

import csv
from decimal import Decimal
from importlib import resources
from typing import Any

from browser_support import PHONE, DashboardServer, screenshot, visible_trading_controls
from playwright.sync_api import Locator, Page
from view_support import open_view

from paperdesk.domain.currencies import money_text

# Bundled SPY hours and minutes of October 2013 (tests/unit/api/test_api_simulations.py): row 1
# takes profit, row 2 touches both levels in one hour (the minutes decide), row 3's etth of 8
# days is beyond BALANCED's 6-day limit. Row 1's prices have one decimal, so its P&L is "7.0"
# in the API and 7.00 by the money rule.
PLAN = (
    "ticker,side,qty,entry_price,take_profit,stop_loss,strength,etth_days,entry_datetime\n"
    "SPY,buy,10,167.3,168.0,166.5,0.8,1,2013-10-10T13:00:00Z\n"
    "SPY,buy,10,165.00,165.20,164.60,0.6,2,2013-10-09T15:00:00Z\n"
    "SPY,buy,10,167.43,170,166,0.9,8,2013-10-07T13:00:00Z\n"
)
JOB_WAIT_MS = 180_000  # a bound on waiting for a job, never an assertion about speed
WALK_DAYS = ("2021-03-02", "2021-03-03", "2021-03-04")


def _cells(row: Locator) -> list[str]:
    return [text.strip() for text in row.locator("td").all_inner_texts()]


def _fill_plan(page: Page, mode: str) -> None:
    page.fill("#plan-text", PLAN)
    page.select_option("#plan-mode", mode)


def test_a_filtered_plan_shows_the_apis_audit(
    page: Page, dashboard_server: DashboardServer
) -> None:
    server = dashboard_server
    open_view(page, server, server.reader, "plans", server.portfolio_id)
    # before anything is filtered the sections say what fills them, not an empty heading
    assert page.inner_text("#plan-audit-box").startswith("No plan filtered yet")
    assert "rows the filter keeps" in page.inner_text("#plan-filtered-box")
    assert page.inner_text("#sim-status").startswith("Simulate runs the plan")
    # no empty Symbol select, and no chart credit under no chart, before a simulation
    assert page.is_hidden("#sim-symbol")
    assert page.is_hidden("#view .attribution")
    _fill_plan(page, "balanced")
    page.click("#plan-filter-button")
    page.wait_for_selector("#plan-audit tbody tr")
    expected = server.post(
        "/plans/filter",
        {"plan": PLAN, "name": "pasted", "mode": "balanced", "exposure_cap": "0.8",
         "capital": "100000"},
        token=server.reader,
    )  # fmt: skip
    rows = page.locator("#plan-audit tbody tr")
    assert rows.count() == 3
    for index, audit in enumerate(expected["audit"]["rows"]):
        shown = _cells(rows.nth(index))
        assert shown[0] == str(audit["row"])
        assert shown[5] == (audit["score"] or "—")
        assert shown[7] == audit["decision"]
        assert shown[9] == audit["reason"]
    decisions = {a["row"]: a["decision"] for a in expected["audit"]["rows"]}
    assert decisions[3] != "kept"  # beyond the mode's etth limit
    kept = page.locator("#plan-filtered tbody tr")
    assert [_cells(kept.nth(i))[0] for i in range(kept.count())] == [
        str(row["row"]) for row in expected["rows"]
    ]
    # a read key: no execute button, no walk-forward start
    assert page.is_hidden("#plan-execute-button")
    assert page.is_hidden("#wf-button")
    assert visible_trading_controls(page) == []


def test_a_simulation_shows_the_trades_and_their_markers(
    page: Page, dashboard_server: DashboardServer
) -> None:
    server = dashboard_server
    open_view(page, server, server.trader, "plans", server.portfolio_id)
    assert page.is_visible("#plan-execute-button")  # a trade key may execute
    _fill_plan(page, "intraday")
    page.click("#sim-button")
    page.wait_for_selector("#sim-trades tbody tr", timeout=JOB_WAIT_MS)
    page.wait_for_selector("#sim-chart[data-markers]")
    expected = server.post(
        "/simulations",
        {"plan": PLAN, "name": "pasted", "timeframe": "1h", "resolve_with": "1m",
         "mode": "intraday"},
        token=server.reader,
    )  # fmt: skip
    rows = page.locator("#sim-trades tbody tr")
    assert rows.count() == len(expected["trades"]) == 3
    for index, trade in enumerate(expected["trades"]):
        shown = _cells(rows.nth(index))
        assert (shown[0], shown[4], shown[8], shown[9]) == (
            str(trade["row"]), trade["outcome"], trade["exit_price"], _money(trade["pnl"]),
        )  # fmt: skip
    # P&L by the money rule, as the other tables show it (it was the API's bare text)
    assert any(_money(trade["pnl"]) != trade["pnl"] for trade in expected["trades"])
    assert f"P&L {_money(expected['summary']['pnl'])} · " in page.inner_text("#sim-status")
    # the simulation's symbols fill the choice; the chart and its credit show
    assert page.is_visible("#sim-symbol")
    offered = page.eval_on_selector_all("#sim-symbol option", "os => os.map(o => o.value)")
    assert offered == list(dict.fromkeys(t["ticker"] for t in expected["trades"]))
    assert page.is_visible("#view .attribution")
    drawn: dict[str, Any] = page.evaluate("() => window.paperdeskPlans.tradeChart()")
    assert drawn["candles"] > 0
    markers = drawn["markers"]
    assert sorted(m["id"] for m in markers) == sorted(
        f"{kind}-{t['row']}" for t in expected["trades"] for kind in ("entry", "exit")
    )
    colours = {m["outcome"]: m["color"] for m in markers}
    assert colours["TP"] != colours["EOD"]  # coloured by outcome
    entries = [m for m in markers if m["id"].startswith("entry")]
    assert {m["shape"] for m in entries} == {"arrowUp"}  # longs
    for device in ("desktop", "phone"):
        if device == "phone":
            page.set_viewport_size(PHONE)
        page.locator("#sim-chart").scroll_into_view_if_needed()
        screenshot(page, "plans-simulation", device, "light")


def _money(value: str) -> str:
    """A walk-forward's or a simulation's money as the page shows it: the money rule with no
    currency (they keep none), at least two decimals, grouped."""
    return money_text(Decimal(value), None)


def _day_plans() -> list[dict[str, Any]]:
    """The hand-made daily plans of tests/unit/api/test_api_walk_forwards.py: SPY long at the
    previous session's close, target +0.6%, stop -0.6%."""
    name = "lean_SPY_1d.csv"
    with resources.files("paperdesk.data.bundled").joinpath(name).open(encoding="utf-8") as f:
        closes = {row["timestamp"][:10]: row["close"] for row in csv.DictReader(f)}
    sessions = sorted(closes)
    cent = Decimal("0.01")
    files = []
    for day in WALK_DAYS:
        close = Decimal(closes[sessions[sessions.index(day) - 1]])
        text = (
            "ticker,side,qty,entry_price,take_profit,stop_loss,strength,etth_days\n"
            f"SPY,buy,50,{close},{(close * Decimal('1.006')).quantize(cent)},"
            f"{(close * Decimal('0.994')).quantize(cent)},0.6,1\n"
        )
        files.append({"name": f"{day}.csv", "mimeType": "text/csv", "buffer": text.encode()})
    return files


def test_a_walk_forward_shows_its_evidence(page: Page, dashboard_server: DashboardServer) -> None:
    server = dashboard_server
    open_view(page, server, server.trader, "plans", server.portfolio_id)
    page.select_option("#plan-mode", "balanced")
    page.set_input_files("#wf-files", _day_plans())  # type: ignore[arg-type]
    page.fill("#wf-start", WALK_DAYS[0])
    page.fill("#wf-end", WALK_DAYS[-1])
    page.click("#wf-button")
    page.wait_for_selector("#wf-evidence:not([hidden])", timeout=JOB_WAIT_MS)
    assert page.get_attribute("#wf-progress", "data-done") == "3"
    assert page.get_attribute("#wf-progress", "data-total") == "3"
    run_id = page.get_attribute("#wf-evidence", "data-run-id")
    run = server.get(f"/walkforwards/{run_id}", server.trader)
    evidence = run["evidence"]
    summary = evidence["summary"]
    assert page.inner_text("[data-kpi='trades'] .figure-value") == str(summary["trades"])
    # money by the one money rule (no currency: at least two decimals, grouped)
    assert page.inner_text("[data-kpi='pnl'] .figure-value") == _money(summary["pnl"])
    assert page.inner_text("[data-kpi='final_equity'] .figure-value") == _money(
        summary["final_equity"]
    )
    months = page.locator("#wf-months tbody tr")
    assert [_cells(months.nth(i)) for i in range(months.count())] == [
        [m["month"], f"{m['return']}%", _money(m["pnl"])] for m in evidence["monthly_returns"]
    ]
    outcomes = page.locator("#wf-outcomes tbody tr")
    counted = dict(_cells(outcomes.nth(i)) for i in range(outcomes.count()))
    assert counted == {key: str(value) for key, value in evidence["outcomes"].items()}
    trades = page.locator("#wf-trades tbody tr")
    assert trades.count() == run["trades"]["total"] == 3
    assert [_cells(trades.nth(i))[8] for i in range(3)] == [
        _money(t["pnl"]) for t in run["trades"]["items"]
    ]
    plotted = page.evaluate("() => window.paperdeskPlans.equity()")
    assert [p["value"] for p in plotted["equity"]] == [
        float(point["equity"]) for point in evidence["equity"]
    ]
    assert [p["value"] for p in plotted["drawdown"]] == [
        float(point["drawdown"]) for point in evidence["equity"]
    ]
    page.emulate_media(color_scheme="dark")
    page.locator("#wf-evidence").scroll_into_view_if_needed()
    screenshot(page, "plans-walk-forward", "desktop", "dark")


EXECUTED_PLAN = (
    "ticker,side,qty,entry_price,take_profit,stop_loss,strength,etth_days,entry_datetime\n"
    "SPY,buy,10,389.58,400,380,0.8,1.0,2021-03-02T14:30:00Z\n"
    "AAPL,buy,20,127.79,135,120,0.6,1.5,2021-03-02T14:30:00Z\n"
)  # tests/unit/api/test_api_plans.py: the plan of 2021-03-02 for a replay at 2021-03-01


def test_a_trade_key_executes_the_plan_once(page: Page, dashboard_server: DashboardServer) -> None:
    server = dashboard_server
    created = server.post(
        "/portfolios",
        {"name": "Plan desk", "cash": "100000", "symbols": ["SPY", "AAPL"],
         "strategies": ["macd-cross"],
         "settings": {"source": "replay", "replay_from": "2021-03-01"}},
    )  # fmt: skip
    portfolio_id = int(created["summary"]["id"])
    server.post(f"/portfolios/{portfolio_id}/ticks", {})  # 2021-03-01's bars processed
    open_view(page, server, server.trader, "plans", portfolio_id)
    page.fill("#plan-text", EXECUTED_PLAN)
    page.select_option("#plan-mode", "conservative")
    page.click("#plan-filter-button")
    page.wait_for_selector("#plan-filtered tbody tr")
    page.click("#plan-execute-button")
    page.wait_for_selector("#plan-executed tbody tr")
    statuses = page.locator("#plan-executed tbody tr")
    assert {statuses.nth(i).get_attribute("data-status") for i in range(statuses.count())} == {
        "placed"
    }
    orders = server.get(f"/portfolios/{portfolio_id}/orders", server.trader)
    items = orders["items"] if isinstance(orders, dict) else orders
    entries = sorted(o["client_order_id"] for o in items if o["role"] == "entry")
    assert entries == ["plan-20210302-r1", "plan-20210302-r2"]
    # a second click places nothing twice
    page.click("#plan-execute-button")
    page.wait_for_selector("#plan-executed tr[data-status='already placed']")
    again = server.get(f"/portfolios/{portfolio_id}/orders", server.trader)
    assert len(again["items"] if isinstance(again, dict) else again) == len(items)
