"""portfolio rename|edit|unarchive from the command line."""

from __future__ import annotations

import pytest
from paper_cli_helpers import fails, json_of, ledger_state, ok

pytestmark = pytest.mark.usefixtures("paper_home")


@pytest.fixture
def portfolio() -> str:
    ok("create-portfolio", "Old", "10000", "--symbol", "SPY", "--strategy", "sma-cross")
    return "1"


def test_rename(portfolio: str) -> None:
    assert ok("portfolio", "rename", portfolio, "New name").stdout == (
        "renamed portfolio 1 to 'New name'\n"
    )
    assert json_of("portfolio", "show", portfolio)["portfolio"]["name"] == "New name"
    assert json_of("audit", portfolio)["audit"][-1]["kind"] == "portfolio.renamed"


def test_edit_prints_each_change_and_json(portfolio: str) -> None:
    result = ok("portfolio", "edit", portfolio, "--max-position-pct", "40", "--param", "fast=7")
    assert result.stdout.splitlines() == [
        'portfolio 1: risk.max_position_percent null -> "40"',
        'portfolio 1: strategies [{"name": "sma-cross", "params": {}}] -> '
        '[{"name": "sma-cross", "params": {"fast": 7}}]',
    ]
    document = json_of("portfolio", "edit", portfolio, "--commission", "percent:0.1")
    assert document == {
        "id": 1,
        "changes": {"execution.commission": {"from": "none", "to": "percent:0.1"}},
    }
    settings = json_of("portfolio", "show", portfolio)["settings"]
    assert settings["risk"]["max_position_percent"] == "40"
    assert settings["execution"]["commission"] == "percent:0.1"
    assert settings["strategies"] == [{"name": "sma-cross", "params": {"fast": 7}}]


def test_bad_edits_are_one_line_and_change_nothing(portfolio: str) -> None:
    before = ledger_state()
    assert "--max-position-pct" in fails("portfolio", "edit", portfolio, "--max-position-pct", "x")
    assert "'fast'" in fails("portfolio", "edit", portfolio, "--param", "fast=abc")
    assert "no portfolio with id 7" in fails("portfolio", "edit", "7", "--slippage-bps", "1")
    assert "1 to 200 characters" in fails("portfolio", "rename", portfolio, " ")
    assert "is not archived" in fails("portfolio", "unarchive", portfolio)
    assert ledger_state() == before


def test_unarchive(portfolio: str) -> None:
    ok("portfolio", "archive", portfolio)
    assert json_of("portfolio", "list")["portfolios"] == []
    assert ok("portfolio", "unarchive", portfolio).stdout == "unarchived portfolio 1\n"
    (listed,) = json_of("portfolio", "list")["portfolios"]
    assert listed["status"] == "active"


def test_no_symbols_empties_the_watch_list(portfolio: str) -> None:
    before = ledger_state()
    both = fails("portfolio", "edit", portfolio, "--no-symbols", "--symbol", "AAPL")
    assert "--no-symbols cannot be given with --symbol" in both
    with_data = fails("portfolio", "edit", portfolio, "--no-symbols", "--data", "AAPL=a.csv")
    assert "--no-symbols cannot be given with --data" in with_data
    assert ledger_state() == before
    ok("order", "place", portfolio, "SPY", "buy", "1", "--type", "limit", "--limit-price", "1")
    # a symbol with an order still cannot leave a watch list, as before
    assert "still has positions or open orders in SPY" in fails(
        "portfolio", "edit", portfolio, "--symbol", "AAPL"
    )
    # an empty list trades every symbol (the worker ticks the ones ordered or held)
    emptied = ok("portfolio", "edit", portfolio, "--no-symbols")
    assert emptied.stdout == 'portfolio 1: symbols ["SPY"] -> []\n'
    assert json_of("portfolio", "show", portfolio)["settings"]["symbols"] == []
    assert json_of("portfolio", "edit", portfolio, "--no-symbols") == {"id": 1, "changes": {}}
    watched = json_of("portfolio", "edit", portfolio, "--symbol", "SPY")
    assert watched["changes"] == {"symbols": {"from": [], "to": ["SPY"]}}
