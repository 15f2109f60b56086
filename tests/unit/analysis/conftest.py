"""Fixtures for the analysis tests: the reference data kept in the repository (see
``tests/fixtures/reference/README.md``) and a tiny CSV loader of the bundled bars."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

REPOSITORY_ROOT = Path(__file__).resolve().parents[3]
FIXTURES = REPOSITORY_ROOT / "tests" / "fixtures"
BUNDLED = REPOSITORY_ROOT / "src" / "paperdesk" / "data" / "bundled"


def read_bars(path: Path) -> pd.DataFrame:
    """An OHLCV CSV as a bars frame (UTC DatetimeIndex from ``timestamp``, float64 columns)."""
    assert path.is_file(), f"data file {path} is missing from the repository"
    frame = pd.read_csv(path)
    frame["timestamp"] = pd.to_datetime(frame["timestamp"], utc=True)
    frame = frame.set_index("timestamp").sort_index()
    return frame.astype("float64")


@pytest.fixture
def reference_data() -> Path:
    """``tests/fixtures``: published reference results under ``reference/``."""
    return FIXTURES


@pytest.fixture
def load_bars() -> Callable[[str], pd.DataFrame]:
    """Load the bundled file ``name`` (real market data, see its README) as a bars frame."""

    def load(name: str) -> pd.DataFrame:
        return read_bars(BUNDLED / name)

    return load
