"""The bundled symbol table, inference from a symbol's shape, and refusing unknown symbols."""

from __future__ import annotations

from decimal import Decimal

import pytest

from paperdesk.data.instruments import (
    UnknownSymbolError,
    instrument_for,
    known_asset_class,
    remember_asset_class,
    symbol_table,
)
from paperdesk.domain import AssetClass, Instrument


def _today(symbol: str, asset_class: AssetClass) -> Instrument:
    """What paperdesk built for these classes before the table: the domain's constructors."""
    if asset_class is AssetClass.FOREX:
        return Instrument.forex(symbol)
    if asset_class is AssetClass.EQUITY:
        return Instrument.equity(symbol)
    quote = next(q for q in ("USDT", "USD", "BTC") if symbol.endswith(q) and symbol != q)
    tick = Decimal("0.00000001") if quote in {"BTC", "ETH"} else Decimal("0.01")
    return Instrument.crypto(symbol, currency=quote, tick_size=tick)


def test_table_lists_every_bundled_symbol_and_the_majors() -> None:
    table = symbol_table()
    for symbol in ("SPY", "AAPL", "GOOG", "EURUSD", "BTCUSD", "2006-DAY-001"):
        assert symbol in table
    for symbol in ("GBPUSD", "USDJPY", "ETHUSD", "QQQ", "MSFT"):
        assert symbol in table
    assert {table[root].asset_class for root in ("ES", "NQ", "CL", "GC")} == {AssetClass.FUTURE}


@pytest.mark.parametrize(
    "symbol",
    [
        symbol
        for symbol, row in symbol_table().items()
        if row.asset_class in (AssetClass.EQUITY, AssetClass.FOREX, AssetClass.CRYPTO)
    ],
)
def test_table_entries_keep_todays_instruments(symbol: str) -> None:
    entry = instrument_for(symbol)
    assert entry == _today(symbol, entry.asset_class)


def test_future_contract_terms() -> None:
    es = instrument_for("es")
    assert (es.asset_class, es.tick_size, es.contract_size) == (
        AssetClass.FUTURE,
        Decimal("0.25"),
        Decimal("50"),
    )


def test_unknown_symbol_is_refused_with_the_hint() -> None:
    with pytest.raises(UnknownSymbolError) as refused:
        instrument_for("eurusd2")
    assert str(refused.value) == (
        "unknown symbol EURUSD2: say its asset class with "
        "--asset-class equity|forex|crypto|future|cfd"
    )


@pytest.mark.parametrize(
    ("symbol", "asset_class"),
    [("NZDCHF", AssetClass.FOREX), ("SOLEUR", AssetClass.CRYPTO), ("DOGEBTC", AssetClass.CRYPTO)],
)
def test_unambiguous_shapes_are_inferred(symbol: str, asset_class: AssetClass) -> None:
    assert symbol not in symbol_table()
    assert known_asset_class(symbol) == (asset_class, "inferred")
    assert instrument_for(symbol).asset_class is asset_class


def test_a_remembered_class_names_the_instrument() -> None:
    remember_asset_class("EURUSD2", "forex")
    instrument = instrument_for("EURUSD2")
    assert (instrument.asset_class, instrument.calendar) == (AssetClass.FOREX, "FX")
    assert (instrument.currency, instrument.pip_size) == ("USD", Decimal("0.0001"))
    assert instrument_for("ACME", "cfd").calendar == "FX"
