"""A portfolio on adjusted prices adjusts its history once, not on every tick: ``BarSource``
keeps the adjusted frame while the raw history and the factor file are unchanged (a tick's cost
then does not grow with the history), and adjusts again as soon as either changes."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import numpy as np
import pandas as pd

from paperdesk.config import Adjustment, SourceConfig
from paperdesk.data import find_bundled, load_bars
from paperdesk.data.adjustment import adjusted_frame
from paperdesk.data.corporate_actions import FactorFile, bundled_factor_file
from paperdesk.live import BarSource

FACTORS = Path(__file__).parents[3] / "src/paperdesk/data/bundled/factor_files/spy.csv"


def _spy_file(tmp_path: Path) -> Path:
    path = tmp_path / "spy.csv"
    shutil.copyfile(find_bundled("SPY", "1d"), path)
    return path


def _expected(path: Path, factors: FactorFile) -> pd.DataFrame:
    raw = load_bars(path, symbol="SPY", timeframe="1d")
    return adjusted_frame(raw, factors, Adjustment.SPLIT_DIVIDEND)


def _same(frame: pd.DataFrame, expected: pd.DataFrame) -> None:
    assert list(frame.columns) == list(expected.columns)
    assert frame.index.equals(expected.index)
    for column in ("open", "high", "low", "close", "volume", "raw_close"):
        np.testing.assert_array_equal(frame[column].to_numpy(), expected[column].to_numpy())
    assert list(frame["price_scale"]) == list(expected["price_scale"])


def test_an_unchanged_history_is_adjusted_once(tmp_path: Path) -> None:
    path = _spy_file(tmp_path)
    settings = SourceConfig("replay", files={"SPY": str(path)}, adjust="split-dividend")
    source = BarSource()
    first = source.history("SPY", "1d", settings)
    factors = bundled_factor_file("SPY")
    assert factors is not None
    _same(first, _expected(path, factors))
    assert source.history("SPY", "1d", settings) is first  # kept, not adjusted again
    raw = SourceConfig("replay", files={"SPY": str(path)}, adjust="raw")
    assert "price_scale" not in source.history("SPY", "1d", raw).columns


def test_a_changed_file_is_adjusted_again(tmp_path: Path) -> None:
    path = _spy_file(tmp_path)
    settings = SourceConfig("replay", files={"SPY": str(path)}, adjust="split-dividend")
    source = BarSource()
    first = source.history("SPY", "1d", settings)
    lines = path.read_text().splitlines()
    path.write_text("\n".join(lines[:-10]) + "\n")  # ten bars fewer
    os.utime(path, (1, 1))
    second = source.history("SPY", "1d", settings)
    assert len(second) == len(first) - 10
    factors = bundled_factor_file("SPY")
    assert factors is not None
    _same(second, _expected(path, factors))


def test_a_changed_factor_file_is_applied(tmp_path: Path) -> None:
    path = _spy_file(tmp_path)
    factor_path = tmp_path / "spy_factors.csv"
    shutil.copyfile(FACTORS, factor_path)
    settings = SourceConfig(
        "replay", files={"SPY": str(path)}, adjust="split-dividend", factor_file=str(factor_path)
    )
    source = BarSource()
    first = source.history("SPY", "1d", settings)
    rows = factor_path.read_text().splitlines()
    # the oldest factor row halved: every bar before its date moves
    date, price, *rest = rows[0].split(",")
    factor_path.write_text("\n".join([",".join([date, repr(float(price) / 2), *rest]), *rows[1:]]))
    second = source.history("SPY", "1d", settings)
    assert second is not first
    _same(second, _expected(path, FactorFile.read(factor_path, "SPY")))
    assert second["close"].iloc[0] != first["close"].iloc[0]
