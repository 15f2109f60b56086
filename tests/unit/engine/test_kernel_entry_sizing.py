"""The kernel sizes an entry at its fill price (``TradingKernel._size_entry``) on the order's
fields, through ``SignalRouter.quantity_at_fill`` and ``checked_at_fill``, building the intent
once at the size the fill allows. It must answer what the code it replaced answered digit for
digit: an intent rebuilt from the order at the order's quantity, ``sized_at_fill`` as it was
(all-in sizing, then the intent resized, then the risk rules), then ``entry_fill_quantity``.
The reference below is that code, kept verbatim."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from paperdesk.config import RiskConfig, SizeTiming, SizingConfig
from paperdesk.domain import (
    ZERO,
    AssetClass,
    Fill,
    Instrument,
    Order,
    OrderIntent,
    OrderRole,
    OrderType,
    PortfolioView,
    Side,
    TimeInForce,
)
from paperdesk.engine.kernel import TradingKernel
from paperdesk.execution import OrderBook, entry_fill_quantity
from paperdesk.execution.costs import CostModels
from paperdesk.execution.fees import NoFee, PercentOfNotional, PerShare
from paperdesk.execution.simulated import SimulatedVenue
from paperdesk.execution.slippage import NoSlippage
from paperdesk.portfolio import PortfolioLedger
from paperdesk.routing import SignalRouter, build_router
from paperdesk.routing.affordability import FeeEstimator, max_affordable_quantity
from paperdesk.routing.outcomes import Adjusted, Rejection

D = Decimal
SPY = Instrument.equity("SPY")
LOTS = Instrument("LOTS", AssetClass.EQUITY, lot_size=D(10))
TS = datetime(2024, 1, 2, 21, 0, tzinfo=UTC)
FEES: list[FeeEstimator | None] = [
    None,
    NoFee(),
    PercentOfNotional(D("0.2")),
    PerShare(D("0.005"), D("1")),
]


def sized_at_fill_before(
    router: SignalRouter,
    intent: OrderIntent,
    view: PortfolioView,
    instrument: Instrument,
    price: Decimal,
    fee_estimator: FeeEstimator | None,
) -> tuple[Decimal, str]:
    """``SignalRouter.sized_at_fill`` before the kernel built its intent at the fill's size."""
    fraction = intent.size_fraction
    if fraction is None:
        quantity = intent.quantity
    else:
        quantity = max_affordable_quantity(view.equity * fraction, price, instrument, fee_estimator)
    if quantity <= ZERO:
        return ZERO, ""
    resized = intent if quantity is intent.quantity else intent.with_quantity(quantity)
    outcome = router._risk.check(resized, view, instrument, price)
    if isinstance(outcome, Rejection):
        return ZERO, outcome.reason
    if isinstance(outcome, Adjusted):
        return outcome.intent.quantity, "; ".join(outcome.notes)
    return outcome.quantity, ""


def size_entry_before(
    kernel: TradingKernel, order: Order, price: Decimal, fee_estimator: FeeEstimator | None
) -> tuple[Decimal, str]:
    """``TradingKernel._size_entry`` before: the intent rebuilt from the order, then resized."""
    instrument = kernel.instruments[order.symbol]
    prices = dict(kernel.prices)
    prices[order.symbol] = price
    view = kernel.ledger.view(order.ts_submitted, prices)
    intent = OrderIntent(
        order.symbol,
        order.side,
        order.quantity,
        OrderType.MARKET,
        None,
        None,
        TimeInForce.GTC,
        order.role,
        None,
        None,
        order.size_fraction,
        order.strategy,
        "",
    )
    sized, reason = sized_at_fill_before(
        kernel.router, intent, view, instrument, price, fee_estimator
    )
    return entry_fill_quantity(order, sized, instrument), reason


def kernel_for(
    cash: Decimal,
    fee_estimator: FeeEstimator | None,
    fraction: Decimal | None,
    exposure_cap: Decimal | None,
    max_position: Decimal | None,
) -> TradingKernel:
    instruments = {"SPY": SPY, "LOTS": LOTS}
    if fraction is None:
        sizing = SizingConfig(method="fixed", quantity=D(1))
    else:
        sizing = SizingConfig(percent=fraction * 100, timing=SizeTiming.FILL)
    risk = RiskConfig(
        allow_short=True, exposure_cap_percent=exposure_cap, max_position_percent=max_position
    )
    router = build_router(sizing, risk, fees=fee_estimator)
    venue = SimulatedVenue(instruments, CostModels(fee_estimator or NoFee(), NoSlippage()))
    return TradingKernel(instruments, router, OrderBook(instruments), venue, PortfolioLedger(cash))


