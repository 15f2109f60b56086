"""The door's checks accept every ordinary value and name the bad one with what was expected."""

from __future__ import annotations

from datetime import date

import pytest

from paperdesk.domain import OptionError
from paperdesk.domain import parsing as values
from paperdesk.domain.limits import (
    client_order_id_value,
    commission_value,
    currency_value,
    symbol_value,
)


@pytest.mark.parametrize(
    "spec",
    ["none", "percent:0.1", "PERCENT:10", "per-share:0.005:min=1", "per-share:0.01:min=1:max-pct=1",
     "per-share:0.005:max-pct=0.5", "per-lot:7", "per-contract:2", "0.002", "0"],
)  # fmt: skip
def test_ordinary_commissions_are_accepted_as_typed(spec: str) -> None:
    assert commission_value(f" {spec} ", "--commission") == spec


@pytest.mark.parametrize(
    "spec",
    ["percent:10.01", "per-share:10.5", "per-share:0.005:min=100.01", "per-share:1:max-pct=11",
     "per-lot:1000.5", "per-contract:1000.5", "per-contract:-1", "0.11", "percent:-1",
     "per-share:1:min", "per-share:1:min=1:min=1",
     "percent:1e400", "per-lot:sNaN", "percent:0.1:0.2", "per-share:"],
)  # fmt: skip
def test_commissions_beyond_the_bounds_are_named(spec: str) -> None:
    with pytest.raises(OptionError, match=f"invalid value for --commission: '{spec}'"):
        commission_value(spec, "--commission")


@pytest.mark.parametrize("symbol", ["SPY", "eurusd", "BTC/USD", "BRK.B", "ES_F", "6E-M", "A" * 32])
def test_ordinary_symbols_are_accepted_upper_cased(symbol: str) -> None:
    assert symbol_value(symbol, "--symbol") == symbol.upper()


@pytest.mark.parametrize(
    "symbol", ["", " ", "S P Y", "A" * 33, "..", "./X", "A..B", "SPY\x1b", "ÄÖ"]
)
def test_bad_symbols_are_named(symbol: str) -> None:
    with pytest.raises(OptionError, match="invalid value for --symbol"):
        symbol_value(symbol, "--symbol")


def test_currencies_are_iso_4217_codes() -> None:
    assert currency_value(" usd ", "--currency") == "USD"
    assert currency_value("CHF", "--currency") == "CHF"
    for code in ("XYZ", "XXX", "ÄÖÜ", "US", ""):
        with pytest.raises(OptionError, match="ISO 4217"):
            currency_value(code, "--currency")


def test_client_order_ids_are_1_to_64_printable_characters() -> None:
    assert client_order_id_value("my-order_1", "--client-id") == "my-order_1"
    assert client_order_id_value("x" * 64, "--client-id") == "x" * 64
    for bad in ("", " ", "x" * 65, "a b", "a\x1bb"):
        with pytest.raises(OptionError, match="--client-id"):
            client_order_id_value(bad, "--client-id")


def test_dates_are_real_and_within_1900_to_2100() -> None:
    assert values.date_value("1900-01-01", "--from") == date(1900, 1, 1)
    assert values.date_value("2100-12-31", "--to") == date(2100, 12, 31)
    for bad in ("1899-12-31", "2101-01-01", "2021-02-29", date(9999, 1, 1)):
        with pytest.raises(OptionError, match="1900 to 2100"):
            values.date_value(bad, "--from")


def test_integers_fit_64_bits() -> None:
    largest = 2**63 - 1
    assert values.integer_value(str(largest), "N") == largest
    with pytest.raises(OptionError, match=str(largest + 1)):
        values.integer_value(str(largest + 1), "N")
