"""What keeps a bracket run's memory down: the loop's rows as compact columns (``bracket_columns``),
one Decimal per leg tick count and one zero slippage per fill price, and the rows let go once the
result's objects are built. Values are proven identical to the event kernel's elsewhere
(``test_fastpath_brackets``); these prove the sharing and the release."""

from __future__ import annotations

import math
from array import array
from decimal import Decimal
from typing import cast

import numpy as np
from engine_builders import Scripted, make_bars
from test_fastpath_equivalence import TEST, _config, assert_identical

from paperdesk.engine.backtest import simulate
from paperdesk.engine.fastpath.bracket_columns import order_columns
from paperdesk.engine.fastpath.bracket_levels import leg_levels
from paperdesk.engine.fastpath.bracket_loop import (
    AT_OPEN,
    ENTRY,
    EXIT,
    FILLED,
    KIND,
    PARENT,
    QUANTITY,
    ROW,
    SIDE,
    SIGNAL,
    UPDATED,
)
from paperdesk.engine.fastpath.bracket_objects import BracketObjects
from paperdesk.engine.fastpath.bracket_prices import BracketFillPrices
from paperdesk.engine.result import BacktestResult
from paperdesk.execution import NoSlippage

NAN = math.nan
ROWS = [
    [0, ENTRY, 1, 250, FILLED, 10_000, 7, 1_700_000_000_000_000_000, AT_OPEN, 1, -1],
    [0, 2, -1, 250, 2, 0, 0, 1_700_000_000_000_000_001, 1, -1, 0],
    [3, EXIT, -1, 250, FILLED, 10_100, 7, 1_700_000_000_000_000_002, AT_OPEN, 4, -1],
]


def test_order_columns_are_compact_arrays_of_the_rows() -> None:
    fields = (SIGNAL, KIND, SIDE, QUANTITY, UPDATED, PARENT)
    columns = order_columns(ROWS, fields)
    assert {field: list(columns[field]) for field in fields} == {
        field: [row[field] for row in ROWS] for field in fields
    }
    assert all(isinstance(column, array) for column in columns.values())
    assert (columns[KIND].typecode, columns[SIDE].typecode) == ("b", "b")  # type: ignore[attr-defined]
    assert columns[UPDATED].typecode == "q"  # type: ignore[attr-defined]


def test_order_columns_keep_the_python_ints_beyond_64_bits() -> None:
    rows = [list(row) for row in ROWS]
    rows[2][QUANTITY] = 2**70
    columns = order_columns(rows, (QUANTITY, KIND))
    assert list(columns[QUANTITY]) == [250, 250, 2**70]
    assert list(columns[KIND]) == [ENTRY, 2, EXIT]


def test_order_columns_of_no_rows_are_empty() -> None:
    assert [list(column) for column in order_columns([], (SIGNAL, KIND)).values()] == [[], []]


def test_legs_at_one_tick_count_share_one_decimal() -> None:
    levels = leg_levels(
        np.array([100.004, 100.004, 100.014]),
        np.array([NAN, NAN, NAN]),
        np.array([1, 1, 1]),
        2,
        TEST,
    )
    first, second, third = (levels.decimal(signal, True) for signal in range(3))
    assert (first, third) == (Decimal("100.00"), Decimal("100.01"))
    assert first is second


def test_fills_at_one_price_share_one_zero_slippage() -> None:
    levels = leg_levels(np.array([NAN] * 4), np.array([NAN] * 4), np.array([1] * 4), 2, TEST)
    fills = [list(ROWS[0]), list(ROWS[2]), list(ROWS[0]), list(ROWS[2])]
    fills[3][ROW] = 1  # the second exit at the open of bar 1, as both entries
    raw_opens = np.array([9_900, 10_000, 10_050, 10_075, 10_100], dtype=np.int64)
    prices, slips = BracketFillPrices(fills, raw_opens, levels, NoSlippage(), TEST).build()
    assert [str(price) for price in prices] == ["100.0", "101.0", "100.0", "100.0"]
    assert [str(slip) for slip in slips] == ["0.0"] * 4
    assert prices[0] is prices[2] is prices[3]
    assert slips[0] is slips[2] is slips[3]
    assert slips[1] is not slips[0]


def _objects(result: BacktestResult) -> BracketObjects:
    """The fast path's object builder behind a result's deferred trades."""
    deferred = type(result).__dict__["trades"]._slot.__get__(result, type(result))
    return cast(BracketObjects, deferred._build.__closure__[0].cell_contents)


def test_the_loops_rows_go_once_the_objects_are_built() -> None:
    bars = make_bars([(97, 98, 96, 97)] * 6)
    strategy = Scripted({0: (1, 90.0, 110.0), 2: (-1, 110.0, 90.0), 4: 0})
    config = _config(allow_short=True)
    fast = simulate(bars, strategy, config, TEST, engine="fastpath")
    objects = _objects(fast)
    assert len(objects.orders) == 8
    assert len(objects.fills) == 4
    assert_identical(fast, simulate(bars, strategy, config, TEST, engine="event"))
    assert objects.orders == []
    assert objects.fills == []
    assert objects.prices._fills == []
    assert [order.status.value for order in fast.orders] == [
        "filled", "canceled", "canceled", "filled", "filled", "canceled", "canceled", "filled",
    ]  # fmt: skip
