"""Splits and cash dividends booked on the ledger, on the terms of real factor files.

Prices are the raw bundled Lean AAPL bars (``src/paperdesk/data/bundled/lean_AAPL_1d.csv``) and
the AIG fixture (``tests/fixtures/corporate_actions/``); the actions come from the Lean factor
files beside them. Every expected number is worked out by hand in the test.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

from paperdesk.data.corporate_actions import FactorFile, bundled_factor_file
from paperdesk.domain import AccountKind, CorporateActionTerms, Fill, Side
from paperdesk.portfolio import AccountRules, ContractTerms, PortfolioLedger

D = Decimal
FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "corporate_actions"


def _aapl(ex_date: date, kind: str) -> CorporateActionTerms:
    factor_file = bundled_factor_file("AAPL")
    assert factor_file is not None
    (action,) = [a for a in factor_file.ledger_actions() if a.ex_date == ex_date and a.kind == kind]
    return action


def _fill(symbol: str, side: Side, quantity: str, price: str, day: date) -> Fill:
    ts = datetime(day.year, day.month, day.day, 13, 30, tzinfo=UTC)
    return Fill("O1", symbol, side, D(quantity), D(price), D(0), ts)


def _at(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def test_the_7_for_1_split_of_2014_multiplies_the_quantity_and_keeps_the_cost() -> None:
    ledger = PortfolioLedger(D("10000"))
    # 10 shares at the 2014-06-05 open 646.25: cost 6462.50, cash 10000 - 6462.50 = 3537.50
    ledger.apply_fill(_fill("AAPL", Side.BUY, "10", "646.25", date(2014, 6, 5)))
    applied = ledger.apply_corporate_action(_aapl(date(2014, 6, 9), "split"), _at(date(2014, 6, 9)))

    assert applied is not None
    position = ledger.position("AAPL")
    assert position.quantity == D("70")  # 10 x 7
    assert position.cost_basis == D("6462.50")  # unchanged
    assert position.average_price == D("6462.50") / 70  # 646.25 / 7 = 92.3214285714...
    assert ledger.cash == D("3537.50")  # a whole split moves no cash
    assert (applied.quantity_before, applied.cash, applied.realized_pnl) == (D(10), 0, 0)
    # marked at the 2014-06-09 close 93.70: 70 x 93.70 = 6559.00; equity 3537.50 + 6559.00
    assert ledger.equity({"AAPL": D("93.70")}) == D("10096.50")
    ledger.check_invariants()


def test_a_dividend_is_credited_to_a_long_and_debited_from_a_short() -> None:
    dividend = _aapl(date(2020, 8, 7), "dividend")  # 0.82 a share
    long_book, short_book = PortfolioLedger(D("10000")), PortfolioLedger(D("10000"))
    # 10 shares at the 2020-08-06 open 441.65
    long_book.apply_fill(_fill("AAPL", Side.BUY, "10", "441.65", date(2020, 8, 6)))
    short_book.apply_fill(_fill("AAPL", Side.SELL, "10", "441.65", date(2020, 8, 6)))
    credited = long_book.apply_corporate_action(dividend, _at(date(2020, 8, 7)))
    debited = short_book.apply_corporate_action(dividend, _at(date(2020, 8, 7)))

    assert credited is not None
    assert debited is not None
    assert (credited.cash, debited.cash) == (D("8.20"), D("-8.20"))  # 10 x 0.82
    assert long_book.cash == D("10000") - D("4416.50") + D("8.20") == D("5591.70")
    assert short_book.cash == D("10000") + D("4416.50") - D("8.20") == D("14408.30")
    assert (long_book.realized_pnl, short_book.realized_pnl) == (D("8.20"), D("-8.20"))
    assert long_book.position("AAPL").average_price == D("441.65")  # a dividend keeps the cost
    long_book.check_invariants()
    short_book.check_invariants()
    # the round trip counts the dividend: sold at the 2020-08-10 open 450.06, its P&L is
    # 10 x (450.06 - 441.65) = 84.10 plus the 8.20 received
    long_book.apply_fill(_fill("AAPL", Side.SELL, "10", "450.06", date(2020, 8, 10)))
    assert long_book.trades[-1].pnl == D("92.30")


def test_a_reverse_split_pays_the_fractional_share_in_cash() -> None:
    factor_file = FactorFile.read(FIXTURES / "aig.csv")
    (reverse,) = [a for a in factor_file.ledger_actions() if a.ex_date == date(2009, 7, 1)]
    assert (reverse.kind, reverse.shares_after, reverse.shares_before) == ("split", 1, 20)
    ledger = PortfolioLedger(D("1000"))
    # 30 shares at the 2009-06-29 open 1.46: cost 43.80, cash 1000 - 43.80 = 956.20
    ledger.apply_fill(_fill("AIG", Side.BUY, "30", "1.46", date(2009, 6, 29)))
    applied = ledger.apply_corporate_action(reverse, _at(date(2009, 7, 1)))

    assert applied is not None
    # 30 / 20 = 1.5 new shares: 1 kept, 0.5 paid at 1.13 x 20 = 22.60 a new share -> 11.30
    assert applied.position.quantity == D("1")
    assert applied.cash == D("11.30")
    # the fraction's cost is a third of 43.80 = 14.60; realized 11.30 - 14.60 = -3.30
    assert applied.realized_pnl == D("-3.30")
    assert applied.position.cost_basis == D("29.20")  # 43.80 - 14.60, the one share's cost
    assert ledger.cash == D("956.20") + D("11.30") == D("967.50")
    ledger.check_invariants()


def test_a_flat_book_is_left_alone() -> None:
    ledger = PortfolioLedger(D("10000"))
    assert (
        ledger.apply_corporate_action(_aapl(date(2020, 8, 31), "split"), _at(date(2020, 8, 31)))
        is None
    )
    assert ledger.cash == D("10000")


def test_a_reverse_split_leaving_only_a_fraction_closes_the_round_trip() -> None:
    factor_file = FactorFile.read(FIXTURES / "aig.csv")
    (reverse,) = [a for a in factor_file.ledger_actions() if a.ex_date == date(2009, 7, 1)]
    ledger = PortfolioLedger(D("1000"))
    # 10 shares at the 2009-06-30 open 1.33: cost 13.30; 10 / 20 = half a share, all in cash
    ledger.apply_fill(_fill("AIG", Side.BUY, "10", "1.33", date(2009, 6, 30)))
    applied = ledger.apply_corporate_action(reverse, _at(date(2009, 7, 1)))

    assert applied is not None
    assert applied.position.quantity == 0
    assert applied.cash == D("11.30")  # 0.5 x 22.60
    assert applied.realized_pnl == D("11.30") - D("13.30") == D("-2.00")
    assert applied.trade is not None
    assert applied.trade.pnl == D("-2.00")
    assert ledger.positions == {}
    assert ledger.cash == D("1000") - D("13.30") + D("11.30") == D("998.00")
    ledger.check_invariants()


def test_a_split_in_a_futures_account_blocks_the_margin_of_the_new_contracts() -> None:
    """A futures account holding 10 raw AAPL (multiplier 1, initial margin 100 a contract)
    through the 7:1 split of 2014-06-09 holds 70, each blocking its margin: cash pays the 6000
    more that 60 new contracts block, and equity is what the prices made, not a jump."""
    rules = AccountRules(
        AccountKind.FUTURES, contracts={"AAPL": ContractTerms(D(1), D(100), D(100))}
    )
    ledger = PortfolioLedger(D("10000"), rules)
    ledger.apply_fill(_fill("AAPL", Side.BUY, "10", "646.25", date(2014, 6, 5)))
    assert ledger.cash == D("9000")  # 10 contracts block 1000
    # equity at the 2014-06-06 close 645.57: 10000 + 10 x (645.57 - 646.25) = 9993.20
    assert ledger.equity({"AAPL": D("645.57")}) == D("9993.20")

    ledger.apply_corporate_action(_aapl(date(2014, 6, 9), "split"), _at(date(2014, 6, 9)))

    assert ledger.position("AAPL").quantity == D(70)
    assert ledger.blocked_margin() == D(7000)
    assert ledger.cash == D("3000")  # 9000 - 60 x 100
    ledger.check_invariants()
    # the 2014-06-09 close 93.70: 10000 + 70 x 93.70 - 6462.50 = 10096.50 (no split jump)
    assert ledger.equity({"AAPL": D("93.70")}) == D("10096.50")
