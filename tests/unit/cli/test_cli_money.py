"""``paperdesk.cli.money``: how every command prints amounts, prices, quantities, statistics
and durations."""

from __future__ import annotations

import math
from datetime import timedelta
from decimal import Decimal

import pytest

from paperdesk.cli.money import duration, float_money, money, percent, price, quantity, ratio


@pytest.mark.parametrize(
    ("value", "currency", "shown"),
    [
        ("0.125", "USD", "0.125"),  # exact: every decimal it has, never rounded
        ("-0.125", "USD", "-0.125"),
        ("14.65112", "USD", "14.65112"),
        ("10202.65744", "USD", "10,202.65744"),
        ("-782.490000000000", "USD", "-782.49"),  # trailing zeros beyond the cents dropped
        ("24385.290", "USD", "24,385.29"),
        ("10000", "USD", "10,000.00"),  # at least the minor unit
        ("1234.5", "JPY", "1,234.5"),
        ("1235", "JPY", "1,235"),  # no minor unit
        ("0.123456789", "BTC", "0.123456789"),
        ("3.14159", "EUR", "3.14159"),
    ],
)
def test_money_is_exact_with_at_least_the_currencys_decimals(
    value: str, currency: str, shown: str
) -> None:
    assert money(Decimal(value), currency) == shown


@pytest.mark.parametrize(
    ("value", "symbol", "shown"),
    [
        ("240.884000000000", "SPY", "240.88"),
        ("240.885", "SPY", "240.89"),
        ("1.123456", "EURUSD", "1.12346"),
        ("1.1", "EURUSD", "1.10000"),
        ("109.1234", "USDJPY", "109.123"),
    ],
)
def test_prices_are_shown_to_the_instruments_tick(value: str, symbol: str, shown: str) -> None:
    assert price(Decimal(value), symbol) == shown


@pytest.mark.parametrize(
    ("value", "shown"),
    [("30.000000", "30"), ("1500", "1,500"), ("0.00150000", "0.0015"), ("1E+2", "100")],
)
def test_quantities_have_no_trailing_zeros(value: str, shown: str) -> None:
    assert quantity(Decimal(value)) == shown


def test_undefined_statistics_are_not_available() -> None:
    for shown in (percent(None), ratio(None), ratio(math.inf), ratio(math.nan), float_money(None)):
        assert shown == "n/a"
    assert percent(12.345) == "12.35%"
    assert ratio(0.0) == "0.00"  # a defined zero stays a number
    assert float_money(829.865) == "829.87"


@pytest.mark.parametrize(
    ("age", "shown"),
    [
        (timedelta(days=3, hours=4, minutes=5), "3 d 4 h"),
        (timedelta(minutes=12, seconds=30.5), "12 min 30 s"),
        (timedelta(hours=2, seconds=5), "2 h 5 s"),
        (timedelta(seconds=45.9), "45 s"),
        (timedelta(0), "0 s"),
        (timedelta(days=2073, hours=20, microseconds=153083), "2073 d 20 h"),
    ],
)
def test_durations_read_like_a_person_wrote_them(age: timedelta, shown: str) -> None:
    assert duration(age) == shown
