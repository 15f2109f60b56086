"""The reason strings' number formatting (``reasons._number_codes``: four digits at a time, the
zeros dropped by column) against the per-digit form it replaced, string for string."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from hypothesis import given, settings
from hypothesis import strategies as st

from paperdesk.analysis.strategies.reasons import compose, format_numbers, words

_POWERS = 10 ** np.arange(18, dtype=np.int64)


def _per_digit_texts(values: npt.NDArray[np.float64], significant: int) -> list[str]:
    """The former ``_number_codes`` (one integer division per digit and column), joined and
    stripped of its NULs as ``compose`` did: the oracle."""
    count = values.shape[0]
    magnitude = np.abs(values)
    regular = np.isfinite(values) & (magnitude < 1e15)
    magnitude = np.where(regular, magnitude, 0.0)
    exponent = np.floor(np.log10(magnitude, where=magnitude > 0, out=np.zeros(count)))
    decimals = np.clip(significant - 1 - exponent, 0, 10).astype(np.int64)
    scaled = np.rint(magnitude * 10.0 ** decimals.astype(np.float64)).astype(np.int64)
    integer, fraction = np.divmod(scaled, _POWERS[decimals])
    integer_width = max(len(str(int(integer.max()))), 1)
    integer_codes = np.zeros((count, integer_width), dtype=np.uint8)
    rest = integer.copy()
    for column in range(integer_width - 1, -1, -1):
        digit = rest % 10
        rest //= 10
        keep = (integer >= _POWERS[integer_width - 1 - column]) | (column == integer_width - 1)
        integer_codes[:, column] = np.where(keep, digit + 48, 0)
    fraction_width = int(decimals.max())
    fraction_codes = np.zeros((count, fraction_width), dtype=np.uint8)
    rest = fraction * _POWERS[fraction_width - decimals]
    trailing = np.ones(count, dtype=bool)
    for column in range(fraction_width - 1, -1, -1):
        digit = rest % 10
        rest //= 10
        trailing &= digit == 0
        fraction_codes[:, column] = np.where(trailing, 0, digit + 48)
    point = np.where(trailing, 0, ord(".")).astype(np.uint8)[:, None]
    sign = np.where((values < 0) & (scaled > 0), ord("-"), 0).astype(np.uint8)[:, None]
    codes = np.concatenate([sign, integer_codes, point, fraction_codes], axis=1)
    texts = [bytes(row[row != 0]).decode("latin-1") for row in codes]
    for row in np.flatnonzero(~regular).tolist():
        texts[row] = f"{values[row]:.{significant}g}"
    return texts


def _mixed_values(generator: np.random.Generator, count: int) -> npt.NDArray[np.float64]:
    shapes = [
        generator.standard_normal(count) * 10.0 ** generator.integers(-12, 16, count),
        np.round(generator.uniform(-1e5, 1e5, count), int(generator.integers(0, 6))),
        generator.integers(-(10**14), 10**14, count).astype(np.float64),
        10.0 ** generator.integers(-10, 15, count) * generator.choice([-1.0, 1.0], count),
        generator.choice([0.0, -0.0, 9.9999995, 99.999999, 0.5, 1e-11, 999999.5], count),
        generator.choice([np.nan, np.inf, -np.inf, 1e15, -3e17, 123.456], count),
    ]
    picks = generator.integers(0, len(shapes), count)
    return np.choose(picks, shapes)


def test_number_codes_equal_the_per_digit_form_on_mixed_values() -> None:
    generator = np.random.default_rng(20261205)
    for significant in (1, 3, 6, 10):
        for count in (1, 2, 7, 500):
            for _ in range(25):
                values = _mixed_values(generator, count)
                assert format_numbers(values, significant) == _per_digit_texts(values, significant)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.floats(allow_nan=True, allow_infinity=True, width=64), min_size=1, max_size=40),
    st.integers(min_value=1, max_value=12),
)
def test_number_codes_equal_the_per_digit_form(values: list[float], significant: int) -> None:
    array = np.asarray(values, dtype=np.float64)
    assert format_numbers(array, significant) == _per_digit_texts(array, significant)


def test_compose_rows_equal_the_per_digit_form_on_the_benchmark_shape() -> None:
    generator = np.random.default_rng(3)
    fast = np.round(100 + np.cumsum(generator.normal(0, 0.1, 4000)), 2)
    slow = fast + generator.normal(0, 0.01, 4000)
    direction = generator.choice([-1, 1], 4000)
    texts = compose("SMA(10) ", fast, " crossed ", words(direction, "above", "below"), " ", slow)
    expected = [
        f"SMA(10) {a} crossed {'above' if d > 0 else 'below'} {b}"
        for a, d, b in zip(
            _per_digit_texts(fast, 6), direction.tolist(), _per_digit_texts(slow, 6), strict=True
        )
    ]
    assert texts == expected
