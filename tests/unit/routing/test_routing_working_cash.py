"""The cash check counts the entry orders still working (``PortfolioView.working_entries``),
as a broker's buying power is reduced by open orders: their notional (a contract's initial
margin) plus the fee model's estimate comes off the budget before a new entry is sized."""

from __future__ import annotations

from decimal import Decimal

from test_routing_working_entries import PRICE, entry, with_working

from paperdesk.domain import (
    AccountKind,
    AssetClass,
    Direction,
    Instrument,
    OrderIntent,
    OrderRole,
    Side,
    WorkingEntry,
)
from paperdesk.routing import (
    Adjusted,
    CashAndBuyingPower,
    ExposureCap,
    FeeFunction,
    NullFilter,
    PercentOfEquity,
    SignalRouter,
)

D = Decimal
AAPL, MSFT = Instrument.equity("AAPL"), Instrument.equity("MSFT")
FEE = FeeFunction(lambda quantity, price: quantity * price * D("0.002"))


def notes(outcome: object) -> tuple[Decimal, tuple[str, ...]]:
    assert isinstance(outcome, Adjusted)
    return outcome.intent.quantity, outcome.notes


def test_a_long_counts_the_working_buys_notional_and_estimated_fee(make_view) -> None:
    buy = WorkingEntry("MSFT", Side.BUY, D(20), D(150), MSFT)  # a limit, valued at its limit
    short = WorkingEntry("MSFT", Side.SELL, D(10), D(150), MSFT)  # a short pays no cash
    unpriced = WorkingEntry("GOOG", Side.BUY, D(5), None)  # no price known: adds nothing
    view = with_working(make_view("10000"), buy, short, unpriced)

    outcome = CashAndBuyingPower(FEE).check(entry("100"), view, AAPL, PRICE)

    # 20 x 150 + 0.2% fee = 3,006.00; 6,994.00 left pays 69 at 100 plus 0.2%
    assert notes(outcome) == (
        D(69),
        (
            "cash 10,000.00 less working entries 3,006.00 cannot pay for the AAPL entry and "
            "its fee; AAPL quantity trimmed from 100 to 69",
        ),
    )
    fits = entry("69")
    assert CashAndBuyingPower(FEE).check(fits, view, AAPL, PRICE) is fits


def test_nothing_counted_leaves_the_message_as_it_was(make_view) -> None:
    view = with_working(make_view("1000"), WorkingEntry("MSFT", Side.SELL, D(5), D(100), MSFT))
    assert notes(CashAndBuyingPower().check(entry("20"), view, AAPL, PRICE)) == (
        D(10),
        ("cash 1,000.00 cannot pay for the AAPL entry and its fee; AAPL quantity trimmed from "
         "20 to 10",),
    )  # fmt: skip


def test_a_short_counts_the_working_short_entries_as_open_shorts(make_view) -> None:
    view = with_working(
        make_view("10000"),
        WorkingEntry("MSFT", Side.SELL, D(30), D(100), MSFT),
        WorkingEntry("MSFT", Side.BUY, D(30), D(100), MSFT),  # a long needs no short margin
    )
    outcome = CashAndBuyingPower().check(entry("80", Side.SELL), view, AAPL, PRICE)
    assert notes(outcome) == (
        D(70),
        (
            "a short needs 100% margin: equity 10,000.00 less open shorts 0.00 and working "
            "short entries 3,000.00 leaves 7,000.00; AAPL quantity trimmed from 80 to 70",
        ),
    )


def test_a_margin_account_counts_the_working_entries_of_both_sides(make_view) -> None:
    rule = CashAndBuyingPower(kind=AccountKind.MARGIN, leverage=D(2))
    view = with_working(
        make_view("10000"),
        WorkingEntry("MSFT", Side.BUY, D(30), D(100), MSFT),
        WorkingEntry("MSFT", Side.SELL, D(10), D(100), MSFT),
    )
    outcome = rule.check(entry("200"), view, AAPL, PRICE)
    assert notes(outcome) == (
        D(160),
        (
            "buying power 16,000.00 (equity 10,000.00 x leverage 2 - gross exposure 0.00 - "
            "working entries 4,000.00) cannot pay for the AAPL entry and its fee; AAPL "
            "quantity trimmed from 200 to 160",
        ),
    )


def test_a_futures_account_counts_the_working_contracts_initial_margin(make_view) -> None:
    future = Instrument("ES", AssetClass.FUTURE, multiplier=D(50), initial_margin=D(1000))
    rule = CashAndBuyingPower(kind=AccountKind.FUTURES)
    view = with_working(make_view("5000"), WorkingEntry("ES", Side.BUY, D(2), D(4000), future))
    intent = OrderIntent("ES", Side.BUY, D(5), role=OrderRole.ENTRY)

    outcome = rule.check(intent, view, future, D(4000))

    assert notes(outcome) == (
        D(3),
        (
            "free cash 5,000.00 less working entries 2,000.00 cannot block the initial margin "
            "1,000.00 x 5 ES contracts and the fee; ES quantity trimmed from 5 to 3",
        ),
    )


def test_a_reversal_does_not_count_the_working_entries_its_exit_replaces(
    make_view, make_signal
) -> None:
    """The exit cancels every working order of the symbol, its resting entry too, so the
    entry after it is checked without them (``_after_exit``)."""
    router = SignalRouter(
        NullFilter(), PercentOfEquity(D(80)), ExposureCap(D(80)), allow_short=True
    )
    held = make_view("5000", positions={"AAPL": ("50", "100")}, prices={"AAPL": "100"})
    view = with_working(held, WorkingEntry("AAPL", Side.BUY, D(30), D(100), AAPL))

    decision = router.route(make_signal(Direction.SHORT), view, AAPL, PRICE)

    [exit_intent, short] = decision.intents
    assert exit_intent.role is OrderRole.EXIT
    assert (short.quantity, decision.notes) == (D(80), ())
