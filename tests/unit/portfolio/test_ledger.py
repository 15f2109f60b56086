"""Exact accounting of the in-memory ledger: long, short, reversals, round trips, invariants."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from paperdesk.domain import Fill, InvalidInputError, Side
from paperdesk.portfolio import PortfolioLedger

T0 = datetime(2024, 1, 2, 15, tzinfo=UTC)
D = Decimal


def fill(side: Side, quantity: str, price: str, fee: str = "0", minutes: int = 0) -> Fill:
    return Fill("O", "SPY", side, D(quantity), D(price), D(fee), T0 + timedelta(minutes=minutes))


def test_long_round_trip_books_cash_realized_pnl_and_one_trade() -> None:
    ledger = PortfolioLedger(D("10000"))
    ledger.apply_fill(fill(Side.BUY, "10", "100", "1"))
    assert ledger.cash == D("8999")
    assert ledger.position("SPY").quantity == D("10")
    assert ledger.equity({"SPY": D("105")}) == D("10049")
    realized = ledger.apply_fill(fill(Side.SELL, "10", "110", "1", minutes=5))
    assert realized == D("100")
    assert ledger.cash == D("10098")
    assert ledger.position("SPY").is_flat
    [trade] = ledger.trades
    assert (trade.side, trade.quantity, trade.entry_price, trade.exit_price) == (
        Side.BUY,
        D("10"),
        D("100"),
        D("110"),
    )
    assert trade.fees == D("2")
    assert trade.pnl == D("98")
    assert trade.ts_exit - trade.ts_entry == timedelta(minutes=5)


def test_short_round_trip_profits_when_price_falls() -> None:
    ledger = PortfolioLedger(D("10000"))
    ledger.apply_fill(fill(Side.SELL, "5", "200"))
    assert ledger.cash == D("11000")
    assert ledger.equity({"SPY": D("190")}) == D("10050")
    assert ledger.unrealized_pnl({"SPY": D("190")}) == D("50")
    ledger.apply_fill(fill(Side.BUY, "5", "190", minutes=1))
    assert ledger.cash == D("10050")
    assert ledger.realized_pnl == D("50")
    [trade] = ledger.trades
    assert trade.side is Side.SELL
    assert trade.pnl == D("50")


def test_average_cost_of_added_lots_and_partial_close() -> None:
    ledger = PortfolioLedger(D("10000"))
    ledger.apply_fill(fill(Side.BUY, "1", "100"))
    ledger.apply_fill(fill(Side.BUY, "2", "103"))
    position = ledger.position("SPY")
    assert position.average_price == D("102")
    realized = ledger.apply_fill(fill(Side.SELL, "1", "110"))
    assert realized == D("8")
    assert ledger.position("SPY").quantity == D("2")
    assert ledger.trades == []  # still open
    ledger.check_invariants()


def test_reversal_closes_the_trade_and_opens_the_opposite_position_at_the_fill_price() -> None:
    ledger = PortfolioLedger(D("10000"))
    ledger.apply_fill(fill(Side.BUY, "10", "100", "2"))
    ledger.apply_fill(fill(Side.SELL, "25", "120", "5", minutes=1))
    position = ledger.position("SPY")
    assert position.quantity == D("-15")
    assert position.average_price == D("120")
    [trade] = ledger.trades
    assert trade.pnl == D("200") - D("2") - D("2")  # the closing part carries 10/25 of the fee
    ledger.apply_fill(fill(Side.BUY, "15", "100", minutes=2))
    assert len(ledger.trades) == 2
    assert ledger.trades[1].side is Side.SELL
    assert ledger.trades[1].pnl == D("300") - D("3")
    ledger.check_invariants()
    assert ledger.cash == D("10000") + D("500") - D("7")


def test_non_positive_fill_and_starting_cash_are_rejected() -> None:
    with pytest.raises(InvalidInputError, match="starting cash must be positive"):
        PortfolioLedger(D("0"))
    ledger = PortfolioLedger(D("100"))
    with pytest.raises(InvalidInputError, match="fill quantity must be positive"):
        ledger.apply_fill(fill(Side.BUY, "0", "10"))
    assert ledger.cash == D("100")


def test_check_invariants_detects_a_tampered_cash_balance() -> None:
    ledger = PortfolioLedger(D("1000"))
    ledger.apply_fill(fill(Side.BUY, "3", "7.5"))
    ledger.cash += D("0.01")
    with pytest.raises(AssertionError, match="cash"):
        ledger.check_invariants()


fills_strategy = st.lists(
    st.tuples(
        st.sampled_from([Side.BUY, Side.SELL]),
        st.decimals(min_value=D("0.001"), max_value=D("50"), places=3),
        st.decimals(min_value=D("0.01"), max_value=D("1000"), places=2),
        st.decimals(min_value=D("0"), max_value=D("5"), places=4),
    ),
    max_size=40,
)


@settings(max_examples=300, deadline=None)
@given(fills_strategy, st.decimals(min_value=D("0.01"), max_value=D("1000"), places=2))
def test_ledger_identities_hold_exactly_after_any_fill_sequence(
    fills: list[tuple[Side, Decimal, Decimal, Decimal]], mark: Decimal
) -> None:
    ledger = PortfolioLedger(D("100000"))
    for minute, (side, quantity, price, fee) in enumerate(fills):
        ledger.apply_fill(
            Fill("O", "SPY", side, quantity, price, fee, T0 + timedelta(minutes=minute))
        )
    ledger.check_invariants()
    position = ledger.position("SPY")
    signed_total = sum((f.signed_quantity for f in ledger.fills), D(0))
    assert position.quantity == signed_total
    assert ledger.equity({"SPY": mark}) == ledger.cash + position.quantity * mark
    assert ledger.fees == sum((f.fee for f in ledger.fills), D(0))
    if position.is_flat:
        # with the book flat, the round trips explain every realized gain and every fee
        # (a reversal's fee is split pro rata, so allow for the 28-digit division)
        gross = sum((t.pnl + t.fees for t in ledger.trades), D(0))
        assert abs(gross - ledger.realized_pnl) < D("1e-12")
        assert abs(sum((t.fees for t in ledger.trades), D(0)) - ledger.fees) < D("1e-12")


def test_a_restored_ledger_checks_its_positions_from_the_state_it_restored() -> None:
    ledger = PortfolioLedger(D("10000"))
    ledger.apply_fill(fill(Side.BUY, "10", "100", "1"))
    ledger.apply_fill(fill(Side.SELL, "4", "120", minutes=1))  # SPY 6 at the state
    restored = PortfolioLedger.restore(D("10000"), ledger.state())
    restored.check_invariants()  # no fills since the state: the positions are the state's
    restored.apply_fill(fill(Side.BUY, "3", "104", "1", minutes=2))
    restored.apply_fill(fill(Side.SELL, "1", "106", minutes=3))
    restored.check_invariants()  # 6 + 3 - 1: the state's quantity plus the later fills
    assert restored.position("SPY").quantity == D("8")
    restored.positions["SPY"] = restored.positions["SPY"]._replace(quantity=D("7"))
    with pytest.raises(AssertionError, match="SPY position 7 != sum of fills and splits 8"):
        restored.check_invariants()
