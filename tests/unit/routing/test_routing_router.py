"""The router: direction translation, brackets, rejections, notes, cooldown, deferred sizing."""

from __future__ import annotations

import math
from decimal import Decimal

import pytest

from paperdesk.domain import (
    Direction,
    Instrument,
    InvalidInputError,
    OrderRole,
    OrderType,
    Side,
    TimeInForce,
)
from paperdesk.routing import (
    CashAndBuyingPower,
    CompositeFilter,
    CompositeRisk,
    Cooldown,
    DailyLossLimit,
    ExposureCap,
    FeeFunction,
    FixedQuantity,
    MaxOpenPositions,
    MinimumConfidence,
    NullFilter,
    NullRisk,
    OnePositionPerSymbol,
    PercentOfEquity,
    Rejection,
    RiskPerTrade,
    SignalRouter,
)

D = Decimal
AAPL = Instrument.equity("AAPL")
PRICE = D(100)
LONG, SHORT, FLAT = Direction.LONG, Direction.SHORT, Direction.FLAT
BUY, SELL = Side.BUY, Side.SELL
ENTRY, EXIT = OrderRole.ENTRY, OrderRole.EXIT


def fee_rate(rate: str):
    r = D(rate)
    return FeeFunction(lambda quantity, price: quantity * price * r)


def simple_router(*, allow_short: bool = False, pyramiding: bool = False) -> SignalRouter:
    filters = NullFilter() if pyramiding else OnePositionPerSymbol()
    return SignalRouter(filters, FixedQuantity(D(10)), NullRisk(), allow_short=allow_short)


def shape(decision) -> list[tuple[Side, OrderRole, Decimal]]:
    return [(intent.side, intent.role, intent.quantity) for intent in decision.intents]


HELD = {"flat": None, "long": "7", "short": "-7"}

# (allow_short, direction, held) -> expected intents, or the rejection reason
TABLE = [
    (False, LONG, "flat", [(BUY, ENTRY, 10)]),
    (False, LONG, "short", [(BUY, EXIT, 7), (BUY, ENTRY, 10)]),
    (False, LONG, "long", "already long 7 AAPL; pyramiding is disabled"),
    (False, SHORT, "flat", "short selling is disabled"),
    (False, SHORT, "long", [(SELL, EXIT, 7)]),
    (False, SHORT, "short", "already short 7 AAPL; pyramiding is disabled"),
    (False, FLAT, "flat", "no open position in AAPL to close"),
    (False, FLAT, "long", [(SELL, EXIT, 7)]),
    (False, FLAT, "short", [(BUY, EXIT, 7)]),
    (True, LONG, "flat", [(BUY, ENTRY, 10)]),
    (True, LONG, "short", [(BUY, EXIT, 7), (BUY, ENTRY, 10)]),
    (True, LONG, "long", "already long 7 AAPL; pyramiding is disabled"),
    (True, SHORT, "flat", [(SELL, ENTRY, 10)]),
    (True, SHORT, "long", [(SELL, EXIT, 7), (SELL, ENTRY, 10)]),
    (True, SHORT, "short", "already short 7 AAPL; pyramiding is disabled"),
    (True, FLAT, "flat", "no open position in AAPL to close"),
    (True, FLAT, "long", [(SELL, EXIT, 7)]),
    (True, FLAT, "short", [(BUY, EXIT, 7)]),
]


@pytest.mark.parametrize(("allow_short", "direction", "held", "expected"), TABLE)
def test_direction_translation(make_view, make_signal, allow_short, direction, held, expected):
    positions = {} if HELD[held] is None else {"AAPL": (HELD[held], "100")}
    view = make_view(positions=positions, prices={"AAPL": "100"})
    decision = simple_router(allow_short=allow_short).route(
        make_signal(direction), view, AAPL, PRICE
    )
    if isinstance(expected, str):
        assert not decision.accepted
        assert decision.rejection == expected
        assert decision.intents == ()
    else:
        assert decision.accepted
        assert decision.rejection is None
        assert shape(decision) == expected


