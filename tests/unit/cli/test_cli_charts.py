"""The terminal equity chart and the --plot files (HTML and PNG)."""

from __future__ import annotations

import json
import re
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from paperdesk.cli.charts import BLOCKS, equity_chart
from paperdesk.cli.plot_files import check_plot_path, write_plot
from paperdesk.domain import InvalidInputError

START = datetime(2024, 1, 2, 21, tzinfo=UTC)


def _chart_rows(lines: list[str]) -> list[str]:
    return [line.split("│", 1)[1] for line in lines[:8]]


def _heights(rows: list[str]) -> list[int]:
    """Each column's height in eighths, read back from the drawn rows."""
    return [sum(BLOCKS.index(row[column]) for row in rows) for column in range(len(rows[0]))]


def test_a_rising_curve_fills_60_by_8_from_low_to_full() -> None:
    values = [10000.0 + 10 * step for step in range(120)]
    lines = equity_chart(values)
    assert len(lines) == 10  # 8 rows, the drawdown line, the maximum drawdown
    rows = _chart_rows(lines)
    assert {len(row) for row in rows} == {60}
    heights = _heights(rows)
    assert heights[0] == 1
    assert heights[-1] == 64
    assert heights == sorted(heights)
    assert lines[0].split("│")[0].strip() == "11,190.00"  # the last value of the last column
    assert lines[7].split("│")[0].strip() == "10,010.00"  # ...and of the first (points 0, 1)
    assert lines[8].split("│")[1].strip() == ""  # never below a peak: no drawdown
    assert lines[9].endswith("max drawdown 0.00%")


def test_drawdown_line_marks_the_fall_and_its_depth() -> None:
    lines = equity_chart([100.0, 120.0, 90.0, 105.0, 130.0])
    rows = _chart_rows(lines)
    assert {len(row) for row in rows} == {5}
    assert _heights(rows) == [17, 48, 1, 25, 64]  # 1 + round((v - 90) / 40 * 63)
    spark = lines[8].split("│")[1]
    assert spark == "  █▄ "  # -25% is the deepest; 105/120 - 1 = -12.5% is half of it
    assert lines[9].endswith("max drawdown -25.00%")


def test_a_flat_curve_and_an_empty_one() -> None:
    assert equity_chart([]) == []
    assert set(_heights(_chart_rows(equity_chart([5.0] * 3)))) == {32}


def test_html_is_self_contained_and_holds_every_point(tmp_path: Path) -> None:
    values = [100.0, 120.0, 90.0, 105.0, 130.0]
    times = [START + timedelta(days=day) for day in range(len(values))]
    path = tmp_path / "curve.html"
    write_plot(check_plot_path(path), times, values, "sma-cross on <SPY>")
    page = path.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>")
    assert page.rstrip().endswith("</html>")
    assert "<title>sma-cross on &lt;SPY&gt;</title>" in page
    assert not re.search(r"<script[^>]+src=|<link|https?://(?!www\.w3\.org/2000/svg)", page)
    data = re.search(r'<script type="application/json" id="equity-data">(.*?)</script>', page)
    assert data is not None
    points = json.loads(data.group(1))
    assert [point["equity"] for point in points] == values
    assert [point["t"] for point in points] == [moment.isoformat() for moment in times]
    assert [point["drawdown"] for point in points] == [0.0, 0.0, -0.25, -0.125, 0.0]
    lines = re.findall(r'<polyline[^>]* points="([^"]+)"', page)
    assert [len(line.split()) for line in lines] == [5, 5]
    equity_y = [float(point.split(",")[1]) for point in lines[0].split()]
    assert equity_y.index(max(equity_y)) == 2  # SVG y grows downwards
    assert equity_y.index(min(equity_y)) == 4


def test_png_needs_the_plot_extra(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # as if not installed
    with pytest.raises(InvalidInputError, match=r"pip install 'paperdesk\[plot\]'"):
        check_plot_path(tmp_path / "curve.png")


def test_png_has_a_png_header(tmp_path: Path) -> None:
    pytest.importorskip("matplotlib")
    path = tmp_path / "curve.png"
    write_plot(path, [START, START + timedelta(days=1)], [1.0, 2.0], "x")
    assert path.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")


@pytest.mark.parametrize(
    ("name", "message"),
    [("curve.txt", "expected a FILE.html or FILE.png"), ("missing/curve.html", "not found")],
)
def test_bad_plot_paths_are_named(tmp_path: Path, name: str, message: str) -> None:
    with pytest.raises(InvalidInputError, match=f"invalid value for --plot: .*{message}"):
        check_plot_path(tmp_path / name)
