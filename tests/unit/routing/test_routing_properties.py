"""Properties: with the cash check on, entries never cost more than cash or breach the cap."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from hypothesis import assume, given, settings
from hypothesis import strategies as st
from router_options import router_with

from paperdesk.domain import Direction, Instrument, OrderRole, PortfolioView, Position, Side, Signal
from paperdesk.routing import FeeFunction, max_affordable_quantity

D = Decimal
TS = datetime(2024, 1, 2, 21, tzinfo=UTC)
INSTRUMENTS = [Instrument.equity("AAPL"), Instrument.crypto("AAPL")]

prices = st.decimals(min_value=D("0.5"), max_value=D(20000), places=2)
cash_amounts = st.decimals(min_value=0, max_value=1_000_000, places=2)
percents = st.decimals(min_value=1, max_value=100, places=1)
fee_rates = st.sampled_from([D(0), D("0.001"), D("0.002"), D("0.01")])
other_positions = st.dictionaries(
    st.sampled_from(["MSFT", "GOOG", "TSLA"]),
    st.tuples(st.integers(-100, 100), prices),
    max_size=3,
)


def rate_fee(rate: Decimal) -> FeeFunction:
    return FeeFunction(lambda quantity, price: quantity * price * rate)


@st.composite
def scenarios(draw: st.DrawFn) -> dict[str, object]:
    price = draw(prices)
    held = D(draw(st.integers(-150, 150)))
    positions = {
        symbol: Position(symbol, D(quantity), mark)
        for symbol, (quantity, mark) in draw(other_positions).items()
    }
    marks = {symbol: position.average_price for symbol, position in positions.items()}
    if held:
        positions["AAPL"] = Position("AAPL", held, price)
    marks["AAPL"] = price
    cash = draw(cash_amounts)
    equity = cash + sum((p.quantity * marks[s] for s, p in positions.items()), D(0))
    assume(equity > 0)
    view = PortfolioView(TS, cash, equity, positions, marks)
    return {
        "view": view,
        "price": price,
        "held": held,
        "direction": draw(st.sampled_from([Direction.LONG, Direction.SHORT])),
        "instrument": draw(st.sampled_from(INSTRUMENTS)),
        "cap": draw(percents),
        "percent": draw(percents),
        "fee_rate": draw(fee_rates),
        "allow_short": draw(st.booleans()),
        "pyramiding": draw(st.booleans()),
        "sizing": draw(st.sampled_from(["percent-equity", "fixed", "deferred"])),
        "fixed": D(draw(st.integers(1, 5000))),
    }


def after_exit(view: PortfolioView, held: Decimal, price: Decimal, fee) -> PortfolioView:
    exit_fee = fee(abs(held), price)
    positions = {s: p for s, p in view.positions.items() if s != "AAPL"}
    return PortfolioView(
        TS, view.cash + held * price - exit_fee, view.equity - exit_fee, positions, view.prices
    )


@settings(max_examples=400, deadline=None)
@given(scenarios())
def test_entries_fit_cash_margin_and_the_exposure_cap(case: dict[str, object]) -> None:
    view: PortfolioView = case["view"]  # type: ignore[assignment]
    price: Decimal = case["price"]  # type: ignore[assignment]
    held: Decimal = case["held"]  # type: ignore[assignment]
    instrument: Instrument = case["instrument"]  # type: ignore[assignment]
    cap: Decimal = case["cap"]  # type: ignore[assignment]
    fee = rate_fee(case["fee_rate"])  # type: ignore[arg-type]
    deferred = case["sizing"] == "deferred"
    router = router_with(
        allow_short=bool(case["allow_short"]),
        pyramiding=bool(case["pyramiding"]),
        exposure_cap_percent=cap,
        sizing_method="fixed" if case["sizing"] == "fixed" else "percent-equity",
        percent=case["percent"],  # type: ignore[arg-type]
        quantity=case["fixed"],  # type: ignore[arg-type]
        size_at_fill=deferred,
        fee_estimator=fee,
    )
    signal = Signal("prop", "AAPL", case["direction"], TS)  # type: ignore[arg-type]
    decision = router.route(signal, view, instrument, price)
    entry_view = view
    for intent in decision.intents:
        if intent.role is OrderRole.EXIT:
            assert intent.quantity == abs(held)
            entry_view = after_exit(view, held, price, fee)
            continue
        quantities = [intent.quantity]
        if deferred:
            quantities.append(router.size_at_fill(intent, entry_view, instrument, price))
        for quantity in quantities:
            cost = quantity * price + fee(quantity, price)
            if intent.side is Side.BUY:
                assert cost <= entry_view.cash
            else:
                shorts = sum(
                    (
                        -p.quantity * entry_view.prices[s]
                        for s, p in entry_view.positions.items()
                        if p.quantity < 0
                    ),
                    D(0),
                )
                assert cost <= entry_view.equity - shorts
            exposure = entry_view.gross_exposure() + quantity * price
            assert exposure <= entry_view.equity * cap / 100


fee_models = st.sampled_from(["rate", "minimum", "fixed"])


@settings(max_examples=300, deadline=None)
@given(
    budget=st.decimals(min_value=0, max_value=1_000_000, places=2),
    price=prices,
    instrument=st.sampled_from(INSTRUMENTS),
    model=fee_models,
    rate=fee_rates,
)
def test_max_affordable_is_the_largest_lot_that_fits(budget, price, instrument, model, rate):
    if model == "rate":
        fee = rate_fee(rate)
    elif model == "minimum":
        fee = FeeFunction(lambda quantity, fill: max(D(1), quantity * fill * rate))
    else:
        fee = FeeFunction(lambda quantity, fill: D("4.95"))
    quantity = max_affordable_quantity(budget, price, instrument, fee)
    assert quantity >= 0
    assert quantity == instrument.round_quantity(quantity)
    if quantity > 0:
        assert quantity * price + fee(quantity, price) <= budget
    bigger = quantity + instrument.lot_size
    assert bigger * price + fee(bigger, price) > budget