@pytest.mark.parametrize(
    ("allow_short", "direction", "held", "expected"),
    [
        (False, LONG, "long", [(BUY, ENTRY, 10)]),
        (True, SHORT, "short", [(SELL, ENTRY, 10)]),
        (False, SHORT, "short", "short selling is disabled"),
    ],
)
def test_pyramiding_adds_an_entry(make_view, make_signal, allow_short, direction, held, expected):
    view = make_view(positions={"AAPL": (HELD[held], "100")})
    router = simple_router(allow_short=allow_short, pyramiding=True)
    decision = router.route(make_signal(direction), view, AAPL, PRICE)
    if isinstance(expected, str):
        assert decision.rejection == expected
    else:
        assert shape(decision) == expected


def test_entry_carries_bracket_strategy_and_reason(make_view, make_signal) -> None:
    router = SignalRouter(
        NullFilter(), FixedQuantity(D(3)), NullRisk(), time_in_force=TimeInForce.DAY
    )
    signal = make_signal(stop=D(95), target=D(110), reason="fast crossed slow", strategy="sma")
    (intent,) = router.route(signal, make_view(), AAPL, PRICE).intents
    assert intent.order_type is OrderType.MARKET
    assert intent.limit_price is None
    assert (intent.stop_loss, intent.take_profit) == (D(95), D(110))
    assert (intent.strategy, intent.reason) == ("sma", "fast crossed slow")
    assert intent.time_in_force is TimeInForce.DAY
    assert intent.size_fraction is None


def test_exit_carries_no_bracket(make_view, make_signal) -> None:
    view = make_view(positions={"AAPL": ("4", "90")})
    signal = make_signal(FLAT, stop=D(95), target=D(110), reason="done")
    (intent,) = simple_router().route(signal, view, AAPL, PRICE).intents
    assert intent.role is EXIT
    assert intent.order_type is OrderType.MARKET
    assert (intent.stop_loss, intent.take_profit) == (None, None)
    assert intent.reason == "done"


def test_limit_entry_at_the_signal_entry_price(make_view, make_signal) -> None:
    router = SignalRouter(
        NullFilter(), PercentOfEquity(D(50)), NullRisk(), order_type=OrderType.LIMIT
    )
    (intent,) = router.route(make_signal(entry=D(90)), make_view(), AAPL, PRICE).intents
    assert intent.order_type is OrderType.LIMIT
    assert intent.limit_price == D(90)
    assert intent.quantity == D(55)  # sized at the limit price: 5000 / 90
    (market,) = router.route(make_signal(), make_view(), AAPL, PRICE).intents
    assert market.order_type is OrderType.MARKET
    assert market.quantity == D(50)


def test_market_router_ignores_the_entry_price(make_view, make_signal) -> None:
    router = SignalRouter(NullFilter(), PercentOfEquity(D(50)), NullRisk())
    (intent,) = router.route(make_signal(entry=D(90)), make_view(), AAPL, PRICE).intents
    assert intent.order_type is OrderType.MARKET
    assert intent.quantity == D(50)


@pytest.mark.parametrize("order_type", [OrderType.STOP, OrderType.STOP_LIMIT])
def test_router_refuses_stop_order_types(order_type) -> None:
    with pytest.raises(InvalidInputError, match="market or limit"):
        SignalRouter(NullFilter(), FixedQuantity(D(1)), NullRisk(), order_type=order_type)


@pytest.mark.parametrize("fraction", ["0", "-0.5", "1.01"])
def test_router_refuses_bad_size_fractions(fraction) -> None:
    with pytest.raises(InvalidInputError, match="size fraction"):
        SignalRouter(NullFilter(), FixedQuantity(D(1)), NullRisk(), size_fraction=D(fraction))


def test_filters_reject_every_signal_including_exits(make_view, make_signal) -> None:
    router = SignalRouter(MinimumConfidence(0.5), FixedQuantity(D(1)), NullRisk())
    view = make_view(positions={"AAPL": ("4", "90")})
    decision = router.route(make_signal(FLAT, confidence=0.2), view, AAPL, PRICE)
    assert decision.rejection == "confidence 0.20 is below the minimum 0.50"


