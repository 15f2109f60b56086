"""``paperdesk backtest`` over bundled series: a warning names the long gaps of the bars against
the calendar (as ``paperdesk data check`` finds them), none for a clean series, and ``--json``
carries them as ``data_gaps``; the HTML report (``--report``) shows the warning in a box."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

from typer.testing import CliRunner

from paperdesk.cli import app

runner = CliRunner()
BTCUSD = ["backtest", "-s", "sma-cross", "--symbol", "BTCUSD", "--timeframe", "1m"]


def _report(arguments: list[str]) -> str:
    result = runner.invoke(app, arguments, env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    return result.stdout


def test_btcusd_minutes_warn_of_the_missing_months(paper_home: Path) -> None:
    out = _report([*BTCUSD, "--allow-short", "--wide"])  # unwrapped lines
    warning = next(line for line in out.splitlines() if line.startswith("Warning:"))
    assert "the BTCUSD 1m bars miss two sessions or more of trading time" in warning
    assert "(24/7 calendar) in 3 places" in warning
    # the short held from 2016-10-09 to 2017-09-03 crossed this one, the longest, named first
    assert "in one bar: 2016-10-10 00:00 to 2017-09-03 00:00 (328 d, 472,320 bars);" in warning
    assert "99 gaps in all" in warning
    assert "`paperdesk data check BTCUSD --timeframe 1m`" in warning


def test_spy_daily_bars_have_no_gap_and_no_warning(paper_home: Path) -> None:
    out = _report(["backtest", "-s", "sma-cross", "--symbol", "SPY"])
    assert "Final equity" in out
    assert "Warning" not in out
    assert "gap" not in out


def test_json_carries_the_gaps(paper_home: Path) -> None:
    document = json.loads(_report([*BTCUSD, "--json"]))
    gaps = document["data_gaps"]
    assert (gaps["calendar"], gaps["gaps"], gaps["missing_bars"]) == ("24/7", 99, 775257)
    assert gaps["long_gap_bars"] == 2880  # two days of minutes on the 24/7 calendar
    assert gaps["long_gaps_count"] == 3
    assert gaps["long_gaps"][0] == {
        "start": "2016-10-10T00:00:00+00:00",
        "end": "2017-09-03T00:00:00+00:00",
        "missing": 472320,
    }
    clean = json.loads(_report(["backtest", "-s", "sma-cross", "--symbol", "SPY", "--json"]))
    assert clean["data_gaps"]["gaps"] == 0
    assert clean["data_gaps"]["long_gaps"] == []


def _warning_box(page: str) -> str | None:
    found = re.search(
        r'<section class="warnings" id="report-warnings" role="alert">(.*?)</section>', page
    )
    return None if found is None else html.unescape(re.sub(r"<[^>]+>", " ", found.group(1)))


def test_the_html_report_shows_the_warning_in_a_box(paper_home: Path, tmp_path: Path) -> None:
    page_path = tmp_path / "btc.html"
    _report([*BTCUSD, "--allow-short", "--report", str(page_path)])
    page = page_path.read_text()
    box = _warning_box(page)
    assert box is not None
    assert "The BTCUSD 1m bars miss two sessions or more of trading time (24/7 calendar)" in box
    assert "in 3 places" in box
    assert "2016-10-10 00:00 to 2017-09-03 00:00 (328 d, 472,320 bars);" in box
    assert "99 gaps in all" in box
    assert "`paperdesk data check BTCUSD --timeframe 1m`" in box
    assert page.index('id="report-warnings"') < page.index("data-kpi")  # first on the page


def test_a_clean_series_html_report_has_no_warning_box(paper_home: Path, tmp_path: Path) -> None:
    page_path = tmp_path / "spy.html"
    _report(["backtest", "-s", "sma-cross", "--symbol", "SPY", "--report", str(page_path)])
    page = page_path.read_text()
    assert _warning_box(page) is None
    assert '"warnings": []' in page or '"warnings":[]' in page


def test_weekly_and_nd_bars_are_checked_by_the_calendars_periods(paper_home: Path) -> None:
    weekly = json.loads(_report([*BTCUSD[:-1], "1w", "--json"]))["data_gaps"]
    # the week after 2016-10-07's is the first of the eleven months without a bar
    assert (weekly["calendar"], weekly["long_gap_bars"]) == ("24/7", 1)
    assert weekly["long_gaps"][0]["start"].startswith("2016-10-10T00:00")
    out = _report([*BTCUSD[:-1], "2d", "--wide"])
    assert "Warning: the BTCUSD 2d bars miss two sessions or more" in out
    spy = ["backtest", "-s", "sma-cross", "--symbol", "SPY", "--json", "--timeframe"]
    for timeframe in ("2d", "1w", "1mo"):  # holidays are no gap
        gaps = json.loads(_report([*spy, timeframe]))["data_gaps"]
        assert (gaps["gaps"], gaps["long_gaps_count"]) == (0, 0)
