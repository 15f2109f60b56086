"""Money with a third decimal (a per-share fee of 0.0055 x 7 shares is 0.0385 a fill): ``portfolio
performance`` and ``portfolio show`` print every amount exactly, by the one money rule
(``currencies.money_text``), so the printed gross less the printed fees is the printed net."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pytest
from paper_cli_helpers import create_replay, json_of, ok


@pytest.fixture(autouse=True)
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("PAPERDESK_HOME", str(tmp_path))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    return tmp_path


def printed(table: str, label: str) -> Decimal:
    match = re.search(rf"^{re.escape(label)}\s+(-?[\d,]+\.\d+)\s*$", table, re.MULTILINE)
    assert match is not None, f"no {label!r} line in:\n{table}"
    return Decimal(match.group(1).replace(",", ""))


@pytest.fixture
def portfolio_id() -> int:
    portfolio_id = create_replay(
        "fees", "--commission", "per-share:0.0055", "--sizer", "fixed", "--quantity", "7"
    )
    for _ in range(40):  # four round trips into February 2020
        ok("trade", str(portfolio_id), "SPY", "LIVE")
    return portfolio_id


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
