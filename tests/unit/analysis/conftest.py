"""Fixtures for the analysis tests: the shared real-data directory and a tiny CSV loader."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

REPOSITORY_ROOT = Path(__file__).resolve().parents[3]


def shared_data_directory() -> Path:
    """``<repo>/../shared/data``; skips the calling test when it is missing."""
    directory = REPOSITORY_ROOT.parent / "shared" / "data"
    if not directory.is_dir():
        pytest.skip(f"shared market data not found at {directory} (needs <repo>/../shared/data)")
    return directory


def read_bars(path: Path) -> pd.DataFrame:
    """An OHLCV CSV as a bars frame (UTC DatetimeIndex from ``timestamp``, float64 columns)."""
    if not path.is_file():
        pytest.skip(f"data file {path} is missing")
    frame = pd.read_csv(path)
    frame["timestamp"] = pd.to_datetime(frame["timestamp"], utc=True)
    frame = frame.set_index("timestamp").sort_index()
    return frame.astype("float64")


@pytest.fixture
def shared_data() -> Path:
    return shared_data_directory()


@pytest.fixture
def load_bars(shared_data: Path) -> Callable[[str], pd.DataFrame]:
    """Load ``<shared>/csv/<name>`` as a bars frame."""

    def load(name: str) -> pd.DataFrame:
        return read_bars(shared_data / "csv" / name)

    return load
