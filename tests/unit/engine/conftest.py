"""Fixtures shared by the engine tests."""

from __future__ import annotations

import pandas as pd
import pytest
from engine_builders import make_bars


@pytest.fixture
def flat_bars() -> pd.DataFrame:
    """Ten bars whose open, high, low and close are easy to tell apart."""
    return make_bars([(100 + i, 100.5 + i, 99.5 + i, 100.25 + i) for i in range(10)])
