"""The vectorised texts of bar columns: each price's text is ``repr`` of its float (the exact
decimal a price of up to 15 significant digits stands for), each time the form ``UtcDateTime``
writes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from paperdesk.store.bar_texts import _point_zero, decimal_texts, time_texts

EDGES = [
    0.0, -0.0, 100.0, -100.0, 0.1, 0.30000000000000004, 19999.879999999997, 1e-4,
    9.999999999999999e-05, 1e-05, 2.5e-07, 1e15, 123456789012345.6, 9999999999999998.0, 1e16,
    1e22, 5e-324, 1.7976931348623157e308, -1234.5, float("nan"), float("inf"), float("-inf"),
]  # fmt: skip


def expected(values: np.ndarray) -> list[str | None]:
    return [None if value != value else repr(value) for value in values.tolist()]


def test_edges_of_the_fixed_and_exponent_forms_read_as_repr() -> None:
    values = np.array(EDGES)
    assert decimal_texts(values).to_pylist() == expected(values)


def test_random_bit_patterns_read_as_repr() -> None:
    patterns = np.random.default_rng(11).integers(0, 2**63, 200_000, dtype=np.int64)
    values = np.concatenate([patterns.view(np.float64), -patterns.view(np.float64)])
    assert decimal_texts(values).to_pylist() == expected(values)


def test_decimals_of_every_scale_read_as_repr() -> None:
    generator = np.random.default_rng(12)
    digits = generator.integers(-(10**15), 10**15, 300_000)
    values = digits / 10.0 ** generator.integers(0, 22, len(digits))
    assert decimal_texts(values).to_pylist() == expected(values)


def test_whole_numbers_among_others_read_as_repr() -> None:
    generator = np.random.default_rng(13)
    values = np.round(generator.normal(0, 1e4, 50_000), 2)
    values[generator.integers(0, len(values), 5_000)] = np.round(values[:5_000])  # "x.0" texts
    values[:3] = [0.0, -0.0, 1e15]
    for chunk in (values, values[:1], values[7:5007]):
        assert decimal_texts(chunk).to_pylist() == expected(chunk)


def test_point_zero_appends_to_the_masked_texts_of_a_slice() -> None:
    texts = pa.array(["x", "1", "", "-0", "22", "3"]).slice(1, 4)
    masked = np.array([True, True, False, True])
    assert _point_zero(texts, masked).to_pylist() == ["1.0", ".0", "-0", "22.0"]
    with pytest.raises(ValueError, match="nulls"):
        _point_zero(pa.array(["1", None]), np.array([True, False]))


@settings(max_examples=300, deadline=None)
@given(st.lists(st.floats(allow_nan=True, allow_infinity=True), min_size=1, max_size=40))
def test_any_floats_read_as_repr(floats: list[float]) -> None:
    values = np.array(floats, dtype=np.float64)
    assert decimal_texts(values).to_pylist() == expected(values)


def test_times_read_as_the_iso_forms_of_each_database() -> None:
    moments = [
        datetime(1970, 1, 1, tzinfo=UTC),
        datetime(2000, 2, 29, 23, 59, 59, 999999, tzinfo=UTC),
        datetime(1900, 3, 1, 12, 0, 0, 1, tzinfo=UTC),
        datetime(2100, 12, 31, 0, 0, 0, 500000, tzinfo=UTC),
        datetime(1, 1, 1, tzinfo=UTC),
        datetime(9999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC),
    ]
    generator = np.random.default_rng(13)
    start = datetime(1600, 1, 1, tzinfo=UTC)
    moments += [
        start + timedelta(microseconds=int(offset))
        for offset in generator.integers(0, 800 * 365 * 86_400 * 10**6, 5_000)
    ]
    epoch = datetime(1970, 1, 1, tzinfo=UTC)
    micros = np.array([(moment - epoch) // timedelta(microseconds=1) for moment in moments])
    naive = [moment.replace(tzinfo=None) for moment in moments]
    assert time_texts(micros, postgres=False).to_pylist() == [
        moment.isoformat(sep=" ", timespec="microseconds") for moment in naive
    ]
    assert time_texts(micros, postgres=True).to_pylist() == [
        moment.isoformat(timespec="microseconds") for moment in moments
    ]


def test_a_time_before_year_1_uses_numpy_forms() -> None:
    micros = np.array([-62_135_596_800_000_001, 0])  # a microsecond before 0001-01-01
    assert time_texts(micros, postgres=False).to_pylist() == [
        "0000-12-31 23:59:59.999999",
        "1970-01-01 00:00:00.000000",
    ]
    assert time_texts(micros, postgres=True).to_pylist()[0] == "0000-12-31T23:59:59.999999+00:00"


def test_dense_times_read_as_the_iso_forms_from_the_tables() -> None:
    """Minute bars over a year end and a leap day (dates from the span's table), first on
    whole seconds (the microseconds' digits left as zeros), then with some microseconds."""
    start = datetime(2023, 12, 30, 22, 0, tzinfo=UTC)
    moments = [start + timedelta(minutes=minute) for minute in range(0, 90 * 24 * 60, 7)]
    epoch = datetime(1970, 1, 1, tzinfo=UTC)
    micros = np.array([(moment - epoch) // timedelta(microseconds=1) for moment in moments])
    for shift in (0, 1):
        shifted = micros.copy()
        shifted[::1000] += shift * 999_999
        instants = [epoch + timedelta(microseconds=int(value)) for value in shifted]
        assert time_texts(shifted, postgres=False).to_pylist() == [
            moment.replace(tzinfo=None).isoformat(sep=" ", timespec="microseconds")
            for moment in instants
        ]
        assert time_texts(shifted, postgres=True).to_pylist() == [
            moment.isoformat(timespec="microseconds") for moment in instants
        ]
    days = {text[:10] for text in time_texts(micros, postgres=False).to_pylist()}
    assert {"2023-12-31", "2024-01-01", "2024-02-29", "2024-03-01"} <= days


def test_no_times_give_no_texts() -> None:
    assert time_texts(np.array([], dtype=np.int64), postgres=False).to_pylist() == []
