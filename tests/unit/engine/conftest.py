"""Fixtures shared by the engine tests."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pandas as pd
import pytest
from engine_builders import make_bars


@pytest.fixture
def flat_bars() -> pd.DataFrame:
    """Ten bars whose open, high, low and close are easy to tell apart."""
    return make_bars([(100 + i, 100.5 + i, 99.5 + i, 100.25 + i) for i in range(10)])


@pytest.fixture
def collector_restored() -> Iterator[None]:
    """The cyclic garbage collector on or off after the test as it was before it."""
    enabled = gc.isenabled()
    yield None
    if enabled:
        gc.enable()
    else:
        gc.disable()
