"""The fast path's compiled loops (``fastpath.compiled``, numba) decide exactly as the Python and
NumPy forms they stand in for: the all-in recurrence, the bar checks, the equity curve (bit for
bit) and whole runs."""

from __future__ import annotations

import random
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal

import numpy as np
import pytest
from engine_builders import Scripted
from hypothesis import given, settings
from hypothesis import strategies as st
from test_fastpath_equivalence import TEST, assert_identical, bar_series, eligible_configs
from test_fastpath_vectorised import FRACTIONS, decision_inputs

from paperdesk.engine import fastpath
from paperdesk.engine.backtest import simulate
from paperdesk.engine.equity_curve import equity_arrays
from paperdesk.engine.fastpath import compiled
from paperdesk.engine.fastpath.errors import FastPathUnsupportedError
from paperdesk.engine.fastpath.integer_money import AllInSizer, MoneyScale, slipped_tick_array
from paperdesk.engine.fastpath.vectorised import run_vectorised
from paperdesk.execution import NoFee, PercentOfNotional

LOOPS = compiled.load()
assert LOOPS is not None, "numba is a dependency of paperdesk"


@contextmanager
def compiled_loops(on: bool) -> Iterator[None]:
    """The fast path with (on) or without its compiled loops, whatever the process had."""
    before = compiled._loops
    compiled._loops = LOOPS if on else None
    try:
        yield
    finally:
        compiled._loops = before


def both_ways(call: object) -> tuple[object, object]:
    """``call()``'s outcome without and with the compiled loops (an error counts as one)."""
    outcomes = []
    for on in (False, True):
        with compiled_loops(on):
            try:
                outcomes.append(call())  # type: ignore[operator]
            except FastPathUnsupportedError:
                outcomes.append(FastPathUnsupportedError)
    return outcomes[0], outcomes[1]


def test_prepare_makes_the_fast_path_take_the_loops() -> None:
    with compiled_loops(False):
        assert compiled.loaded() is None
        assert compiled.prepare()
        assert compiled.loaded() is LOOPS


@pytest.mark.parametrize("fee_model", [NoFee(), PercentOfNotional(Decimal("0.1"))])
@pytest.mark.parametrize("fraction", FRACTIONS)
def test_the_compiled_recurrence_is_the_python_one(
    fee_model: NoFee | PercentOfNotional, fraction: Decimal
) -> None:
    """Long runs of entries: cash growing past 2**53 (the rest in Python ints), entries right
    on a whole quantity (the exact rule decides), and runs that end in an entry buying nothing."""
    scale = MoneyScale.for_run(2, fee_model)
    sizer = AllInSizer(fraction, scale)
    generator = random.Random(5)
    unit_cost = scale.units_per_tick + scale.fee_per_tick
    for case in range(300):
        count = generator.randint(0, 400)
        prices = [generator.randrange(1, 10 ** generator.randint(1, 7)) for _ in range(count)]
        growth = generator.choice([-3, -1, 0, 1, 5, 10**6])  # per unit, in money units
        increments = [
            -price * unit_cost + generator.randint(-2, 2) * price + growth for price in prices
        ]
        cash = generator.choice([1, 10**4, 10**8, 2**50, 2**53 - 10, 2**60])
        if case % 3 == 0 and count:  # the first entry right on a whole quantity
            cash = max(1, generator.randrange(1, 10**6) * prices[0] * unit_cost)
        arguments = (np.array(prices, dtype=np.int64), np.array(increments, dtype=np.int64), cash)
        python, compiled_form = both_ways(lambda: sizer.entries(*arguments))  # noqa: B023
        assert compiled_form == python, case


def test_cash_beyond_the_loops_bounds_continues_in_python() -> None:
    scale = MoneyScale.for_run(2, NoFee())
    sizer = AllInSizer(FRACTIONS[-1], scale)
    prices = np.full(6, 97, dtype=np.int64)
    increments = np.full(6, 97_001, dtype=np.int64)  # each round trip multiplies the cash by ~1000
    python, compiled_form = both_ways(lambda: sizer.entries(prices, increments, 10**6 + 3))
    assert compiled_form == python
    assert isinstance(python, tuple)
    assert python[1] > 2**63  # far past int64


@settings(max_examples=300, deadline=None)
@given(inputs=decision_inputs())
def test_the_array_form_decides_the_same_with_the_loops(inputs: dict[str, object]) -> None:
    scale = MoneyScale.for_run(2, inputs["fee"])  # type: ignore[arg-type]
    sizer = AllInSizer(inputs["fraction"], scale)  # type: ignore[arg-type]
    raw = np.array(inputs["raw"], dtype=np.int64)
    slippage = inputs["slippage"]
    arrays = (
        np.array(inputs["directions"], dtype=np.int64),
        np.array(inputs["fill_rows"], dtype=np.int64),
        slipped_tick_array(raw, True, slippage),  # type: ignore[arg-type]
        slipped_tick_array(raw, False, slippage),  # type: ignore[arg-type]
        np.array(inputs["closes"], dtype=np.int64),
    )
    options = {
        "starting_cash": inputs["cash"],
        "allow_short": inputs["allow_short"],
        "scale": scale,
        "sizer": sizer,
    }
    python, compiled_form = both_ways(lambda: run_vectorised(*arrays, **options))  # type: ignore[arg-type]
    assert repr(compiled_form) == repr(python)


@settings(max_examples=120, deadline=None)
@given(data=st.data())
def test_a_run_with_the_loops_equals_one_without(data: st.DataObject) -> None:
    bars = data.draw(bar_series())
    rows = data.draw(st.lists(st.integers(0, len(bars) - 1), min_size=1, unique=True))
    first = data.draw(st.sampled_from((-1, 1)))
    strategy = Scripted({row: first * (-1) ** number for number, row in enumerate(sorted(rows))})
    config = data.draw(eligible_configs())

    def run() -> object:
        try:
            return simulate(bars, strategy, config, TEST, engine="fastpath")
        except (fastpath.FastPathUnsupportedError, ArithmeticError) as error:
            return type(error)

    python, compiled_form = both_ways(run)
    if isinstance(python, type):
        assert compiled_form is python
    else:
        assert_identical(compiled_form, python)  # type: ignore[arg-type]


@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_the_compiled_curve_is_the_array_curve_bit_for_bit(data: st.DataObject) -> None:
    length = data.draw(st.integers(1, 300))
    generator = np.random.default_rng(data.draw(st.integers(0, 2**32 - 1)))
    closes = np.round(np.exp(generator.normal(4.0, 2.0, length)), 2)
    rows = sorted(data.draw(st.lists(st.integers(0, length), max_size=length, unique=True)))
    cash = generator.normal(0.0, 10.0 ** generator.integers(0, 12), len(rows))
    quantity = np.round(generator.normal(0.0, 10.0 ** generator.integers(0, 9), len(rows)))
    quantity[generator.random(len(rows)) < 0.3] = 0.0  # flat stretches
    starting_cash = float(data.draw(st.sampled_from([1.0, 1e6, 25_000.5, 1e15 + 1])))
    arguments = (starting_cash, np.array(rows, dtype=np.int64), cash, quantity, closes)
    expected_equity, expected_held = equity_arrays(*arguments)
    equity, held = compiled.equity_arrays(LOOPS, *arguments)
    assert equity.tobytes() == expected_equity.tobytes()
    assert held.tolist() == expected_held.tolist()
