"""The fee floor's record and the margin-call rule as pure functions, on prices of the bundled
2006 index series (rows 1-3: open 3604.08, close 3652.46, open 3652.19)."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from paperdesk.domain import AccountKind, CashCheck, Fill, OrderRole, Side
from paperdesk.portfolio import AccountRules, ContractTerms, PortfolioLedger
from paperdesk.portfolio.margin_calls import MARGIN_CALL, margin_call, overdraft

D = Decimal
TS = datetime(2006, 1, 5, tzinfo=UTC)


def fill(symbol: str, side: Side, quantity: str, price: str, fee: str = "4") -> Fill:
    return Fill("O1", symbol, side, D(quantity), D(price), D(fee), TS)


def test_an_exit_that_overdraws_a_cash_account_is_recorded_with_its_reason() -> None:
    # short 2 at 3604.08 on 100 of cash, covered at 3652.19: 100 + 7208.16 - 4 - 7304.38 - 4
    ledger = PortfolioLedger(D(100))
    ledger.apply_fill(fill("IDX", Side.SELL, "2", "3604.08"))
    before = ledger.cash
    cover = fill("IDX", Side.BUY, "2", "3652.19")
    ledger.apply_fill(cover)
    recorded = overdraft(ledger, cover, "O2", OrderRole.EXIT, before, {})
    assert recorded is not None
    assert recorded.cash == D("-4.22")
    assert recorded.reason == (
        "exit buy 2 IDX at 3652.19 fee 4 left cash at -4.22; exits are never refused"
    )


def test_no_record_while_cash_stays_at_or_above_zero_or_rises() -> None:
    ledger = PortfolioLedger(D("7212.16"))
    entry = fill("IDX", Side.BUY, "2", "3604.08")
    ledger.apply_fill(entry)  # exactly 0 left: 7212.16 - 7208.16 - 4
    assert ledger.cash == 0
    assert overdraft(ledger, entry, "O1", OrderRole.ENTRY, D("7212.16"), {}) is None


def test_cash_check_off_names_itself_in_the_overdraft() -> None:
    ledger = PortfolioLedger(D(7000), AccountRules(cash_check=CashCheck.OFF))
    entry = fill("IDX", Side.BUY, "2", "3604.08")
    ledger.apply_fill(entry)
    recorded = overdraft(ledger, entry, "O1", OrderRole.ENTRY, D(7000), {})
    assert recorded is not None
    assert recorded.reason.startswith("cash_check=off: buy 2 IDX at 3604.08 fee 4")
    assert recorded.cash == D("-212.16")


def test_the_largest_loser_is_liquidated_first_and_only_as_far_as_needed() -> None:
    terms = ContractTerms(D(10), D(3000), D(2500))
    rules = AccountRules(AccountKind.FUTURES, contracts={"LOSER": terms, "WINNER": terms})
    ledger = PortfolioLedger(D(7000), rules)
    ledger.apply_fill(fill("LOSER", Side.BUY, "1", "3652.46", "0"))
    ledger.apply_fill(fill("WINNER", Side.BUY, "1", "3604.08", "0"))
    # marks: LOSER 3604.08 (-483.80), WINNER 3652.46 (+483.80): equity 7000 still, so raise
    # the requirement by marking LOSER down to 3400: equity 7000 - 2524.60 + 483.80 = 4959.20
    prices = {"LOSER": D(3400), "WINNER": D("3652.46")}
    assert ledger.equity(prices) == D("4959.20")
    assert ledger.maintenance_requirement(prices) == D(5000)
    called = margin_call(ledger, prices, TS, lambda symbol: False)
    assert called is not None
    event, exits = called
    assert event.symbols == ("LOSER",)  # 4959.20 covers the 2500 WINNER still needs
    (exit_order,) = exits
    assert (exit_order.symbol, exit_order.side, exit_order.quantity) == ("LOSER", Side.SELL, D(1))
    assert (exit_order.role, exit_order.strategy) == (OrderRole.EXIT, MARGIN_CALL)
    # while the loser's liquidation works, nothing more is called: 4959.20 covers WINNER's 2500
    assert margin_call(ledger, prices, TS, lambda symbol: symbol == "LOSER") is None
    assert margin_call(ledger, prices, TS, lambda symbol: True) is None
    # but a winner whose own requirement is not covered is called even then
    deeper = {"LOSER": D(3000), "WINNER": D("3652.46")}  # equity 959.20 < 2500
    again = margin_call(ledger, deeper, TS, lambda symbol: symbol == "LOSER")
    assert again is not None
    assert again[0].symbols == ("WINNER",)