def decimals(low: str, high: str, places: int) -> st.SearchStrategy[Decimal]:
    return st.decimals(D(low), D(high), places=places, allow_nan=False, allow_infinity=False)


def digits(value: tuple[Decimal, str]) -> tuple[tuple[int, tuple[int, ...], int | str], str]:
    """A quantity's sign, digits and exponent (``1E+1`` is not ``10``), and the reason."""
    return value[0].as_tuple(), value[1]


@settings(max_examples=300, deadline=None)
@given(
    cash=decimals("0.01", "2000000", 2),
    held=st.one_of(st.none(), decimals("-5000", "5000", 0)),
    held_price=decimals("0.01", "900", 2),
    mark=decimals("0.01", "900", 2),
    price=decimals("0.01", "900", 4),
    side=st.sampled_from([Side.BUY, Side.SELL]),
    quantity=decimals("1", "3000", 0),
    fraction=st.one_of(
        st.none(),
        decimals("0.0001", "1", 4),
        st.just(D(1 - 2.220446049250313e-16)),  # the benchmark's all-in fraction
    ),
    fee_index=st.integers(0, len(FEES) - 1),
    exposure_cap=st.one_of(st.none(), decimals("1", "200", 0)),
    max_position=st.one_of(st.none(), decimals("1", "100", 0)),
    lots=st.booleans(),
)
def test_the_kernel_sizes_an_entry_at_the_fill_as_before(
    cash: Decimal,
    held: Decimal | None,
    held_price: Decimal,
    mark: Decimal,
    price: Decimal,
    side: Side,
    quantity: Decimal,
    fraction: Decimal | None,
    fee_index: int,
    exposure_cap: Decimal | None,
    max_position: Decimal | None,
    lots: bool,
) -> None:
    fee_estimator = FEES[fee_index]
    kernel = kernel_for(cash, fee_estimator, fraction, exposure_cap, max_position)
    symbol = "LOTS" if lots else "SPY"
    if held:
        kernel.ledger.apply_fill(
            Fill(
                "held",
                symbol,
                Side.BUY if held > 0 else Side.SELL,
                abs(held) * (10 if lots else 1),
                held_price,
                ZERO,
                TS - timedelta(days=1),
            )
        )
    kernel.prices[symbol] = mark
    order_quantity = quantity * (10 if lots else 1)
    intent = OrderIntent(
        symbol,
        side,
        order_quantity,
        role=OrderRole.ENTRY,
        size_fraction=fraction,
        strategy="sma-cross",
        reason="a cross",
    )
    kernel.orders.submit(intent, TS)
    order = kernel.orders.last_submitted
    assert order is not None
    expected = size_entry_before(kernel, order, price, fee_estimator)
    assert digits(kernel._size_entry(order, price)) == digits(expected)


@settings(max_examples=200, deadline=None)
@given(
    equity=decimals("-100", "2000000", 2),
    price=decimals("0.01", "900", 4),
    quantity=decimals("1", "3000", 0),
    fraction=st.one_of(st.none(), decimals("0.0001", "1", 4)),
    fee_index=st.integers(0, len(FEES) - 1),
    side=st.sampled_from([Side.BUY, Side.SELL]),
)
def test_sized_at_fill_answers_as_before(
    equity: Decimal,
    price: Decimal,
    quantity: Decimal,
    fraction: Decimal | None,
    fee_index: int,
    side: Side,
) -> None:
    """``sized_at_fill`` itself (now ``quantity_at_fill`` then ``checked_at_fill``)."""
    fee_estimator = FEES[fee_index]
    kernel = kernel_for(D(1000), fee_estimator, fraction, None, None)
    view = PortfolioView(TS, equity, equity)
    intent = OrderIntent("SPY", side, quantity, size_fraction=fraction)
    expected = sized_at_fill_before(kernel.router, intent, view, SPY, price, fee_estimator)
    assert digits(kernel.router.sized_at_fill(intent, view, SPY, price)) == digits(expected)
