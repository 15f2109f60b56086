"""The app shell in a real browser against a real server: sign in and out, a refused key, the
key kept for the tab only, routes, the portfolio switcher, the theme, a read-only key."""

from __future__ import annotations

from browser_support import (
    PHONE,
    DashboardServer,
    PageProblems,
    sign_in,
    visible_trading_controls,
)
from playwright.sync_api import Page, Route


def test_a_good_key_signs_in_and_shows_the_app(
    page: Page, dashboard_server: DashboardServer
) -> None:
    sign_in(page, dashboard_server, dashboard_server.trader)
    assert page.inner_text("#who") == "browser trade · trade"
    # the switcher offers exactly the portfolios the API lists for this key
    listed = dashboard_server.get("/portfolios", dashboard_server.trader)
    options = page.eval_on_selector_all(
        "#portfolio-switcher option", "os => os.map(o => [Number(o.value), o.textContent])"
    )
    assert options == [[p["id"], f"{p['name']} (#{p['id']})"] for p in listed]
    assert dashboard_server.portfolio_id in [p["id"] for p in listed]
    # the key is kept for the tab (sessionStorage), never in localStorage
    stored = page.evaluate("() => sessionStorage.getItem('paperdesk.apiKey')")
    assert stored == dashboard_server.trader
    assert page.evaluate("() => localStorage.length") == 0
    page.wait_for_selector("#connection[data-state='open']")
    # the API's docs are a click away, in a new tab, on this server
    docs = page.locator("#api-docs")
    assert docs.inner_text() == "API docs"
    assert docs.get_attribute("target") == "_blank"
    href = docs.evaluate("link => link.href")
    assert href == f"{dashboard_server.base_url}/api/v1/docs"
    assert page.request.get(href).ok
    # a reload stays signed in (same tab)
    page.reload()
    page.wait_for_selector("#view[data-view='chart']")
    assert page.inner_text("#who") == "browser trade · trade"


def test_a_wrong_key_is_refused_with_the_apis_message(
    page: Page, dashboard_server: DashboardServer, page_problems: PageProblems
) -> None:
    page_problems.allow("/api/v1/me", 401)
    wrong = "pd_this-key-does-not-exist"
    answer = dashboard_server.api("GET", "/me", wrong)
    assert answer.status_code == 401
    expected = f"{answer.json()['message']} ({answer.json()['code']})"
    page.goto(f"{dashboard_server.base_url}/")
    page.fill("#api-key", wrong)
    page.click("#sign-in-button")
    page.wait_for_function("() => document.querySelector('#sign-in-error').textContent !== ''")
    assert page.inner_text("#sign-in-error") == expected
    assert page.query_selector("#view") is None  # still on the sign-in form
    assert page.evaluate("() => sessionStorage.getItem('paperdesk.apiKey')") is None


def test_a_key_in_the_address_signs_in_once_and_leaves_the_address_bar(
    page: Page, dashboard_server: DashboardServer
) -> None:
    page.goto(f"{dashboard_server.base_url}/#key={dashboard_server.reader}")
    page.wait_for_selector("#view[data-view='chart']")
    assert dashboard_server.reader not in page.url
    assert page.url.endswith("#/chart")
    stored = page.evaluate("() => sessionStorage.getItem('paperdesk.apiKey')")
    assert stored == dashboard_server.reader
    page.wait_for_load_state("networkidle")  # the chart's requests, before leaving the page
    page.go_back()  # the entry was replaced, not pushed: Back leads off the dashboard
    assert dashboard_server.reader not in page.url


def test_a_key_link_opened_in_the_sign_in_tab_signs_in(
    page: Page, dashboard_server: DashboardServer
) -> None:
    # the tab already shows the form: the link changes only the hash (no reload)
    page.goto(f"{dashboard_server.base_url}/")
    page.wait_for_selector("#sign-in")
    page.evaluate(f"() => {{ window.location.hash = '#key={dashboard_server.reader}'; }}")
    page.wait_for_selector("#view[data-view='chart']")
    assert page.inner_text("#who") == "browser read · read"
    assert dashboard_server.reader not in page.url
    page.wait_for_load_state("networkidle")  # the chart's requests, before leaving the page


