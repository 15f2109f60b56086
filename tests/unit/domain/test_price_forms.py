"""How documents write an exact bar price and volume (``domain.price_forms``)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from paperdesk.domain.price_forms import plain_form, tick_form


@pytest.mark.parametrize(
    ("value", "tick", "written"),
    [
        ("398.0", "0.01", "398.00"),  # a float's shortest text, as bars hold it
        ("398", "0.01", "398.00"),
        ("398.000", "0.01", "398.00"),
        ("398.5", "0.01", "398.50"),
        ("333.6584517059265", "0.01", "333.6584517059265"),  # off the tick: every digit
        ("388.1702", "0.01", "388.1702"),
        ("1.1", "0.00001", "1.10000"),
        ("4012.25", "0.25", "4012.25"),
        ("100.0", "1", "100"),
        ("1500.0", "5", "1500"),
    ],
)
def test_a_price_has_its_ticks_decimals_when_exact(value: str, tick: str, written: str) -> None:
    form = tick_form(Decimal(value), Decimal(tick))
    assert str(form) == written
    assert form == Decimal(value)  # the same number


@pytest.mark.parametrize(
    ("value", "written"), [("1500.0", "1500"), ("1E+3", "1000"), ("0.250", "0.25"), ("0", "0")]
)
def test_a_volume_keeps_no_trailing_zero_and_no_exponent(value: str, written: str) -> None:
    assert str(plain_form(Decimal(value))) == written
