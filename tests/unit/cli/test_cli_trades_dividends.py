"""``paperdesk trades`` of a raw-price portfolio says which round trips hold in their gross P&L
a dividend booked while they were open (it listed a gross above quantity x price move with
no word why)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from paper_cli_helpers import json_of, ok

from paperdesk.data import instrument_for
from paperdesk.data.corporate_actions import ledger_actions_for

pytestmark = pytest.mark.usefixtures("paper_home")

EX_DATE = date(2019, 9, 20)  # an SPY dividend's ex-date in its bundled factor file
REPLAY = ["--symbol", "SPY", "--source", "replay", "--replay-from", "2019-09-16"]
NEVER_DECIDES = ["-s", "macd-cross", "-p", "macd-cross.min_bars=100000"]  # the test's orders only


def test_a_round_trip_held_over_an_ex_date_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "300")
    [dividend] = [
        action
        for action in ledger_actions_for(instrument_for("SPY"))
        if action.kind == "dividend" and action.ex_date == EX_DATE
    ]
    pid = json_of("create-portfolio", "held", "10000", *REPLAY, *NEVER_DECIDES)["id"]
    ok("trade", str(pid), "SPY", "LIVE")  # 2019-09-16
    ok("order", "place", str(pid), "SPY", "buy", "10")
    for _ in range(4):  # 09-17 (the fill) to 09-20 (the ex-date)
        ok("trade", str(pid), "SPY", "LIVE")
    ok("position", "close", str(pid), "SPY")
    ok("trade", str(pid), "SPY", "LIVE")  # 09-23: the sale
    [trade] = json_of("trades", str(pid))["trades"]
    income = 10 * dividend.distribution
    move = Decimal(trade["quantity"]) * (
        Decimal(trade["exit_price"]) - Decimal(trade["entry_price"])
    )
    assert Decimal(trade["gross_pnl"]) == move + income
    line = ok("trades", str(pid)).stdout.splitlines()[-1]
    assert line == (
        "Gross P&L includes the dividends booked while trades were open (raw prices): "
        f"{income:,.2f} on 1 of 1 trades (the first 2019-09-17 to 2019-09-23: {income:,.2f}), "
        "so their gross is not quantity x (exit - entry)"
    )
