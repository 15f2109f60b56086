"""The risk rules count the entry orders still working (``PortfolioView.working_entries``):
``ExposureCap`` their notional, ``MaxPositionSize`` the same symbol's on the same side,
``MaxOpenPositions`` a symbol with one as open."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from paperdesk.domain import (
    Direction,
    Instrument,
    OrderIntent,
    OrderRole,
    PortfolioView,
    Side,
    WorkingEntry,
)
from paperdesk.routing import (
    Adjusted,
    ExposureCap,
    MaxOpenPositions,
    MaxPositionSize,
    NullFilter,
    PercentOfEquity,
    Rejection,
    SignalRouter,
)
from paperdesk.routing.wording import amount

D = Decimal
AAPL = Instrument.equity("AAPL")
PRICE = D(100)
TS = datetime(2024, 1, 2, 21, 0, tzinfo=UTC)


def entry(quantity: str, side: Side = Side.BUY) -> OrderIntent:
    return OrderIntent("AAPL", side, D(quantity), role=OrderRole.ENTRY)


def with_working(view: PortfolioView, *entries: WorkingEntry) -> PortfolioView:
    symbols = frozenset(working.symbol for working in entries)
    return view._replace(working_entry_symbols=symbols, working_entries=entries)


def test_the_exposure_cap_counts_the_working_entries_notional(make_view) -> None:
    msft = WorkingEntry("MSFT", Side.BUY, D(20), D(150))  # a limit, valued at its limit
    view = with_working(make_view("10000"), msft)
    cap = view.equity * D("0.8")
    allowed = (cap - msft.quantity * D(150)) / PRICE

    outcome = ExposureCap(D(80)).check(entry("100"), view, AAPL, PRICE)

    assert isinstance(outcome, Adjusted)
    assert outcome.intent.quantity == allowed
    assert outcome.notes == (
        "gross exposure 0.00 plus working entries 3,000.00 plus the AAPL entry would exceed "
        f"the cap 8,000.00 (80% of equity 10,000.00); AAPL quantity trimmed from 100 to "
        f"{amount(allowed)}",
    )


def test_the_exposure_cap_lets_through_what_fits_beside_the_working_entries(make_view) -> None:
    view = with_working(make_view("10000"), WorkingEntry("MSFT", Side.SELL, D(10), D(100)))
    intent = entry("70")
    assert ExposureCap(D(80)).check(intent, view, AAPL, PRICE) is intent
    assert isinstance(ExposureCap(D(80)).check(entry("71"), view, AAPL, PRICE), Adjusted)


def test_the_position_cap_adds_only_the_same_symbols_working_entries_on_the_same_side(
    make_view,
) -> None:
    same = WorkingEntry("AAPL", Side.BUY, D(15), None)
    opposite = WorkingEntry("AAPL", Side.SELL, D(50), D(100))
    other = WorkingEntry("MSFT", Side.BUY, D(50), D(100))
    view = with_working(make_view("10000"), same, opposite, other)

    outcome = MaxPositionSize(D(20)).check(entry("10"), view, AAPL, PRICE)

    allowed = view.equity * D("0.2") / PRICE - same.quantity
    assert isinstance(outcome, Adjusted)
    assert outcome.intent.quantity == allowed
    assert outcome.notes == (
        "the AAPL position plus its working entries of 15 may not exceed 2,000.00 "
        f"(20% of equity 10,000.00); AAPL quantity trimmed from 10 to {amount(allowed)}",
    )


def test_max_open_positions_counts_a_symbol_with_a_working_entry_once(make_view) -> None:
    rule = MaxOpenPositions(2)
    held = make_view(positions={"MSFT": ("1", "100")})
    pending = WorkingEntry("GOOG", Side.BUY, D(1), D(100))
    adding = WorkingEntry("MSFT", Side.BUY, D(1), D(100))  # MSFT is counted as held already

    assert rule.check(entry("1"), with_working(held, adding), AAPL, PRICE) == entry("1")
    assert rule.check(entry("1"), with_working(held, pending, adding), AAPL, PRICE) == (
        Rejection(
            "1 positions are open plus 1 with a working entry (GOOG) and the maximum is 2; "
            "not opening AAPL",
            "max_open_positions",
        )
    )
    own = WorkingEntry("AAPL", Side.BUY, D(1), D(100))  # adding to its own working entry
    intent = entry("1")
    assert rule.check(intent, with_working(held, pending, own), AAPL, PRICE) is intent


def test_a_reversal_checks_its_entry_against_the_working_entries(make_view, make_signal) -> None:
    """The router's view after the exit (``_after_exit``) keeps the working entries."""
    router = SignalRouter(
        NullFilter(), PercentOfEquity(D(50)), ExposureCap(D(80)), allow_short=True
    )
    held = make_view("5000", positions={"AAPL": ("50", "100")}, prices={"AAPL": "100"})
    view = with_working(held, WorkingEntry("MSFT", Side.BUY, D(40), D(100)))

    decision = router.route(make_signal(Direction.SHORT), view, AAPL, PRICE)

    [exit_intent, short] = decision.intents
    assert exit_intent.role is OrderRole.EXIT
    assert short.quantity == (view.equity * D("0.8") - D(40) * D(100)) / PRICE
    assert "plus working entries 4,000.00" in decision.notes[0]
