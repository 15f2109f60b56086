"""Risk rules: allowed, trimmed (with a note) or rejected (with a reason); exits always pass."""

from __future__ import annotations

from decimal import Decimal

import pytest

from paperdesk.domain import Instrument, InvalidInputError, OrderIntent, OrderRole, Side
from paperdesk.routing import (
    Adjusted,
    CashAndBuyingPower,
    CompositeRisk,
    DailyLossLimit,
    ExposureCap,
    FeeFunction,
    MaxHoldingPeriod,
    MaxOpenPositions,
    MaxPositionSize,
    NullRisk,
    OrderRefusedError,
    Rejection,
)
from paperdesk.routing.pretrade import check_risk

D = Decimal
EQUITY = Instrument.equity("AAPL")
PRICE = D(100)


def entry(quantity: str, side: Side = Side.BUY, symbol: str = "AAPL") -> OrderIntent:
    return OrderIntent(symbol, side, D(quantity), role=OrderRole.ENTRY)


def exit_order(quantity: str, side: Side = Side.SELL) -> OrderIntent:
    return OrderIntent("AAPL", side, D(quantity), role=OrderRole.EXIT)


def trimmed(outcome: object, quantity: str, note: str) -> None:
    assert isinstance(outcome, Adjusted)
    assert outcome.intent.quantity == D(quantity)
    assert outcome.notes == (note,)


class RejectEverything:
    def check(self, intent, view, instrument, price):
        return Rejection("no")


# ---- ExposureCap -------------------------------------------------------------------------


def test_exposure_cap_allows_what_fits(make_view) -> None:
    intent = entry("50")
    assert ExposureCap(D(80)).check(intent, make_view("10000"), EQUITY, PRICE) is intent


def test_exposure_cap_trims(make_view) -> None:
    outcome = ExposureCap(D(80)).check(entry("100"), make_view("10000"), EQUITY, PRICE)
    trimmed(
        outcome,
        "80",
        "gross exposure 0.00 plus the AAPL entry would exceed the cap 8,000.00 "
        "(80% of equity 10,000.00); AAPL quantity trimmed from 100 to 80",
    )


def test_exposure_cap_counts_other_positions_at_view_prices(make_view) -> None:
    view = make_view("7000", positions={"MSFT": ("30", "90")}, prices={"MSFT": "100"})
    outcome = ExposureCap(D(80)).check(entry("100"), view, EQUITY, PRICE)
    trimmed(
        outcome,
        "50",
        "gross exposure 3,000.00 plus the AAPL entry would exceed the cap 8,000.00 "
        "(80% of equity 10,000.00); AAPL quantity trimmed from 100 to 50",
    )


def test_exposure_cap_rejects_when_nothing_fits(make_view) -> None:
    view = make_view("2000", positions={"MSFT": ("80", "100")}, prices={"MSFT": "100"})
    outcome = ExposureCap(D(80)).check(entry("10"), view, EQUITY, PRICE)
    assert outcome == Rejection(
        "gross exposure 8,000.00 plus the AAPL entry would exceed the cap 8,000.00 "
        "(80% of equity 10,000.00); not even one lot of AAPL fits"
    )


# ---- MaxPositionSize ---------------------------------------------------------------------


def test_max_position_size_allows_trims_and_rejects(make_view) -> None:
    rule = MaxPositionSize(D(20))
    intent = entry("10")
    assert rule.check(intent, make_view(), EQUITY, PRICE) is intent
    limit = "the AAPL position may not exceed 2,000.00 (20% of equity 10,000.00)"
    outcome = rule.check(entry("30"), make_view(), EQUITY, PRICE)
    trimmed(outcome, "20", f"{limit}; AAPL quantity trimmed from 30 to 20")
    pyramid = make_view("8500", positions={"AAPL": ("15", "100")}, prices={"AAPL": "100"})
    trimmed(
        rule.check(entry("10"), pyramid, EQUITY, PRICE),
        "5",
        f"{limit}; AAPL quantity trimmed from 10 to 5",
    )
    full = make_view("8000", positions={"AAPL": ("20", "100")}, prices={"AAPL": "100"})
    assert rule.check(entry("1"), full, EQUITY, PRICE) == Rejection(
        f"{limit}; not even one lot of AAPL fits"
    )


