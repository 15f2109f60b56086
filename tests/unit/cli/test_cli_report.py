"""``paperdesk report ID --html FILE [--json] [--every DURATION]``: the page and the JSON hold
the figures ``portfolio show`` prints, bad input is one line that writes nothing, and
``--every`` keeps replacing the file until SIGINT, which ends it cleanly."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

import pytest
from paper_cli_helpers import create_replay, fails, json_of, ok

from paperdesk.service.portfolios import PortfolioService

STRATEGY = ("--strategy", "macd-cross", "--param", "fast=3", "--param", "slow=6")
TICKS = 12


@pytest.fixture(autouse=True)
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("PAPERDESK_HOME", str(tmp_path))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    return tmp_path


def _ticked_portfolio() -> int:
    portfolio_id = create_replay("desk", *STRATEGY)
    service = PortfolioService()
    try:
        for _ in range(TICKS):
            service.tick(portfolio_id, "SPY")
    finally:
        service.database.close()
    return portfolio_id


def _embedded(page: str) -> dict[str, object]:
    found = re.search(r'id="report-data">([^<]*)</script>', page)
    assert found is not None
    document: dict[str, object] = json.loads(found.group(1))
    return document


def test_the_page_and_the_json_hold_the_figures_show_prints(tmp_path: Path) -> None:
    portfolio_id = _ticked_portfolio()
    shown = json_of("portfolio", "show", str(portfolio_id))["portfolio"]
    target = tmp_path / "report.html"
    printed = json_of("report", str(portfolio_id), "--html", str(target))
    kpis = printed["kpis"]
    assert isinstance(kpis, dict)
    for name in ("equity", "cash", "unrealized_pnl", "total_pnl"):
        assert Decimal(kpis[name]) == Decimal(shown[name]), name
    assert Decimal(kpis["realized_pnl"]) == Decimal(shown["realized_pnl_net"])
    embedded = _embedded(target.read_text(encoding="utf-8"))
    assert embedded["kpis"] == kpis  # the file's data is what --json printed
    assert embedded["portfolio"] == printed["portfolio"]
    card = re.search(r'data-kpi="equity" data-value="([^"]+)"', target.read_text())
    assert card is not None
    assert Decimal(card.group(1)) == Decimal(shown["equity"])


def test_bad_input_is_one_line_and_writes_nothing(tmp_path: Path) -> None:
    portfolio_id = create_replay("desk")
    page = str(tmp_path / "report.html")
    assert "no portfolio with id 99" in fails("report", "99", "--html", page, code=1)
    assert "is a directory" in fails("report", str(portfolio_id), "--html", str(tmp_path), code=2)
    assert "nothing to do" in fails("report", str(portfolio_id), code=2)
    assert "give --html FILE" in fails("report", str(portfolio_id), "--every", "1m", code=2)
    both = fails("report", str(portfolio_id), "--html", page, "--json", "--every", "1m", code=2)
    assert "without --every" in both
    wrong = fails("report", str(portfolio_id), "--html", page, "--every", "soon", code=2)
    assert "--every" in wrong
    assert not (tmp_path / "report.html").exists()


def test_a_portfolio_that_never_ticked_still_has_a_report(tmp_path: Path) -> None:
    portfolio_id = create_replay("new")
    target = tmp_path / "new.html"
    ok("report", str(portfolio_id), "--html", str(target))
    page = target.read_text(encoding="utf-8")
    assert "No equity history yet" in page
    assert re.search(r'data-kpi="sharpe" data-value="">', page)


def test_every_keeps_replacing_the_file_until_sigint(home: Path, tmp_path: Path) -> None:
    portfolio_id = _ticked_portfolio()
    folder = tmp_path / "site"
    folder.mkdir()
    target = folder / "index.html"
    command = [sys.executable, "-c", "from paperdesk.cli import main; main()"]
    process = subprocess.Popen(
        [*command, "report", str(portfolio_id), "--html", str(target), "--every", "0.2s"],
        env={**os.environ, "PAPERDESK_HOME": str(home)},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    files: set[int] = set()  # each atomic write is a new file (a new inode) renamed in place
    deadline = time.monotonic() + 120  # a guard against a hang, not a speed check
    try:
        while len(files) < 3 and time.monotonic() < deadline and process.poll() is None:
            if target.exists():
                files.add(target.stat().st_ino)
                assert target.read_text(encoding="utf-8").endswith("</html>\n")
            time.sleep(0.05)
    finally:
        process.send_signal(signal.SIGINT)
        _, errors = process.communicate(timeout=120)
    assert len(files) >= 3, errors
    assert process.returncode == 0, errors
    assert "SIGINT: stopping after the write in progress" in errors
    assert re.search(r"stopped after \d+ write\(s\)", errors)
    assert [p.name for p in folder.iterdir()] == ["index.html"]  # no temporary file left
    assert _embedded(target.read_text(encoding="utf-8"))["format"] == "paperdesk.report/1"
