"""``paperdesk report --walkforward DIR`` and ``paperdesk backtest ... --report FILE``: the page
embeds the document ``--json`` prints, its Content-Security-Policy hashes match its inline
style and script, a hostile title is escaped, nothing points off the page, and bad input is one
error line that writes nothing."""

from __future__ import annotations

import base64
import hashlib
import json
import re
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import pytest
from paper_cli_helpers import fails, json_of, ok

pytestmark = pytest.mark.usefixtures("paper_home")

HOSTILE = '<script>alert("x")</script> & <img src=x onerror=alert(1)>'
PLAN = (
    "ticker,side,qty,entry_price,take_profit,stop_loss,strength,etth_days\n"
    "SPY,buy,10,383.63,386,381,0.6,1\n"
    "AAPL,buy,20,121.42,123,120,0.5,1\n"
)


def folder_contents(folder: Path) -> dict[str, bytes]:
    return {
        str(path.relative_to(folder)): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


@pytest.fixture(scope="module")
def evidence(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A three-day walk-forward of one plan per day (the CLI's own run), made once for the
    module: the tests only read it (checked at teardown)."""
    folder = tmp_path_factory.mktemp("walk-forward-evidence")
    plans = folder / "plans"
    plans.mkdir()
    for day in ("2021-03-08", "2021-03-09", "2021-03-10"):
        (plans / f"{day}.csv").write_text(PLAN, encoding="utf-8")
    out = folder / "evidence"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PAPERDESK_HOME", str(folder / "home"))
        patch.delenv("DATABASE_URL", raising=False)
        ok(
            "walkforward", "--plans", str(plans), "--from", "2021-03-08", "--to", "2021-03-10",
            "--mode", "balanced", "--out", str(out),
        )  # fmt: skip
    before = folder_contents(out)
    yield out
    assert folder_contents(out) == before, "a test changed the shared walk-forward folder"


class Page(HTMLParser):
    """The parts of a page the checks need: its elements' URLs, inline styles and scripts."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.scripts: list[tuple[dict[str, str | None], str]] = []
        self.styles: list[str] = []
        self.policy = ""
        self.links: list[str] = []
        self.title_text = ""
        self.heading = ""
        self._open: tuple[str, dict[str, str | None]] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        for name in ("src", "href", "action", "xlink:href"):
            if found.get(name):
                self.links.append(str(found[name]))
        if any(name.startswith("on") for name in found):
            self.links.append(f"event handler on <{tag}>")
        if "style" in found:
            self.links.append(f"inline style on <{tag}>")
        if tag == "meta" and found.get("http-equiv") == "Content-Security-Policy":
            self.policy = str(found["content"])
        if tag in ("script", "style", "title", "h1"):
            self._open = (tag, found)

    def handle_data(self, data: str) -> None:
        if self._open is None:
            return
        tag, found = self._open
        if tag == "script":
            self.scripts.append((found, data))
        elif tag == "style":
            self.styles.append(data)
        elif tag == "title":
            self.title_text += data
        else:
            self.heading += data

    def handle_endtag(self, tag: str) -> None:
        self._open = None


def parsed(path: Path) -> Page:
    page = Page()
    page.feed(path.read_text(encoding="utf-8"))
    page.close()
    return page


def digest(text: str) -> str:
    return base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii")


def check_page(path: Path, printed: dict[str, object]) -> Page:
    page = parsed(path)
    data = [text for attrs, text in page.scripts if attrs.get("type") == "application/json"]
    code = [text for attrs, text in page.scripts if attrs.get("type") is None]
    assert len(data) == 1
    assert len(code) == 1
    assert json.loads(data[0]) == printed  # the page embeds what --json prints
    assert len(page.styles) == 1
    policy = dict(part.strip().split(" ", 1) for part in page.policy.split(";"))
    assert policy["default-src"] == "'none'"
    assert policy["connect-src"] == "'none'"
    assert policy["script-src"] == f"'sha256-{digest(code[0])}'"
    assert policy["style-src"] == f"'sha256-{digest(page.styles[0])}'"
    assert page.links == []  # no URL, no event handler attribute, no inline style
    text = path.read_text(encoding="utf-8")
    assert not re.search(r"https?://|//[a-z0-9]", text.replace("http-equiv", ""))
    return page


def test_a_walk_forward_report_page_embeds_the_printed_document(
    evidence: Path, tmp_path: Path
) -> None:
    target = tmp_path / "walk-forward.html"
    printed = json_of("report", "--walkforward", str(evidence), "--html", str(target))
    assert printed["kind"] == "walk_forward"
    summary = json.loads((evidence / "summary.json").read_text(encoding="utf-8"))
    assert printed["summary"]["trades"] == summary["trades"]
    assert printed["summary"]["pnl"] == summary["pnl"]
    assert printed["outcomes"] == summary["outcomes"]
    check_page(target, printed)
    # without --json: the file and one line on stderr, nothing on stdout
    again = ok("report", "--walkforward", str(evidence), "--html", str(tmp_path / "b.html"))
    assert again.stdout == ""
    assert "wrote" in again.stderr


def test_a_hostile_title_is_escaped(evidence: Path, tmp_path: Path) -> None:
    target = tmp_path / "hostile.html"
    printed = json_of(
        "report", "--walkforward", str(evidence), "--title", HOSTILE, "--html", str(target)
    )
    assert printed["title"] == HOSTILE
    page = check_page(target, printed)
    assert page.heading == HOSTILE  # shown as text, not markup
    assert page.title_text.startswith(HOSTILE)
    assert "<script>alert" not in target.read_text(encoding="utf-8")


def test_a_backtest_report_page_matches_the_backtest(tmp_path: Path) -> None:
    target = tmp_path / "backtest.html"
    args = (
        "backtest", "--strategy", "macd-cross", "--symbol", "SPY", "--timeframe", "1d",
        "--from", "2015-01-01", "--to", "2018-12-31", "--param", "stop_atr=2",
        "--param", "target_atr=3", "--max-holding-bars", "15",
    )  # fmt: skip
    result = json_of(*args, "--report", str(target))
    page = parsed(target)
    data = next(text for attrs, text in page.scripts if attrs.get("type") == "application/json")
    document = json.loads(data)
    check_page(target, document)
    assert document["kind"] == "backtest"
    assert document["summary"]["trades"] == len(result["trades"]) > 0
    assert document["summary"]["final_equity"] == result["final_equity"]
    exits = [trade["exit_reason"] for trade in result["trades"]]
    assert document["outcomes"]["TP"] == exits.count("take-profit")
    assert document["outcomes"]["SL"] == exits.count("stop-loss")
    assert sum(document["outcomes"].values()) == len(exits)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ([], "nothing to report: give PORTFOLIO_ID or --walkforward DIR"),
        (["7", "--walkforward", "{evidence}", "--json"], "not both"),
        (["--walkforward", "{evidence}"], "give --html FILE, --json or both"),
        (["--walkforward", "{evidence}", "--html", "{tmp}/a.html", "--every", "60s"], "final"),
        (["--walkforward", "{tmp}/nowhere", "--json"], "walk-forward folder"),
        (["--walkforward", "{tmp}", "--json"], "has no manifest.json"),
        (["--walkforward", "{evidence}", "--html", "{tmp}/no/a.html"], "not found"),
        (["7", "--title", "x", "--json"], "--title names a --walkforward report"),
    ],
)
def test_bad_input_is_one_error_line_and_writes_nothing(
    evidence: Path, tmp_path: Path, options: list[str], message: str
) -> None:
    arguments = [o.format(evidence=evidence, tmp=tmp_path) for o in options]
    error = fails("report", *arguments)
    assert message in error
    assert not (tmp_path / "a.html").exists()


def test_a_bad_backtest_report_path_is_refused_before_the_run(tmp_path: Path) -> None:
    error = fails(
        "backtest", "--strategy", "sma-cross", "--symbol", "SPY", "--report", str(tmp_path),
        code=2,
    )  # fmt: skip
    assert "--report" in error
    assert "is a directory" in error