def test_max_position_size_ignores_an_opposite_position(make_view) -> None:
    view = make_view("12000", positions={"AAPL": ("-20", "100")}, prices={"AAPL": "100"})
    intent = entry("20")
    assert MaxPositionSize(D(20)).check(intent, view, EQUITY, PRICE) is intent


# ---- MaxOpenPositions --------------------------------------------------------------------


def test_max_open_positions(make_view) -> None:
    rule = MaxOpenPositions(2)
    one = make_view(positions={"MSFT": ("1", "100"), "GOOG": ("0", "0")})
    intent = entry("10")
    assert rule.check(intent, one, EQUITY, PRICE) is intent
    two = make_view(positions={"MSFT": ("1", "100"), "GOOG": ("-1", "100")})
    assert rule.check(intent, two, EQUITY, PRICE) == Rejection(
        "2 positions are open and the maximum is 2; not opening AAPL"
    )
    adding = make_view(positions={"MSFT": ("1", "100"), "AAPL": ("3", "100")})
    assert rule.check(intent, adding, EQUITY, PRICE) is intent


# ---- CashAndBuyingPower ------------------------------------------------------------------


def test_cash_allows_a_long_that_fits(make_view) -> None:
    intent = entry("10")
    assert CashAndBuyingPower().check(intent, make_view("1000"), EQUITY, PRICE) is intent


def test_cash_trims_a_long(make_view) -> None:
    outcome = CashAndBuyingPower().check(entry("20"), make_view("1000"), EQUITY, PRICE)
    trimmed(
        outcome,
        "10",
        "cash 1,000.00 cannot pay for the AAPL entry and its fee; "
        "AAPL quantity trimmed from 20 to 10",
    )


def test_cash_counts_the_estimated_fee(make_view) -> None:
    rule = CashAndBuyingPower(FeeFunction(lambda quantity, price: quantity * price * D("0.002")))
    outcome = rule.check(entry("10"), make_view("1000"), EQUITY, PRICE)
    assert isinstance(outcome, Adjusted)
    assert outcome.intent.quantity == D(9)


def test_cash_rejects_a_long_when_not_one_lot_fits(make_view) -> None:
    outcome = CashAndBuyingPower().check(entry("5"), make_view("50"), EQUITY, PRICE)
    assert outcome == Rejection(
        "cash 50.00 cannot pay for the AAPL entry and its fee; not even one lot of AAPL fits"
    )


def test_cash_short_needs_full_margin(make_view) -> None:
    rule = CashAndBuyingPower()
    intent = entry("50", Side.SELL)
    assert rule.check(intent, make_view("10000"), EQUITY, PRICE) is intent
    trimmed(
        rule.check(entry("150", Side.SELL), make_view("10000"), EQUITY, PRICE),
        "100",
        "a short needs 100% margin: equity 10,000.00 less open shorts 0.00 leaves 10,000.00; "
        "AAPL quantity trimmed from 150 to 100",
    )
    shorted = make_view("16000", positions={"MSFT": ("-60", "100")}, prices={"MSFT": "100"})
    trimmed(
        rule.check(entry("50", Side.SELL), shorted, EQUITY, PRICE),
        "40",
        "a short needs 100% margin: equity 10,000.00 less open shorts 6,000.00 leaves "
        "4,000.00; AAPL quantity trimmed from 50 to 40",
    )


# ---- DailyLossLimit ----------------------------------------------------------------------


