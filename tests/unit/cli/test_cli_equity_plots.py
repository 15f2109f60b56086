"""backtest and portfolio performance show the equity chart and write --plot files."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from paper_cli_helpers import fails, ok

from paperdesk.service.portfolios import PortfolioService

pytestmark = pytest.mark.usefixtures("paper_home")


def _points(path: Path) -> list[dict[str, object]]:
    page = path.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>")
    found = re.search(r'id="equity-data">(.*?)</script>', page)
    assert found is not None
    points: list[dict[str, object]] = json.loads(found.group(1))
    return points


def test_backtest_shows_the_chart_and_writes_every_bar(tmp_path: Path) -> None:
    path = tmp_path / "curve.html"
    arguments = ["backtest", "-s", "buy-and-hold", "--symbol", "SPY", "--from", "2019-01-01"]
    result = ok(*arguments, "--to", "2019-12-31", "--plot", str(path))
    assert "Equity curve" in result.stdout
    assert re.search(r"└ max drawdown -\d+\.\d\d%", result.stdout)
    document = json.loads(ok(*arguments, "--to", "2019-12-31", "--json").stdout)
    points = _points(path)
    assert len(points) == document["bars"] == 252
    assert points[0]["t"].startswith("2019-01-02")
    assert points[-1]["t"].startswith("2019-12-31")
    assert points[-1]["equity"] == pytest.approx(float(document["final_equity"]))


def test_backtest_refuses_a_bad_plot_before_running(tmp_path: Path) -> None:
    message = fails("backtest", "-s", "buy-and-hold", "--symbol", "SPY", "--plot", "x.svg")
    assert message == "error: invalid value for --plot: 'x.svg' (expected a FILE.html or FILE.png)"


def test_performance_shows_the_snapshots_and_writes_them(tmp_path: Path) -> None:
    ok("create-portfolio", "R", "10000", "--symbol", "SPY", "--source", "replay",
       "--replay-from", "2020-01-02")  # fmt: skip
    ok("run", "--portfolio", "1", "--every", "0.01s", "--max-ticks", "6")
    path = tmp_path / "portfolio.html"
    result = ok("portfolio", "performance", "1", "--plot", str(path))
    assert "Equity curve (snapshots)" in result.stdout
    snapshots = PortfolioService().equity_curve(1)
    points = _points(path)
    assert len(snapshots) >= 6
    assert [point["equity"] for point in points] == [float(s.equity) for s in snapshots]
    assert [point["t"] for point in points] == [s.ts.isoformat() for s in snapshots]
