"""The fast path's round-trip prices and quantity are ``OpenTrade``'s digit for digit, exponents
included: an adjusted price of positive exponent (``50.5 x 1E+2 = 5.05E+3``) averages to
``5050`` on the event kernel's ledger (found by hypothesis in ``test_fastpath_adjusted_wide``)."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from paperdesk.domain import ZERO, Side
from paperdesk.domain.money import plus
from paperdesk.engine.fastpath.objects import one_fill_average
from paperdesk.portfolio.round_trips import OpenTrade

_TS = datetime(2024, 1, 2, 16, tzinfo=UTC)

_DECIMALS = st.builds(
    lambda digits, exponent: Decimal(digits).scaleb(exponent),
    st.integers(1, 10**12),
    st.integers(-10, 6),
)


def _trade(quantity: Decimal, entry: Decimal, exit_price: Decimal) -> tuple[str, str, str]:
    trade = OpenTrade("TEST", Side.SELL, _TS, "s")
    trade.add_entry(quantity, entry, ZERO)
    trade.add_exit(quantity, exit_price, ZERO, ZERO)
    closed = trade.close(_TS, "take-profit")
    return repr(closed.quantity), repr(closed.entry_price), repr(closed.exit_price)


def test_an_adjusted_price_of_positive_exponent_averages_as_the_ledger_does() -> None:
    price = Decimal("50.5") * Decimal("1E+2")
    assert repr(price) == "Decimal('5.05E+3')"
    assert repr(one_fill_average(Decimal(3), price)) == "Decimal('5050')"
    assert _trade(Decimal(3), price, price)[1:] == ("Decimal('5050')", "Decimal('5050')")


def test_a_price_of_exponent_zero_or_less_is_kept_as_it_is() -> None:
    price = Decimal("101.25")
    assert one_fill_average(Decimal(7), price) is price


@settings(max_examples=300, deadline=None)
@given(quantity=_DECIMALS, entry=_DECIMALS, exit_price=_DECIMALS)
def test_the_fast_paths_round_trip_figures_equal_open_trades(
    quantity: Decimal, entry: Decimal, exit_price: Decimal
) -> None:
    assert _trade(quantity, entry, exit_price) == (
        repr(plus(ZERO, quantity)),
        repr(one_fill_average(quantity, entry)),
        repr(one_fill_average(quantity, exit_price)),
    )