def test_daily_loss_limit(make_view) -> None:
    rule = DailyLossLimit(D(5))
    intent = entry("1")
    assert rule.check(intent, make_view("9600", day_start_equity="10000"), EQUITY, PRICE) is intent
    assert rule.check(intent, make_view("9000"), EQUITY, PRICE) is intent  # no day start known
    assert rule.check(
        intent, make_view("9500", day_start_equity="10000"), EQUITY, PRICE
    ) == Rejection(
        "equity 9,500.00 is 5.00% below the day's start 10,000.00; the daily loss limit is 5%"
    )


# ---- exits, composition, null ------------------------------------------------------------


def test_every_rule_lets_exits_through(make_view) -> None:
    broke = make_view(
        "0",
        positions={"AAPL": ("500", "100"), "MSFT": ("-500", "100")},
        prices={"AAPL": "100", "MSFT": "100"},
        day_start_equity="1000000",
    )
    rules = [
        ExposureCap(D(1)),
        MaxPositionSize(D(1)),
        MaxOpenPositions(1),
        CashAndBuyingPower(FeeFunction(lambda quantity, price: D(1000))),
        DailyLossLimit(D(1)),
        NullRisk(),
        CompositeRisk([RejectEverything()]),
    ]
    for side in Side:
        intent = exit_order("500", side)
        for rule in rules:
            assert rule.check(intent, broke, EQUITY, PRICE) is intent


def test_composite_chains_trims_and_collects_notes(make_view) -> None:
    rule = CompositeRisk([MaxPositionSize(D(50)), ExposureCap(D(30)), CashAndBuyingPower()])
    outcome = rule.check(entry("100"), make_view("10000"), EQUITY, PRICE)
    assert isinstance(outcome, Adjusted)
    assert outcome.intent.quantity == D(30)
    assert [note.split(";")[1] for note in outcome.notes] == [
        " AAPL quantity trimmed from 100 to 50",
        " AAPL quantity trimmed from 50 to 30",
    ]
    assert outcome.limits == tuple(note.split(";")[0] for note in outcome.notes)


def test_a_person_s_order_the_chain_would_trim_is_refused_saying_what_would_fit(
    make_view,
) -> None:
    rule = CompositeRisk([MaxPositionSize(D(50)), ExposureCap(D(30)), CashAndBuyingPower()])
    trimmed_by = rule.check(entry("100"), make_view("10000"), EQUITY, PRICE)
    assert isinstance(trimmed_by, Adjusted)
    with pytest.raises(OrderRefusedError) as refused:
        check_risk(rule, entry("100"), make_view("10000"), EQUITY, PRICE)
    limits = "; ".join(trimmed_by.limits)
    assert str(refused.value) == (
        f"order refused by the risk rules: {limits}; at most 30 AAPL would fit, not 100"
    )


def test_composite_stops_at_the_first_rejection(make_view) -> None:
    rule = CompositeRisk([MaxPositionSize(D(50)), RejectEverything(), ExposureCap(D(10))])
    assert rule.check(entry("100"), make_view(), EQUITY, PRICE) == Rejection("no")


def test_composite_passes_an_untouched_intent_as_is(make_view) -> None:
    intent = entry("1")
    assert (
        CompositeRisk([NullRisk(), ExposureCap()]).check(intent, make_view(), EQUITY, PRICE)
        is intent
    )
    assert CompositeRisk([]).check(intent, make_view(), EQUITY, PRICE) is intent


def test_max_holding_period() -> None:
    rule = MaxHoldingPeriod(5)
    assert not rule.is_due(4)
    assert rule.is_due(5)
    assert rule.is_due(6)


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: ExposureCap(D(0)), "exposure cap percent"),
        (lambda: MaxPositionSize(D(-1)), "max position percent"),
        (lambda: DailyLossLimit(D(0)), "daily loss limit percent"),
        (lambda: DailyLossLimit(D(101)), "daily loss limit percent"),
        (lambda: MaxOpenPositions(0), "max open positions"),
        (lambda: MaxHoldingPeriod(0), "max holding bars"),
    ],
)
def test_rules_reject_bad_options(build, message) -> None:
    with pytest.raises(InvalidInputError, match=message):
        build()
