"""The futures ledger by hand: margin blocked and released per contract, realized P&L with the
multiplier, a partial close and a reversal, and a restore from its state."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from paperdesk.domain import AccountKind, Fill, Side
from paperdesk.portfolio import AccountRules, ContractTerms, LedgerState, PortfolioLedger

D = Decimal
TS = datetime(2006, 1, 3, tzinfo=UTC)
RULES = AccountRules(AccountKind.FUTURES, contracts={"ES": ContractTerms(D(10), D(3000), D(2500))})


def fill(side: Side, quantity: str, price: str, fee: str = "2") -> Fill:
    return Fill("o", "ES", side, D(quantity), D(price), D(fee), TS)


def test_partial_close_releases_margin_and_realizes_with_the_multiplier() -> None:
    ledger = PortfolioLedger(D(10000), RULES)
    ledger.apply_fill(fill(Side.BUY, "3", "3604.08", "6"))
    assert ledger.cash == D(10000) - D(6) - D(9000)  # 3 contracts block 9000
    assert ledger.blocked_margin() == D(9000)
    prices = {"ES": D("3614.34")}
    assert ledger.unrealized_pnl(prices) == D("307.80")  # 3 x 10.26 x 10
    assert ledger.free_cash(prices) == D("1301.80")
    assert ledger.equity(prices) == D("10301.80")
    assert ledger.maintenance_requirement(prices) == D(7500)
    realized = ledger.apply_fill(fill(Side.SELL, "1", "3652.19"))
    assert realized == D("481.10")  # 1 x (3652.19 - 3604.08) x 10
    # 994 + 481.10 - 2 + 3000 released
    assert ledger.cash == D("4473.10")
    assert ledger.blocked_margin() == D(6000)
    ledger.check_invariants()


def test_a_reversal_blocks_margin_for_the_new_side_only() -> None:
    ledger = PortfolioLedger(D(10000), RULES)
    ledger.apply_fill(fill(Side.BUY, "1", "3604.08"))
    ledger.apply_fill(fill(Side.SELL, "2", "3614.34", "4"))  # closes 1, opens 1 short
    assert ledger.position("ES").quantity == D(-1)
    assert ledger.realized_pnl == D("102.60")  # 10.26 x 10
    assert ledger.cash == D(10000) - D(6) + D("102.60") - D(3000)
    assert ledger.equity({"ES": D("3614.34")}) == D("10096.60")
    ledger.check_invariants()


def test_a_restored_futures_ledger_books_on_from_its_state() -> None:
    ledger = PortfolioLedger(D(10000), RULES)
    ledger.apply_fill(fill(Side.BUY, "2", "3604.08", "4"))
    state: LedgerState = ledger.state()
    restored = PortfolioLedger.restore(D(10000), state, RULES)
    assert restored.blocked_margin() == D(6000)
    restored.apply_fill(fill(Side.SELL, "2", "3650.54", "4"))
    assert restored.cash == D("10921.20")  # the hand computation of the engine test


def test_a_cash_account_ledger_is_unchanged_by_contract_terms() -> None:
    ledger = PortfolioLedger(D(10000))
    ledger.apply_fill(fill(Side.BUY, "2", "3604.08", "4"))
    assert ledger.cash == D(10000) - D("7208.16") - D(4)
    assert ledger.free_cash({"ES": D(1)}) == ledger.cash
    assert ledger.blocked_margin() == D(0)
    assert ledger.maintenance_requirement({"ES": D(1)}) == D(0)
