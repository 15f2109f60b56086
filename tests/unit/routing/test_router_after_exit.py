"""``SignalRouter._after_exit`` (the view once a reversed position's exit filled) reads the view
by position and skips its positions' copy when the closed position was the only one; it must
build what the code it replaced built, kept verbatim below as the reference."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from paperdesk.config import RiskConfig, SizingConfig
from paperdesk.domain import (
    ZERO,
    Instrument,
    PortfolioView,
    Position,
    Side,
    WorkingEntry,
)
from paperdesk.execution.fees import NoFee, PercentOfNotional
from paperdesk.routing import build_router
from paperdesk.routing.affordability import FeeEstimator

D = Decimal
TS = datetime(2024, 1, 2, 21, 0, tzinfo=UTC)
AAPL = Instrument.equity("AAPL")


def after_exit_before(
    view: PortfolioView,
    instrument: Instrument,
    held: Decimal,
    price: Decimal,
    estimator: FeeEstimator | None,
) -> PortfolioView:
    symbol = instrument.symbol
    fee = estimator.fee(abs(held), price, instrument) if estimator is not None else ZERO
    mark = view.prices.get(symbol, price)
    positions = {
        name: held_position for name, held_position in view.positions.items() if name != symbol
    }
    symbols, working = view.working_entry_symbols, view.working_entries
    if working:
        symbols = symbols - {symbol}
        working = tuple(entry for entry in working if entry.symbol != symbol)
    return PortfolioView(
        view.ts,
        view.cash + held * price - fee,
        view.equity + held * (price - mark) - fee,
        positions,
        view.prices,
        view.day_start_equity,
        symbols,
        working,
    )


def decimals(low: str, high: str, places: int) -> st.SearchStrategy[Decimal]:
    return st.decimals(D(low), D(high), places=places, allow_nan=False, allow_infinity=False)


@settings(max_examples=200, deadline=None)
@given(
    held=decimals("-900", "900", 0).filter(bool),
    other=st.one_of(st.none(), decimals("-900", "900", 0)),
    cash=decimals("-1000", "100000", 2),
    price=decimals("0.01", "500", 2),
    mark=st.one_of(st.none(), decimals("0.01", "500", 2)),
    working=st.lists(st.sampled_from(["AAPL", "MSFT"]), max_size=3),
    fee=st.integers(0, 2),
)
def test_the_view_after_an_exit_is_as_before(
    held: Decimal,
    other: Decimal | None,
    cash: Decimal,
    price: Decimal,
    mark: Decimal | None,
    working: list[str],
    fee: int,
) -> None:
    estimator = [None, NoFee(), PercentOfNotional(D("0.1"))][fee]
    router = build_router(SizingConfig(), RiskConfig(allow_short=True), fees=estimator)
    positions = {"AAPL": Position("AAPL", held, D(100))}
    if other is not None:
        positions["MSFT"] = Position("MSFT", other, D(50))
    prices = {} if mark is None else {"AAPL": mark}
    entries = tuple(WorkingEntry(symbol, Side.BUY, D(1), D(10)) for symbol in working)
    view = PortfolioView(
        TS, cash, cash + D(7), positions, prices, None, frozenset(working), entries
    )
    after = router._after_exit(view, AAPL, held, price)
    expected = after_exit_before(view, AAPL, held, price, estimator)
    assert after == expected
    assert [value.as_tuple() for value in after[1:3]] == [
        value.as_tuple() for value in expected[1:3]
    ]
    assert type(after.positions) is dict
    assert after.positions is not view.positions