def test_sizer_rejection_and_zero_size(make_view, make_signal) -> None:
    router = SignalRouter(NullFilter(), RiskPerTrade(D(1)), NullRisk())
    decision = router.route(make_signal(), make_view(), AAPL, PRICE)
    assert decision.rejection == "risk-per-trade sizing needs a stop; the AAPL signal has none"
    router = SignalRouter(NullFilter(), PercentOfEquity(D(10)), NullRisk())
    decision = router.route(make_signal(), make_view("1000"), AAPL, D(20000))
    assert decision.rejection == (
        "AAPL size rounds to zero at price 20000 (equity 1,000.00, lot size 1)"
    )


def test_risk_trims_are_reported_as_notes(make_view, make_signal) -> None:
    router = SignalRouter(NullFilter(), FixedQuantity(D(100)), ExposureCap(D(50)))
    decision = router.route(make_signal(), make_view(), AAPL, PRICE)
    assert decision.accepted
    assert shape(decision) == [(BUY, ENTRY, 50)]
    assert decision.notes == (
        "gross exposure 0.00 plus the AAPL entry would exceed the cap 5,000.00 "
        "(50% of equity 10,000.00); AAPL quantity trimmed from 100 to 50",
    )


class RejectEverything:
    def check(self, intent, view, instrument, price):
        return Rejection("blocked")


@pytest.mark.parametrize("held", ["7", "-7"])
def test_exits_are_never_blocked_by_risk(make_view, make_signal, held) -> None:
    view = make_view("0", positions={"AAPL": (held, "100")}, day_start_equity="1000000")
    risk = CompositeRisk(
        [RejectEverything(), DailyLossLimit(D(1)), MaxOpenPositions(1), CashAndBuyingPower()]
    )
    router = SignalRouter(NullFilter(), FixedQuantity(D(10)), risk, allow_short=True)
    decision = router.route(make_signal(FLAT), view, AAPL, PRICE)
    assert decision.accepted
    assert [intent.role for intent in decision.intents] == [EXIT]


def test_reverse_keeps_the_exit_when_the_entry_is_rejected(make_view, make_signal) -> None:
    view = make_view(positions={"AAPL": ("-7", "100")})
    router = SignalRouter(NullFilter(), FixedQuantity(D(10)), RejectEverything())
    decision = router.route(make_signal(LONG), view, AAPL, PRICE)
    assert decision.accepted
    assert shape(decision) == [(BUY, EXIT, 7)]
    assert decision.notes == ("entry rejected: blocked",)


def test_reverse_sizes_and_checks_against_the_view_after_the_exit(make_view, make_signal):
    # all the cash is in the long; the short entry is sized on equity after the exit
    view = make_view("0", positions={"AAPL": ("100", "90")}, prices={"AAPL": "100"})
    risk = CompositeRisk([MaxOpenPositions(1), ExposureCap(D(80)), CashAndBuyingPower()])
    router = SignalRouter(NullFilter(), PercentOfEquity(D(50)), risk, allow_short=True)
    decision = router.route(make_signal(SHORT), view, AAPL, PRICE)
    assert shape(decision) == [(SELL, EXIT, 100), (SELL, ENTRY, 50)]
    assert decision.notes == ()


def test_reverse_view_pays_the_exit_fee(make_view, make_signal) -> None:
    view = make_view("0", positions={"AAPL": ("100", "100")}, prices={"AAPL": "100"})
    router = SignalRouter(
        NullFilter(),
        PercentOfEquity(D(100), fee_rate("0.01")),
        CashAndBuyingPower(fee_rate("0.01")),
        allow_short=True,
        fee_estimator=fee_rate("0.01"),
    )
    decision = router.route(make_signal(SHORT), view, AAPL, PRICE)
    # after the exit: equity 10,000 - 100 fee = 9,900; 9,900 / (100 * 1.01) = 98.01
    assert shape(decision) == [(SELL, EXIT, 100), (SELL, ENTRY, 98)]


