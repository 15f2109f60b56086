"""How money is printed (``currencies.money_text``): the CLI, the reports and the dashboard
round an amount half-up to its currency's minor unit and group the thousands, from one table;
and a portfolio's books are in one currency (``check_books_currency``)."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pytest

from paperdesk.domain import OptionError
from paperdesk.domain.currencies import MINOR_UNITS, check_books_currency, money_text

DASHBOARD_DECIMALS = Path(__file__).parents[3] / "web" / "src" / "components" / "decimal.ts"


@pytest.mark.parametrize(
    ("value", "currency", "text"),
    [
        ("10111.605", "USD", "10,111.61"),  # a tie goes up
        ("-10111.605", "USD", "-10,111.61"),  # and away from zero below it
        ("-0.004", "USD", "0.00"),  # never a negative zero
        ("1234567.5", "JPY", "1,234,568"),
        ("0.123456789", "BTC", "0.12345679"),
        ("999.995", "EUR", "1,000.00"),
    ],
)
def test_money_is_rounded_half_up_to_the_minor_unit_and_grouped(
    value: str, currency: str, text: str
) -> None:
    assert money_text(Decimal(value), currency) == text


def test_the_dashboard_rounds_money_with_the_same_minor_units() -> None:
    source = DASHBOARD_DECIMALS.read_text(encoding="utf-8")
    table = re.search(r"MINOR_UNITS[^=]*= \{(?P<body>[^}]*)\}", source)
    assert table is not None, "web/src/components/decimal.ts has no MINOR_UNITS table"
    pairs = re.findall(r"([A-Z]{3,4}): (\d+)", table.group("body"))
    assert {code: int(places) for code, places in pairs} == MINOR_UNITS


def test_a_symbol_must_be_quoted_in_the_books_currency_stablecoins_at_par_in_usd() -> None:
    check_books_currency("EURUSD", "USD", "USD")
    check_books_currency("BTCUSDT", "USDT", "USD")  # the one conversion: at par
    with pytest.raises(OptionError, match="give the portfolio --currency JPY"):
        check_books_currency("USDJPY", "JPY", "USD")
    with pytest.raises(OptionError) as refused:  # BTC is no currency a portfolio can keep
        check_books_currency("ETHBTC", "BTC", "USD")
    assert "--currency" not in str(refused.value)
    assert "trade symbols quoted in USD" in str(refused.value)
