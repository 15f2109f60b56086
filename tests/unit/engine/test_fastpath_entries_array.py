"""``AllInSizer.entries(..., as_array=True)`` (the vectorised decisions take the compiled loop's
int64 quantities without a list between) gives the quantities and cash of the list form."""

from __future__ import annotations

import random
from decimal import Decimal

import numpy as np
import pytest
from test_fastpath_compiled import compiled_loops
from test_fastpath_vectorised import FRACTIONS

from paperdesk.engine.fastpath.errors import FastPathUnsupportedError
from paperdesk.engine.fastpath.integer_money import AllInSizer, MoneyScale
from paperdesk.execution import NoFee, PercentOfNotional


@pytest.mark.parametrize("fee_model", [NoFee(), PercentOfNotional(Decimal("0.1"))])
def test_the_array_form_is_the_list_form(fee_model: NoFee | PercentOfNotional) -> None:
    scale = MoneyScale.for_run(2, fee_model)
    generator = random.Random(11)
    unit_cost = scale.units_per_tick + scale.fee_per_tick
    arrays = 0
    for case in range(400):
        sizer = AllInSizer(generator.choice(FRACTIONS), scale)
        count = generator.randint(0, 300)
        prices = [generator.randrange(1, 10 ** generator.randint(1, 7)) for _ in range(count)]
        growth = generator.choice([-3, -1, 0, 1, 5, 10**6])
        increments = [
            -price * unit_cost + generator.randint(-2, 2) * price + growth for price in prices
        ]
        cash = generator.choice([1, 10**4, 10**8, 2**50, 2**53 - 10, 2**60])
        arguments = (np.array(prices, dtype=np.int64), np.array(increments, dtype=np.int64), cash)
        with compiled_loops(True):
            try:
                listed = sizer.entries(*arguments)
            except FastPathUnsupportedError:
                with pytest.raises(FastPathUnsupportedError):
                    sizer.entries(*arguments, as_array=True)
                continue
            found = sizer.entries(*arguments, as_array=True)
        if listed is None:
            assert found is None, case
            continue
        assert found is not None, case
        assert isinstance(listed[0], list), case
        assert all(type(quantity) is int for quantity in listed[0]), case
        if isinstance(found[0], np.ndarray):
            arrays += 1
            assert found[0].dtype == np.int64, case
        assert np.asarray(found[0]).tolist() == listed[0], case
        assert found[1] == listed[1], case
    assert arrays  # runs the compiled loop decided whole