def test_cooldown_through_the_router(make_view, make_signal) -> None:
    router = SignalRouter(
        CompositeFilter([MinimumConfidence(0.5), Cooldown(3)]), FixedQuantity(D(1)), NullRisk()
    )
    flat, held = make_view(), make_view(positions={"AAPL": ("1", "100")})
    assert router.route(make_signal(), flat, AAPL, PRICE, bar_index=0).accepted
    rejected = router.route(make_signal(FLAT), held, AAPL, PRICE, bar_index=2)
    assert rejected.rejection == "cooldown: 2 bars since the last accepted AAPL signal, 3 required"
    # a signal rejected for another reason does not restart the cooldown
    low = router.route(make_signal(FLAT, confidence=0.1), held, AAPL, PRICE, bar_index=3)
    assert not low.accepted
    assert router.route(make_signal(FLAT), held, AAPL, PRICE, bar_index=3).accepted
    again = router.route(make_signal(), flat, AAPL, PRICE, bar_index=5)
    assert again.rejection == "cooldown: 2 bars since the last accepted AAPL signal, 3 required"
    assert router.route(make_signal(symbol="MSFT"), flat, AAPL, PRICE, bar_index=5).accepted


def test_a_signal_rejected_by_risk_does_not_start_the_cooldown(make_view, make_signal):
    router = SignalRouter(Cooldown(5), FixedQuantity(D(1)), RejectEverything())
    assert router.route(make_signal(), make_view(), AAPL, PRICE, bar_index=0).rejection == (
        "blocked"
    )
    other = SignalRouter(Cooldown(5), FixedQuantity(D(1)), NullRisk())
    assert other.route(make_signal(), make_view(), AAPL, PRICE, bar_index=1).accepted


# ---- deferred (all-in) sizing -------------------------------------------------------------


def all_in_router(**options) -> SignalRouter:
    return SignalRouter(
        NullFilter(),
        PercentOfEquity(D(100)),
        options.pop("risk", NullRisk()),
        fee_estimator=fee_rate("0.002"),
        size_fraction=D(1),
        **options,
    )


def test_deferred_entry_carries_the_fraction_and_an_estimate(make_view, make_signal) -> None:
    (intent,) = all_in_router().route(make_signal(), make_view(), AAPL, PRICE).intents
    assert intent.size_fraction == D(1)
    assert intent.quantity == D(99)  # floor(10000 / 100.2)


@pytest.mark.parametrize(
    ("equity", "fill_price"),
    [("10000", "97"), ("10000", "100"), ("10000", "103.37"), ("98765.43", "12.34"), ("10", "9")],
)
def test_size_at_fill_reproduces_the_all_in_rule(make_view, make_signal, equity, fill_price):
    router = all_in_router()
    (intent,) = router.route(make_signal(), make_view(equity), AAPL, PRICE).intents
    fill = D(fill_price)
    expected = math.floor(D(equity) / (fill * D("1.002")))
    assert router.size_at_fill(intent, make_view(equity), AAPL, fill) == expected


def test_size_at_fill_passes_through_risk(make_view, make_signal) -> None:
    router = all_in_router(risk=ExposureCap(D(50)))
    (intent,) = router.route(make_signal(), make_view(), AAPL, PRICE).intents
    assert intent.quantity == D(50)
    assert router.size_at_fill(intent, make_view(), AAPL, D(97)) == D(51)  # 5000 / 97
    rejecting = all_in_router(risk=RejectEverything())
    assert rejecting.size_at_fill(intent, make_view(), AAPL, D(97)) == 0


def test_size_at_fill_is_zero_when_nothing_fits(make_view, make_signal) -> None:
    router = all_in_router()
    decision = router.route(make_signal(), make_view("50"), AAPL, PRICE)
    (intent,) = decision.intents
    assert intent.quantity == 0  # only an estimate: the fill price decides
    assert router.size_at_fill(intent, make_view("50"), AAPL, PRICE) == 0
    assert router.size_at_fill(intent, make_view("50"), AAPL, D(49)) == D(1)


def test_size_at_fill_keeps_a_fixed_quantity(make_view, make_signal) -> None:
    (intent,) = simple_router().route(make_signal(), make_view(), AAPL, PRICE).intents
    assert simple_router().size_at_fill(intent, make_view(), AAPL, D(50)) == D(10)


def test_deferred_reverse_estimates_after_the_exit(make_view, make_signal) -> None:
    view = make_view("20000", positions={"AAPL": ("-100", "100")}, prices={"AAPL": "100"})
    router = all_in_router()
    decision = router.route(make_signal(), view, AAPL, PRICE)
    assert shape(decision) == [(BUY, EXIT, 100), (BUY, ENTRY, 99)]  # (10000 - 20) / 100.2
