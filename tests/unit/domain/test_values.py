"""Domain value types: rounding to ticks and lots, timeframes, bar and order validation."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from paperdesk.domain import (
    AssetClass,
    Bar,
    Direction,
    Instrument,
    InvalidInputError,
    OrderIntent,
    OrderType,
    Side,
    Signal,
    Timeframe,
    to_decimal,
)

D = Decimal
T0 = datetime(2024, 3, 1, 14, 30, tzinfo=UTC)


def test_equity_rounds_prices_to_cents_and_quantities_down_to_whole_shares() -> None:
    spy = Instrument.equity("SPY")
    assert spy.round_price(D("412.345")) == D("412.34")  # half-even
    assert spy.round_price(D("412.355")) == D("412.36")
    assert spy.round_quantity(D("12.99")) == D("12")
    assert spy.round_quantity(D("-12.99")) == D("-12")


def test_forex_pair_has_pips_lots_and_the_quote_currency() -> None:
    eurusd = Instrument.forex("EURUSD")
    assert (eurusd.asset_class, eurusd.currency, eurusd.pip_size) == (
        AssetClass.FOREX,
        "USD",
        D("0.0001"),
    )
    assert eurusd.tick_size == D("0.00001")
    assert eurusd.contract_size == D("100000")
    assert Instrument.forex("USDJPY").pip_size == D("0.01")


def test_crypto_allows_fractional_quantities_to_eight_decimals() -> None:
    btc = Instrument.crypto("BTCUSD")
    assert btc.round_quantity(D("0.123456789")) == D("0.12345678")
    assert btc.calendar == "24/7"


def test_instrument_rejects_non_positive_increments() -> None:
    with pytest.raises(InvalidInputError, match="tick_size must not be negative"):
        Instrument("X", AssetClass.EQUITY, tick_size=D("-0.01"))
    with pytest.raises(InvalidInputError, match="lot_size"):
        Instrument("X", AssetClass.EQUITY, lot_size=D("0"))
    with pytest.raises(InvalidInputError, match="symbol"):
        Instrument(" ", AssetClass.EQUITY)


def test_a_tick_of_zero_is_no_price_grid_and_rounds_nothing() -> None:
    # an adjusted series trades on no grid (Lean's AdjustedPriceVariationModel returns 0)
    adjusted = Instrument("SPY", AssetClass.EQUITY, tick_size=D("0"))
    assert adjusted.round_price(D("144.781724170")) == D("144.781724170")
    assert Instrument("SPY", AssetClass.EQUITY).round_price(D("144.781724170")) == D("144.78")


@pytest.mark.parametrize(
    ("text", "seconds"), [("1m", 60), ("5m", 300), ("1h", 3600), ("1d", 86400), ("1w", 604800)]
)
def test_timeframe_parses_common_lengths(text: str, seconds: int) -> None:
    assert Timeframe.parse(text).seconds == seconds
    assert str(Timeframe.parse(text)) == text


@pytest.mark.parametrize("text", ["", "0m", "1x", "m5", "1.5h"])
def test_timeframe_rejects_malformed_text_naming_it(text: str) -> None:
    with pytest.raises(InvalidInputError, match="timeframe"):
        Timeframe.parse(text)


def bar(**overrides: object) -> Bar:
    values: dict[str, object] = {
        "symbol": "SPY",
        "timeframe": "1m",
        "ts_open": T0,
        "ts_close": T0 + timedelta(minutes=1),
        "open": D("10"),
        "high": D("11"),
        "low": D("9"),
        "close": D("10.5"),
        "volume": D("100"),
    }
    values.update(overrides)
    return Bar(**values)  # type: ignore[arg-type]


def test_bar_accepts_a_consistent_bar() -> None:
    assert bar().close == D("10.5")


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"high": D("10.2")}, "high"),
        ({"low": D("10.1")}, "low"),
        ({"open": D("0")}, "positive"),
        ({"volume": D("-1")}, "volume"),
        ({"ts_close": T0}, "after ts_open"),
        ({"ts_open": datetime(2024, 3, 1), "ts_close": datetime(2024, 3, 2)}, "timezone"),
    ],
)
def test_bar_rejects_inconsistent_values(overrides: dict[str, object], message: str) -> None:
    with pytest.raises(InvalidInputError, match=message):
        bar(**overrides)


def test_signal_confidence_must_be_a_probability() -> None:
    with pytest.raises(InvalidInputError, match="confidence"):
        Signal("s", "SPY", Direction.LONG, T0, confidence=1.5)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"quantity": D("0")}, "quantity must be positive"),
        ({"quantity": D("-1")}, "quantity must be positive"),
        ({"order_type": OrderType.LIMIT}, "limit price"),
        ({"order_type": OrderType.STOP}, "stop price"),
        ({"order_type": OrderType.STOP_LIMIT, "limit_price": D("1")}, "stop price"),
    ],
)
def test_order_intent_names_the_field_that_makes_it_impossible(
    kwargs: dict[str, object], message: str
) -> None:
    values: dict[str, object] = {"symbol": "SPY", "side": Side.BUY, "quantity": D("1")}
    values.update(kwargs)
    with pytest.raises(InvalidInputError, match=message):
        OrderIntent(**values)  # type: ignore[arg-type]


def test_to_decimal_keeps_the_shortest_float_repr_and_rejects_non_numbers() -> None:
    assert to_decimal(3643.35) == D("3643.35")
    assert to_decimal("0.1") == D("0.1")
    for bad in ("abc", float("nan"), float("inf"), True):
        with pytest.raises(InvalidInputError):
            to_decimal(bad)


def test_to_decimal_accepts_numpy_floats_by_their_shortest_repr() -> None:
    import numpy as np

    assert to_decimal(np.float64(396.33)) == D("396.33")
