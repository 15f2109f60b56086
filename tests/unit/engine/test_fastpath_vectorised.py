"""The fast path's array form of its decision loop (``vectorised``) decides exactly as the loop
(``loop.run_loop``) it stands in for, and its float-first sizer and array slippage equal the
integer rules they shortcut."""

from __future__ import annotations

import random
from decimal import Decimal

import numpy as np
import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st

from paperdesk.engine.fastpath.columns import OrderColumns, open_exponent
from paperdesk.engine.fastpath.errors import FastPathUnsupportedError
from paperdesk.engine.fastpath.integer_money import (
    AllInSizer,
    MoneyScale,
    slipped_tick_array,
    slipped_ticks,
)
from paperdesk.engine.fastpath.loop import ORDER_FIELDS, LoopRecord, run_loop
from paperdesk.engine.fastpath.materialise import _trade_pnls, units_to_floats
from paperdesk.engine.fastpath.vectorised import VectorRecord, run_vectorised
from paperdesk.execution import FixedBasisPoints, NoFee, NoSlippage, PercentOfNotional

FRACTIONS = [Decimal(1), Decimal("0.5"), Decimal("0.333"), Decimal("0.99"), 1 - Decimal(2) ** -52]
FEES = [NoFee(), PercentOfNotional(Decimal("0.1")), PercentOfNotional(Decimal("0.15"))]
SLIPPAGES = [NoSlippage(), FixedBasisPoints(Decimal("2.5")), FixedBasisPoints(Decimal(900))]


def _outcome(call: object) -> object:
    try:
        return call()  # type: ignore[operator]
    except FastPathUnsupportedError:
        return FastPathUnsupportedError


def _as_loop_record(found: VectorRecord) -> tuple[object, ...]:
    table = found.orders
    columns = [
        table.signal_of, table.roles, table.sides, table.quantities, table.statuses,
        table.ticks, table.fees,
    ]  # fmt: skip
    flat = [int(value) for row in zip(*columns, strict=True) for value in row]
    assert len(flat) == ORDER_FIELDS * len(table.signal_of)
    return (
        flat,
        found.rejected,
        [int(row) for row in found.change_row],
        [int(cash) for cash in found.change_cash],
        [int(quantity) for quantity in found.change_quantity],
        found.cash,
        found.position,
    )


def _loop_fields(record: LoopRecord) -> tuple[object, ...]:
    return (
        record.orders,
        record.rejected,
        record.change_row,
        record.change_cash,
        record.change_quantity,
        record.cash,
        record.position,
    )


@st.composite
def decision_inputs(draw: st.DrawFn) -> dict[str, object]:
    count = draw(st.integers(0, 60))
    pattern = draw(st.sampled_from(["random", "alternating", "repeats", "flat"]))
    if pattern == "random":
        directions = draw(st.lists(st.sampled_from((-1, 0, 1)), min_size=count, max_size=count))
    elif pattern == "alternating":  # a crossover: every signal reverses
        first = draw(st.sampled_from((-1, 1)))
        directions = [first * (-1) ** k for k in range(count)]
    elif pattern == "repeats":  # the same side again and again: rejected repeats
        directions = [draw(st.sampled_from((-1, 1)))] * count
    else:
        directions = [0] * count
    on_last_bar = count > 0 and draw(st.booleans())  # its orders are accepted, never filled
    fill_rows = [k + 1 for k in range(count)]
    if on_last_bar:
        fill_rows[-1] = -1
    wild = draw(st.booleans())  # prices that can wipe the equity out, or one above it
    low, high = (1, 100_000) if wild else (9_000, 11_000)
    raw = [draw(st.integers(low, high)) for _ in range(count)]
    closes = [draw(st.integers(low, high)) for _ in range(count)]
    return {
        "directions": directions,
        "fill_rows": fill_rows,
        "raw": raw,
        "closes": closes,
        "cash": draw(st.sampled_from([1, 100, 10_000, 1_000_000, 10**8, 10**12 + 7, 2**60])),
        "allow_short": draw(st.booleans()),
        "fee": draw(st.sampled_from(FEES)),
        "slippage": draw(st.sampled_from(SLIPPAGES)),
        "fraction": draw(st.sampled_from(FRACTIONS)),
    }


@settings(max_examples=400, deadline=None)
@given(inputs=decision_inputs())
def test_the_array_form_decides_as_the_loop(inputs: dict[str, object]) -> None:
    scale = MoneyScale.for_run(2, inputs["fee"])  # type: ignore[arg-type]
    sizer = AllInSizer(inputs["fraction"], scale)  # type: ignore[arg-type]
    raw = np.array(inputs["raw"], dtype=np.int64)
    slippage = inputs["slippage"]
    buys = slipped_tick_array(raw, True, slippage)  # type: ignore[arg-type]
    sells = slipped_tick_array(raw, False, slippage)  # type: ignore[arg-type]
    options = {
        "starting_cash": inputs["cash"],
        "allow_short": inputs["allow_short"],
        "scale": scale,
        "sizer": sizer,
    }
    arrays = (
        np.array(inputs["directions"], dtype=np.int64),
        np.array(inputs["fill_rows"], dtype=np.int64),
        buys,
        sells,
        np.array(inputs["closes"], dtype=np.int64),
    )
    lists = [array.tolist() for array in arrays]
    expected = _outcome(lambda: _loop_fields(run_loop(*lists, **options)))  # type: ignore[arg-type]
    found = _outcome(lambda: run_vectorised(*arrays, **options))  # type: ignore[arg-type]
    if found is None:
        event("array form gave way to the loop")
        return
    if found is FastPathUnsupportedError or expected is FastPathUnsupportedError:
        event("unsupported")
        assert found is expected
        return
    event("array form")
    assert isinstance(found, VectorRecord)
    assert _as_loop_record(found) == expected
    # the round trips' P&L, as the materialiser makes it from the loop's orders
    loop_columns = OrderColumns.of(run_loop(*lists, **options).orders)  # type: ignore[arg-type]
    expected_pnls = _trade_pnls(loop_columns, scale)
    found_pnls = units_to_floats(found.trade_units, scale.money_places)
    assert found_pnls.tolist() == expected_pnls.tolist()


