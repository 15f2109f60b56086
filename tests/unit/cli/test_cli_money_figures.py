"""Money with a third decimal (a per-share fee of 0.0055 x 7 shares is 0.0385 a fill): ``portfolio
performance`` and ``portfolio show`` print every amount exactly, by the one money rule
(``currencies.money_text``), so the printed gross less the printed fees is the printed net."""

from __future__ import annotations

import re
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from paper_cli_helpers import create_replay, json_of, ledger_state, ok, run_ticks


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """One home for the module: its tests only read the portfolio below."""
    folder = tmp_path_factory.mktemp("money-figures-home")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PAPERDESK_HOME", str(folder))
        patch.delenv("DATABASE_URL", raising=False)
        yield folder


def printed(table: str, label: str) -> Decimal:
    match = re.search(rf"^{re.escape(label)}\s+(-?[\d,]+\.\d+)\s*$", table, re.MULTILINE)
    assert match is not None, f"no {label!r} line in:\n{table}"
    return Decimal(match.group(1).replace(",", ""))


@pytest.fixture(scope="module")
def portfolio_id(home: Path) -> Iterator[int]:
    """Traded once for both commands (40 ticks): the tests read it and change nothing."""
    portfolio_id = create_replay(
        "fees", "--commission", "per-share:0.0055", "--sizer", "fixed", "--quantity", "7"
    )
    run_ticks(portfolio_id, 40)  # four round trips into February 2020
    before = ledger_state()
    yield portfolio_id
    assert ledger_state() == before, "a test changed the shared portfolio"


@pytest.mark.parametrize("command", ["performance", "show"])
def test_the_printed_figures_add_up_exactly(portfolio_id: int, command: str) -> None:
    summary = json_of("portfolio", "show", str(portfolio_id))["portfolio"]
    fees = Decimal(summary["fees_paid"])
    assert fees != fees.quantize(Decimal("0.01"))  # a third decimal to keep
    table = ok("portfolio", command, str(portfolio_id)).stdout
    gross = printed(table, "Realized P&L gross")
    net = printed(table, "Realized P&L net")
    assert printed(table, "Fees") == fees
    assert gross == Decimal(summary["realized_pnl"])
    assert net == Decimal(summary["realized_pnl_net"])
    assert gross - printed(table, "Fees") == net
    assert printed(table, "Cash") == Decimal(summary["cash"])
    assert printed(table, "Starting cash") + net == printed(table, "Cash")  # all flat
    assert re.search(r"^Cash\s+[\d,]+\.\d{3}$", table, re.MULTILINE)  # 9,879.712, not 9,879.7120
