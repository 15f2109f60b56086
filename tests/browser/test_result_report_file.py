"""A backtest's result report (``paperdesk backtest ... --report FILE``) in Playwright's
Chromium, opened from ``file://`` with every network request refused, in both themes at desktop
and phone width: hovering the equity chart shows the date and the equity of the point under the
pointer, the heat map and the histogram answer a hover too, and the console stays clean (a CSP
refusal of the inline script or style would be a console error).

Needs the browser fixtures of ``tests/browser/conftest.py``; without Playwright it is skipped."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

pytest.importorskip("playwright.sync_api")
browser_support = pytest.importorskip("browser_support")

from browser_support import DESKTOP, PHONE, PageProblems, screenshot, watch  # noqa: E402
from playwright.sync_api import Browser, Route  # noqa: E402

from paperdesk.service.backtests import run_backtest  # noqa: E402
from paperdesk.service.result_reports import backtest_report, write_result_report  # noqa: E402
from paperdesk.service.run_files import build_config  # noqa: E402


@pytest.fixture(scope="module")
def report_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    config = build_config(
        {
            "strategy": "macd-cross",
            "symbol": "SPY",
            "timeframe": "1d",
            "from": "2016-01-01",
            "to": "2019-12-31",
            "max_holding_bars": 15,
        },
        ["stop_atr=2", "target_atr=3"],
    )
    target = tmp_path_factory.mktemp("result-report") / "backtest.html"
    write_result_report(backtest_report(run_backtest(config)), target)
    return target


def test_the_page_answers_a_hover_from_a_file_with_no_network(
    browser: Browser, report_file: Path
) -> None:
    page_text = report_file.read_text(encoding="utf-8")
    start = page_text.index('id="report-data">') + len('id="report-data">')
    document = json.loads(page_text[start : page_text.index("</script>", start)])
    times = {point["time"][:10] for point in document["equity"]}
    for theme in ("light", "dark"):
        for device, size in (("desktop", DESKTOP), ("phone", PHONE)):
            context = browser.new_context(viewport=size, color_scheme=theme)  # type: ignore[arg-type]
            outside: list[str] = []

            def block(route: Route, seen: list[str] = outside) -> None:
                seen.append(route.request.url)
                route.abort()

            context.route("http*://**/*", block)
            page = context.new_page()
            problems = watch(page, PageProblems())
            page.goto(report_file.as_uri())
            readout = page.locator("#equity-readout")
            assert readout.inner_text().startswith("Hover")
            page.locator("svg[data-chart='equity']").hover(position={"x": 40, "y": 30})
            shown = readout.inner_text()
            assert shown[:10] in times, shown  # a date of the curve
            assert "equity" in shown
            page.locator("svg[data-chart='drawdown']").hover()
            assert "drawdown" in page.inner_text("#drawdown-readout")
            page.locator("td[data-month]").nth(5).hover()
            month = page.inner_text("#monthly-readout")
            assert month.startswith(
                str(page.locator("td[data-month]").nth(5).get_attribute("data-month"))
            )
            page.locator("rect[data-count]").first.hover()
            assert "trade(s)" in page.inner_text("#histogram-readout")
            screenshot(page, "result-report", device, theme)
            context.close()
            assert outside == []
            assert problems.problems == []
