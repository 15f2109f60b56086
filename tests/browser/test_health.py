"""The data and health view against the real server and a real ``paperdesk worker``: the
worker's last round and tick of a portfolio as GET /worker reports them, the providers with
their quotas and circuits, the quality report of the portfolio's symbol, the stream state."""

from __future__ import annotations

import subprocess

from browser_support import CLI, DashboardServer
from playwright.sync_api import Page
from view_support import UNDEFINED, open_view, own_portfolio, screenshots, utc_minutes


def test_health_shows_the_workers_tick_the_providers_and_the_quality(
    page: Page, dashboard_server: DashboardServer
) -> None:
    server = dashboard_server
    portfolio_id = own_portfolio(server, "Worked desk")
    finished = subprocess.run(  # one round of the real worker on this portfolio
        [*CLI, "worker", "--once", "--portfolio", str(portfolio_id)],
        env=server.environment, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert finished.returncode == 0, finished.stderr
    page.emulate_media(color_scheme="dark")
    open_view(page, server, server.reader, "health", portfolio_id)

    status = server.get("/worker", server.reader)
    work = next(p for p in status["portfolios"] if p["portfolio_id"] == portfolio_id)
    tick = work["last_tick"]
    assert tick is not None
    assert work["ticks"] == 1
    assert work["last_round_at"] is not None
    row = f"#worker-table tr[data-portfolio='{portfolio_id}']"
    page.wait_for_selector(row)
    assert page.inner_text(f"{row} [data-cell='last-round']") == utc_minutes(work["last_round_at"])
    assert page.inner_text(f"{row} [data-cell='next-due']") == utc_minutes(work["next_due_at"])
    assert page.inner_text(f"{row} [data-cell='last-tick']") == (
        f"{tick['symbol']} bar {utc_minutes(tick['ts_bar'])} · {tick['outcome']}"
    )
    assert page.inner_text(f"{row} [data-cell='ticks']") == "1"

    providers = server.get("/market-data/providers", server.reader)
    page.wait_for_selector("#providers-table")
    names = page.eval_on_selector_all(
        "#providers-table tbody tr", "rs => rs.map(r => r.dataset.provider)"
    )
    assert names == [p["name"] for p in providers]
    for provider in providers:
        circuit = page.inner_text(f"tr[data-provider='{provider['name']}'] [data-cell='circuit']")
        assert circuit.startswith(provider["circuit"] or UNDEFINED)

    quality = server.get("/market-data/SPY/quality", server.reader, timeframe="1d")
    page.wait_for_selector("#quality-report [data-symbol='SPY']")
    bars = page.inner_text("#quality-report [data-fact='Bars']")
    assert bars.startswith(f"{quality['bars']} (")
    missing = page.inner_text("#quality-report [data-fact='Missing bars']")
    assert missing == f"{quality['missing_bars']} in {len(quality['gaps'])} gap(s)"
    # the portfolio is a replay: its series says where the replay stands, and is not stale
    # (the bundled file's last bar is years old by the wall clock); without the portfolio no
    # live portfolio trades it: history, not stale either
    assert (quality["feed_stale"], quality["history"]) == (False, True)
    seen = server.get(
        "/market-data/SPY/quality", server.reader, timeframe="1d", portfolio=str(portfolio_id)
    )
    assert seen["replay"] is not None
    assert seen["replay"]["served"] >= 1
    replay = page.inner_text("#quality-report [data-fact='Replay']")
    assert replay == seen["replay"]["text"]
    assert page.locator("#quality-report [data-fact='Feed']").count() == 0
    assert "stale" not in page.inner_text("#quality-report")

    page.wait_for_selector("#health-stream-state[data-state='open']")
    page.wait_for_selector("#readiness li[data-check='database'][data-ok='true']")
    screenshots(page, "health", "#worker-table")
