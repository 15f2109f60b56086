"""How money is printed (``currencies.money_text``): the CLI, the reports and the dashboard
print an amount exactly, grouped, with at least its currency's minor-unit decimals (one table);
and a portfolio's books are in one currency (``check_books_currency``)."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pytest

from paperdesk.domain import OptionError
from paperdesk.domain.currencies import (
    EXACT_EXTRA_DECIMALS,
    MINOR_UNITS,
    check_books_currency,
    money_text,
)

DASHBOARD_DECIMALS = Path(__file__).parents[3] / "web" / "src" / "components" / "decimal.ts"


@pytest.mark.parametrize(
    ("value", "currency", "text"),
    [
        ("24385.290", "USD", "24,385.29"),  # trailing zeros beyond the minor unit dropped
        ("10111.605", "USD", "10,111.605"),  # a third decimal kept, never rounded
        ("-57218.545", "USD", "-57,218.545"),
        ("7", "USD", "7.00"),  # at least the minor unit
        ("1E+3", "USD", "1,000.00"),
        ("-0.000", "USD", "0.00"),  # never a negative zero
        ("-0.004", "USD", "-0.004"),
        ("1234567.5", "JPY", "1,234,567.5"),
        ("1234567", "JPY", "1,234,567"),
        ("0.123456789", "BTC", "0.123456789"),
        ("0.1", "BTC", "0.10000000"),
        ("999.995", "EUR", "999.995"),
        ("0.86415", "USD", "0.86415"),  # three decimals past the cent: still exact
        # more (prices adjusted for splits and dividends): rounded half-up to the minor unit
        ("15948.470480161655", "USD", "15,948.47"),
        ("-324.35180353708", "USD", "-324.35"),
        ("0.125001", "USD", "0.13"),
        ("-0.0000001", "USD", "0.00"),
        ("1.12345678901", "BTC", "1.12345678901"),  # 8 + 3 decimals or fewer: exact
        ("1.1234567890123", "BTC", "1.12345679"),
    ],
)
def test_money_is_exact_grouped_with_at_least_the_minor_unit(
    value: str, currency: str, text: str
) -> None:
    assert money_text(Decimal(value), currency) == text


def test_shown_money_adds_up() -> None:
    # the demo's figures: gross 57,353.03 - fees 134.485 = net 57,218.545, each shown exactly
    gross, fees = Decimal("57353.030"), Decimal("134.485")
    shown = [money_text(amount, "USD") for amount in (gross, fees, gross - fees)]
    assert shown == ["57,353.03", "134.485", "57,218.545"]
    parsed = [Decimal(text.replace(",", "")) for text in shown]
    assert parsed[0] - parsed[1] == parsed[2]


def test_the_dashboard_rounds_money_with_the_same_minor_units() -> None:
    source = DASHBOARD_DECIMALS.read_text(encoding="utf-8")
    table = re.search(r"MINOR_UNITS[^=]*= \{(?P<body>[^}]*)\}", source)
    assert table is not None, "web/src/components/decimal.ts has no MINOR_UNITS table"
    pairs = re.findall(r"([A-Z]{3,4}): (\d+)", table.group("body"))
    assert {code: int(places) for code, places in pairs} == MINOR_UNITS


def test_the_dashboard_keeps_as_many_decimals_exact() -> None:
    source = DASHBOARD_DECIMALS.read_text(encoding="utf-8")
    found = re.search(r"const EXACT_EXTRA_DECIMALS = (\d+);", source)
    assert found is not None, "web/src/components/decimal.ts has no EXACT_EXTRA_DECIMALS"
    assert int(found.group(1)) == EXACT_EXTRA_DECIMALS


def test_a_symbol_must_be_quoted_in_the_books_currency_stablecoins_at_par_in_usd() -> None:
    check_books_currency("EURUSD", "USD", "USD")
    check_books_currency("BTCUSDT", "USDT", "USD")  # the one conversion: at par
    with pytest.raises(OptionError, match="give the portfolio --currency JPY"):
        check_books_currency("USDJPY", "JPY", "USD")
    with pytest.raises(OptionError) as refused:  # BTC is no currency a portfolio can keep
        check_books_currency("ETHBTC", "BTC", "USD")
    assert "--currency" not in str(refused.value)
    assert "trade symbols quoted in USD" in str(refused.value)