@pytest.mark.parametrize(
    ("directions", "fill_rows", "acting"),
    [
        ([], [], 0),  # no signal at all
        ([0, 0, 0], [1, 2, 3], 0),  # no position to exit: every signal rejected
        ([1, 1, 1], [1, 2, 3], 1),  # the same side again: one entry, two rejections
        ([1, -1, 1, -1], [1, 2, 3, -1], 3),  # reversing, the last on the last bar
        ([-1], [-1], 0),  # the only signal is on the last bar
        ([1, 0, 0, -1, 0], [1, 2, 3, 4, 5], 4),  # exits without entries, then again
    ],
)
def test_edge_cases_decide_as_the_loop(
    directions: list[int], fill_rows: list[int], acting: int
) -> None:
    scale = MoneyScale.for_run(2, PercentOfNotional(Decimal("0.1")))
    sizer = AllInSizer(Decimal("0.99"), scale)
    prices = [10_000 + 37 * k for k in range(len(directions))]
    options = {"starting_cash": 10**8, "allow_short": True, "scale": scale, "sizer": sizer}
    record = run_loop(directions, fill_rows, prices, prices, prices, **options)  # type: ignore[arg-type]
    as_array = np.array(prices, dtype=np.int64)
    found = run_vectorised(
        np.array(directions, dtype=np.int64),
        np.array(fill_rows, dtype=np.int64),
        as_array,
        as_array,
        as_array,
        **options,  # type: ignore[arg-type]
    )
    assert found is not None
    assert _as_loop_record(found) == _loop_fields(record)
    assert len(found.change_row) == acting


def test_an_entry_that_buys_nothing_leaves_it_to_the_loop() -> None:
    scale = MoneyScale.for_run(2, NoFee())
    sizer = AllInSizer(Decimal(1), scale)
    # 5.50 buys 1 unit at 5.00, sold at 3.00: 3.50 cannot buy one at 7.00
    prices = np.array([500, 300, 700], dtype=np.int64)
    found = run_vectorised(
        np.array([1, 0, 1], dtype=np.int64),
        np.array([1, 2, 3], dtype=np.int64),
        prices,
        prices,
        prices,
        starting_cash=550,
        allow_short=False,
        scale=scale,
        sizer=sizer,
    )
    assert found is None  # the loop records the canceled entry


@pytest.mark.parametrize("fee_model", [NoFee(), PercentOfNotional(Decimal("0.1"))])
@pytest.mark.parametrize("fraction", FRACTIONS)
def test_the_float_first_quantity_is_the_exact_one(
    fee_model: NoFee | PercentOfNotional, fraction: Decimal
) -> None:
    scale = MoneyScale.for_run(2, fee_model)
    sizer = AllInSizer(fraction, scale)
    generator = random.Random(11)
    unit_cost = scale.units_per_tick + scale.fee_per_tick
    cases: list[tuple[int, int, object]] = []
    for case in range(3000):
        cash = generator.randrange(1, 10 ** generator.randint(1, 17))
        price = generator.randrange(1, 10 ** generator.randint(1, 8))
        if case % 2 == 0:  # right on (or next to) a whole quantity, where floats could slip
            lots = generator.randrange(1, 10**6)
            cash = max(1, lots * price * unit_cost + generator.randint(-2, 2))
        fast = _outcome(lambda: sizer.fast_quantity(cash, price))  # noqa: B023
        exact = _outcome(lambda: sizer.quantity(cash, price))  # noqa: B023
        assert fast == exact, (cash, price)
        cases.append((cash, price, exact))
    equities, prices, _ = zip(*cases, strict=True)
    undecided = sizer.undecided(np.array(equities), np.array(prices))
    for (cash, price, exact), unsure in zip(cases, undecided.tolist(), strict=True):
        if not unsure:  # the float ends decide: the exact rule neither refuses nor differs
            assert exact is not FastPathUnsupportedError, (cash, price)
    assert undecided[1::2].mean() < 0.5  # most cases off a boundary are decided by floats


@pytest.mark.parametrize("bps", [Decimal(0), Decimal(1), Decimal("2.5"), Decimal(900)])
def test_array_slippage_is_the_list_slippage(bps: Decimal) -> None:
    model = FixedBasisPoints(bps)
    raw = [*range(1, 3000, 7), 10**9 + 7, 10**12 - 1]
    for buy in (True, False):
        found = slipped_tick_array(np.array(raw, dtype=np.int64), buy, model)
        assert found.dtype == np.int64
        assert found.tolist() == slipped_ticks(raw, buy, model)
    huge = [2**61, 2**61 + 3]  # products past int64: Python ints
    found = slipped_tick_array(np.array(huge, dtype=np.int64), True, model)
    assert found.tolist() == slipped_ticks(huge, True, model)


@settings(max_examples=300, deadline=None)
@given(
    ticks=st.lists(st.integers(0, 10**15 - 1), min_size=1, max_size=20),
    places=st.integers(0, 8),
)
def test_the_opens_least_exponent_is_their_decimals(ticks: list[int], places: int) -> None:
    exponents = []
    for tick in ticks:
        found = Decimal(repr(tick / 10**places)).as_tuple().exponent
        assert isinstance(found, int)
        exponents.append(found)
    assert open_exponent(ticks, places) == min(exponents)
