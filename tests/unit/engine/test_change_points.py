"""The columnar change points give the curve the per-change Decimal lists gave, and the exact
equity terms at a day's start."""

from __future__ import annotations

import random
from bisect import bisect_right
from decimal import Decimal

import numpy as np
import pandas as pd
import pytest

from paperdesk.data import load_bars
from paperdesk.data.bundled import find_bundled
from paperdesk.engine.equity_curve import ChangePoints, equity_arrays


def by_objects(changes: list[tuple[int, Decimal, Decimal]]) -> list[tuple[int, Decimal, Decimal]]:
    """The old record: one (row, cash, quantity) per change, a second change at a row replacing
    the first."""
    kept: list[tuple[int, Decimal, Decimal]] = []
    for row, cash, quantity in changes:
        if kept and kept[-1][0] == row:
            kept[-1] = (row, cash, quantity)
        else:
            kept.append((row, cash, quantity))
    return kept


def random_changes(seed: int, length: int) -> list[tuple[int, Decimal, Decimal]]:
    generator = random.Random(seed)
    rows = sorted(generator.choices(range(length), k=generator.randint(0, length // 3 + 1)))
    return [
        (
            row,
            Decimal(generator.randint(-(10**9), 10**9)).scaleb(-generator.choice([0, 2, 4])),
            Decimal(generator.choice([0, 1, -1]) * generator.randint(1, 10**6)),
        )
        for row in rows
    ]


def old_curve(
    start: Decimal, changes: list[tuple[int, Decimal, Decimal]], marks: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    kept = by_objects(changes)
    return equity_arrays(
        float(start),
        [row for row, _, _ in kept],
        [float(cash) for _, cash, _ in kept],
        [float(quantity) for _, _, quantity in kept],
        marks,
    )


def columnar(changes: list[tuple[int, Decimal, Decimal]], exact: bool = False) -> ChangePoints:
    points = ChangePoints(exact=exact)
    for row, cash, quantity in changes:
        points.record(row, cash, quantity)
    return points


@pytest.mark.parametrize("seed", range(12))
def test_the_columnar_curve_equals_the_per_change_objects_on_random_changes(seed: int) -> None:
    generator = np.random.default_rng(seed)
    length = int(generator.integers(1, 400))
    marks = np.round(100 * np.exp(np.cumsum(generator.normal(0, 0.01, length))), 2)
    changes = random_changes(seed, length)
    equity, in_market = columnar(changes).equity(1_000_000.0, marks)
    expected_equity, expected_in_market = old_curve(Decimal(1_000_000), changes, marks)
    assert equity.tobytes() == expected_equity.tobytes()
    assert np.array_equal(in_market, expected_in_market)
    assert len(columnar(changes)) == len(by_objects(changes))


def test_the_columnar_curve_equals_the_per_change_objects_on_bundled_closes() -> None:
    closes = load_bars(find_bundled("SPY", "1d"))["close"].to_numpy(dtype=np.float64)
    changes = random_changes(99, len(closes))
    equity, in_market = columnar(changes).equity(10_000.0, closes)
    expected_equity, expected_in_market = old_curve(Decimal(10_000), changes, closes)
    assert equity.tobytes() == expected_equity.tobytes()
    assert np.array_equal(in_market, expected_in_market)
    assert pd.Series(equity).notna().all()


@pytest.mark.parametrize("seed", range(6))
def test_the_exact_terms_before_a_row_are_those_of_the_last_change_before_it(seed: int) -> None:
    changes = random_changes(seed, 300)
    points = columnar(changes, exact=True)
    kept = by_objects(changes)
    rows = [row for row, _, _ in kept]
    for row in range(0, 302):
        position = bisect_right(rows, row - 1) - 1
        expected = None if position < 0 else (kept[position][1], kept[position][2])
        held = points.exact_before(row)
        assert held == expected
        if held is not None and expected is not None:  # the very objects, not equal copies
            assert held[0] is expected[0]
            assert held[1] is expected[1]


def test_no_exact_terms_are_kept_unless_asked() -> None:
    points = columnar([(3, Decimal("10.5"), Decimal(2))])
    with pytest.raises(RuntimeError, match="exact"):
        points.exact_before(5)
    equity, in_market = ChangePoints().equity(5.0, np.array([1.0, 2.0]))
    assert equity.tolist() == [5.0, 5.0]
    assert in_market.tolist() == [False, False]