def test_sign_out_forgets_the_key(page: Page, dashboard_server: DashboardServer) -> None:
    sign_in(page, dashboard_server, dashboard_server.reader)
    page.click("#sign-out")
    page.wait_for_selector("#sign-in")
    assert page.evaluate("() => sessionStorage.getItem('paperdesk.apiKey')") is None
    page.wait_for_load_state("networkidle")  # the unmounted chart's last requests answered
    page.reload()
    page.wait_for_selector("#sign-in")  # nothing signs it back in


def test_routes_switch_views_and_the_theme_toggles(
    page: Page, dashboard_server: DashboardServer
) -> None:
    sign_in(page, dashboard_server, dashboard_server.reader)
    for route in ("signals", "orders", "performance", "portfolios", "health", "chart"):
        page.click(f"nav a[data-route='{route}']")
        page.wait_for_selector(f"#view[data-view='{route}']")
        assert page.get_attribute(f"nav a[data-route='{route}']", "aria-current") == "page"
        assert f"#/{route}" in page.url
    before = page.get_attribute("html", "data-theme")
    background = page.evaluate("() => getComputedStyle(document.body).backgroundColor")
    page.click("#theme-toggle")
    after = page.get_attribute("html", "data-theme")
    assert {before, after} == {"light", "dark"}
    assert page.evaluate("() => getComputedStyle(document.body).backgroundColor") != background


def test_the_theme_follows_the_system_preference_by_default(
    page: Page, dashboard_server: DashboardServer
) -> None:
    for scheme in ("dark", "light"):
        page.emulate_media(color_scheme=scheme)
        page.goto(f"{dashboard_server.base_url}/")
        page.wait_for_selector("#sign-in")
        assert page.get_attribute("html", "data-theme") == scheme


def test_a_read_only_key_sees_no_trading_controls(
    page: Page, dashboard_server: DashboardServer
) -> None:
    sign_in(page, dashboard_server, dashboard_server.reader)
    assert page.get_attribute("body", "data-can-trade") == "false"
    assert visible_trading_controls(page) == []


def test_the_shell_fits_a_phone_width(page: Page, dashboard_server: DashboardServer) -> None:
    page.set_viewport_size(PHONE)
    sign_in(page, dashboard_server, dashboard_server.trader)
    overflow = page.evaluate("() => document.documentElement.scrollWidth")
    assert overflow <= PHONE["width"]
    for selector in (
        "#portfolio-switcher",
        "#connection",
        "#api-docs",
        "#theme-toggle",
        "#sign-out",
    ):
        box = page.locator(selector).bounding_box()
        assert box is not None, selector
        assert box["x"] >= 0, selector
        assert box["x"] + box["width"] <= PHONE["width"], selector


def test_leaving_the_chart_while_it_loads_leaves_nothing_to_touch_a_removed_chart(
    page: Page, dashboard_server: DashboardServer
) -> None:
    # the chart view waits for the strategy's parameters (its indicator pane) and, before
    # drawing, for the portfolio and its timeframes; a view left while one of those answers
    # is in flight must not draw on the chart it removed (lightweight-charts throws "Object
    # is disposed": the page fixture fails on any uncaught exception)
    held: list[Route] = []
    page.route("**/api/v1/strategies/*", lambda route: held.append(route))
    sign_in(page, dashboard_server, dashboard_server.reader)
    page.click("nav a[data-route='chart']")
    page.wait_for_selector("#view[data-view='chart']")
    for _ in range(100):
        if held:
            break
        page.wait_for_timeout(50)
    assert held, "the chart never asked for its strategy's parameters"
    page.click("nav a[data-route='orders']")
    page.wait_for_selector("#view[data-view='orders']")
    for route in held:
        route.continue_()
    page.wait_for_timeout(500)  # the held answers arrive after the chart was removed
    # and switching back and forth quickly draws one chart, not two
    page.unroute("**/api/v1/strategies/*")
    page.click("nav a[data-route='chart']")
    page.click("#theme-toggle")
    page.wait_for_selector("#chart[data-ready='true']")
    assert page.locator("#chart > .tv-lightweight-charts").count() == 1
