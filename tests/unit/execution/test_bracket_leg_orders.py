"""A bracket entry's pending legs (``bracket_leg_records``, the fields read by position) read as
the ``Order``s the validating constructor builds from the entry's fields, and a leg whose price
the tick rounds to zero is refused as the constructor refuses it. Through a book (quiet or
loud), every record ``submit`` builds from an intent reads as the constructor's ``Order``, and
an intent refused is refused with the constructor's error, nothing stored."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from paperdesk.domain import (
    Instrument,
    InvalidInputError,
    Order,
    OrderIntent,
    OrderRole,
    OrderStatus,
    OrderType,
    Side,
    TimeInForce,
)
from paperdesk.execution.expiry import day_order_expiry
from paperdesk.execution.orders_from_intents import (
    bracket_leg_records,
    levels_on_the_tick,
    rejection_reason,
)

from ._support import INSTRUMENTS, make_book, session_close

D = Decimal
TS = datetime(2024, 3, 4, 14, 30, tzinfo=UTC)
EQUITY = Instrument.equity("AAA")
_PRICES = st.none() | st.decimals("0.5", "500", places=3)


def _expected(
    intent: OrderIntent, leg_ids: list[str], instrument: Instrument = EQUITY, ts: datetime = TS
) -> list[Order]:
    stop, target = levels_on_the_tick(intent.side, intent.stop_loss, intent.take_profit, instrument)
    quantity = intent.quantity if intent.quantity > 0 else instrument.lot_size
    legs: list[Order] = []
    ids = iter(leg_ids)
    for role, price, order_type, reason in (
        (OrderRole.STOP_LOSS, stop, OrderType.STOP, "stop loss"),
        (OrderRole.TAKE_PROFIT, target, OrderType.LIMIT, "take profit"),
    ):
        if price is None:
            continue
        leg_id = next(ids)
        legs.append(
            Order(
                leg_id,
                leg_id,
                intent.symbol,
                intent.side.opposite,
                order_type,
                quantity,
                ts,
                price if order_type is OrderType.LIMIT else None,
                price if order_type is OrderType.STOP else None,
                role=role,
                parent_id="O1",
                status=OrderStatus.PENDING,
                ts_updated=ts,
                strategy=intent.strategy,
                reason=reason,
            )
        )
    return legs


@given(
    st.sampled_from([Side.BUY, Side.SELL]),
    st.sampled_from(["0", "1", "7", "250"]),
    _PRICES,
    _PRICES,
    st.booleans(),
)
def test_the_legs_are_the_orders_the_constructor_builds(
    side: Side, quantity: str, stop_loss: Decimal | None, take_profit: Decimal | None, all_in: bool
) -> None:
    if stop_loss is None and take_profit is None:
        return
    fraction = D("0.5") if all_in or quantity == "0" else None
    intent = OrderIntent(
        "AAA",
        side,
        D(quantity),
        stop_loss=stop_loss,
        take_profit=take_profit,
        size_fraction=fraction,
        strategy="macd-cross",
    )
    leg_ids = [f"O{n}" for n in range(2, 2 + (stop_loss is not None) + (take_profit is not None))]
    legs = [leg.snapshot() for leg in bracket_leg_records(intent, "O1", leg_ids, EQUITY, TS)]
    assert [repr(leg) for leg in legs] == [repr(leg) for leg in _expected(intent, leg_ids)]
    assert all(type(leg) is Order for leg in legs)


@pytest.mark.parametrize("take_profit", [None, D("150")])
def test_a_stop_rounded_to_a_zero_price_is_refused(take_profit: Decimal | None) -> None:
    intent = OrderIntent("AAA", Side.BUY, D(5), stop_loss=D("0.001"), take_profit=take_profit)
    with pytest.raises(InvalidInputError, match="stop price"):
        bracket_leg_records(intent, "O1", ["O2", "O3"], EQUITY, TS)


_KINDS = [
    (OrderType.MARKET, None, None),
    (OrderType.LIMIT, D("99"), None),
    (OrderType.STOP, None, D("101")),
    (OrderType.STOP_LIMIT, D("102"), D("101")),
]
# a tick-rounded zero ("0.001"), a refused non-positive price, both sides of an entry
_LEVELS = st.sampled_from([None, None, D("0.001"), D("-1"), D("90.004"), D("110.006")])
_SUBMITTED_AT = datetime(2024, 3, 4, 15, 0, tzinfo=UTC)


def _constructors(
    intent: OrderIntent, client_order_id: str | None
) -> list[Order] | InvalidInputError:
    """What ``submit`` on a fresh book must give for ``intent``: the orders the validating
    constructor builds (the entry, then its legs), or the error it raises."""
    ts, entry_id = _SUBMITTED_AT, "O1"
    client_id = entry_id if client_order_id is None else client_order_id
    instrument = INSTRUMENTS.get(intent.symbol)
    rejected = rejection_reason(intent, instrument, INSTRUMENTS) is not None
    status, ts_expire, legs = OrderStatus.REJECTED, None, []
    if not rejected:
        assert instrument is not None
        status = OrderStatus.ACCEPTED
        if intent.time_in_force is TimeInForce.DAY:
            ts_expire = day_order_expiry(instrument.calendar, ts, session_close)
        count = (intent.stop_loss is not None) + (intent.take_profit is not None)
        try:
            legs = _expected(intent, [f"O{n}" for n in range(2, 2 + count)], instrument, ts)
        except InvalidInputError as error:
            return error
        legs = [leg._replace(parent_id=entry_id) for leg in legs]
    entry = Order(
        entry_id,
        client_id,
        intent.symbol,
        intent.side,
        intent.order_type,
        intent.quantity,
        ts,
        intent.limit_price,
        intent.stop_price,
        intent.time_in_force,
        intent.role,
        None,
        status,
        D(0),
        None,
        False,
        ts_expire,
        ts,
        intent.size_fraction,
        intent.strategy,
        intent.reason,
        tuple(leg.order_id for leg in legs),
    )
    return [entry, *legs]


@settings(max_examples=300, deadline=None)
@given(
    kind=st.sampled_from(_KINDS),
    side=st.sampled_from([Side.BUY, Side.SELL]),
    quantity=st.sampled_from(["0", "1", "7", "0.5"]),
    time_in_force=st.sampled_from(list(TimeInForce)),
    role=st.sampled_from([OrderRole.ENTRY, OrderRole.EXIT]),
    stop_loss=_LEVELS,
    take_profit=_LEVELS,
    all_in=st.booleans(),
    symbol=st.sampled_from(["AAA", "EURUSD", "ZZZ"]),
    client_order_id=st.sampled_from([None, "mine"]),
    quiet=st.booleans(),
)
def test_submit_builds_the_constructors_orders_from_the_intent(
    kind: tuple[OrderType, Decimal | None, Decimal | None],
    side: Side,
    quantity: str,
    time_in_force: TimeInForce,
    role: OrderRole,
    stop_loss: Decimal | None,
    take_profit: Decimal | None,
    all_in: bool,
    symbol: str,
    client_order_id: str | None,
    quiet: bool,
) -> None:
    order_type, limit_price, stop_price = kind
    try:
        intent = OrderIntent(
            symbol,
            side,
            D(quantity),
            order_type,
            limit_price,
            stop_price,
            time_in_force,
            role,
            stop_loss,
            take_profit,
            D("0.5") if all_in or quantity == "0" else None,
            "sma-cross",
            "a cross",
        )
    except InvalidInputError:
        assume(False)
        raise
    book = make_book()
    if quiet:
        book.quiet()
    expected = _constructors(intent, client_order_id)
    if isinstance(expected, InvalidInputError):
        with pytest.raises(InvalidInputError) as refused:
            book.submit(intent, _SUBMITTED_AT, client_order_id)
        assert type(refused.value) is type(expected)
        assert str(refused.value) == str(expected)
        assert book.all_orders() == []
        assert book.last_submitted is None
        return
    events = book.submit(intent, _SUBMITTED_AT, client_order_id)
    wanted = [repr(order) for order in expected]
    assert [repr(order) for order in book.all_orders()] == wanted
    assert [repr(book.get(order.order_id)) for order in expected] == wanted
    assert repr(book.last_submitted) == wanted[0]
    if expected[0].status is OrderStatus.REJECTED or not quiet:
        assert [repr(event.order) for event in events] == wanted  # type: ignore[attr-defined]
    else:
        assert events == []
