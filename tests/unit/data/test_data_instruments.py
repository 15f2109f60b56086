"""Tests for guessing instruments from symbols."""

from __future__ import annotations

from decimal import Decimal

import pytest

from paperdesk.data import instrument_for
from paperdesk.domain import AssetClass, UnknownNameError


@pytest.mark.parametrize(
    ("symbol", "asset_class", "calendar", "currency"),
    [
        ("EURUSD", AssetClass.FOREX, "FX", "USD"),
        ("usdjpy", AssetClass.FOREX, "FX", "JPY"),
        ("GBP/CHF", AssetClass.FOREX, "FX", "CHF"),
        ("BTCUSD", AssetClass.CRYPTO, "24/7", "USD"),
        ("ETHBTC", AssetClass.CRYPTO, "24/7", "BTC"),
        ("XRPUSDT", AssetClass.CRYPTO, "24/7", "USDT"),
        ("DOGEUSDT", AssetClass.CRYPTO, "24/7", "USDT"),
        ("SPY", AssetClass.EQUITY, "XNYS", "USD"),
        ("2006-DAY-001", AssetClass.EQUITY, "XNYS", "USD"),
    ],
)
def test_instrument_for_guesses(
    symbol: str, asset_class: AssetClass, calendar: str, currency: str
) -> None:
    instrument = instrument_for(symbol)
    assert instrument.asset_class is asset_class
    assert instrument.calendar == calendar
    assert instrument.currency == currency


def test_forex_pip_sizes() -> None:
    assert instrument_for("EURUSD").pip_size == Decimal("0.0001")
    assert instrument_for("USDJPY").pip_size == Decimal("0.01")


def test_explicit_asset_class_wins() -> None:
    assert instrument_for("EURUSD", "equity").asset_class is AssetClass.EQUITY
    assert instrument_for("FOO", "Crypto").calendar == "24/7"
    with pytest.raises(UnknownNameError, match="asset class 'bond'"):
        instrument_for("FOO", "bond")
