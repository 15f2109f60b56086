"""The instrument (asset class, currency, calendar, tick) behind a symbol: the bundled symbol
table (``symbols.csv``), the class a series was imported with, or an unambiguous inference."""

from __future__ import annotations

import csv
import io
from dataclasses import replace
from decimal import Decimal
from functools import lru_cache
from importlib.resources import files

from paperdesk.domain import AssetClass, Instrument, UnknownNameError
from paperdesk.domain.fields import field_mark

ISO_CURRENCIES = frozenset(
    {
        "AUD", "BRL", "CAD", "CHF", "CNH", "CNY", "CZK", "DKK", "EUR", "GBP", "HKD", "HUF",
        "ILS", "INR", "JPY", "KRW", "MXN", "NOK", "NZD", "PLN", "RUB", "SEK", "SGD", "THB",
        "TRY", "USD", "XAG", "XAU", "ZAR",
    }
)  # fmt: skip
CRYPTO_PREFIXES = ("BTC", "ETH", "LTC", "XRP")
CRYPTO_QUOTES = frozenset({"USDT", "USDC", "BUSD", "BTC", "ETH"})
_SEPARATORS = str.maketrans("", "", "/_-: ")


def compact_symbol(symbol: str) -> str:
    """Upper-case a symbol and drop pair separators: ``eur/usd`` -> ``EURUSD``."""
    return symbol.strip().upper().translate(_SEPARATORS)


def is_forex_pair(symbol: str) -> bool:
    """Whether ``symbol`` is six letters made of two known ISO currency codes."""
    compact = compact_symbol(symbol)
    return (
        len(compact) == 6
        and compact[:3] in ISO_CURRENCIES
        and compact[3:] in ISO_CURRENCIES
        and compact[:3] != compact[3:]
    )


def is_crypto_symbol(symbol: str) -> bool:
    """Whether ``symbol`` starts with BTC/ETH/LTC/XRP or contains USDT."""
    compact = compact_symbol(symbol)
    return compact.startswith(CRYPTO_PREFIXES) or "USDT" in compact


ASSET_CLASSES = "|".join(member.value for member in AssetClass)
# Bases that make BASE+QUOTE a crypto pair when QUOTE is a known currency or stablecoin.
CRYPTO_BASES = frozenset({"BTC", "ETH", "LTC", "XRP", "SOL", "ADA", "DOGE", "DOT", "BNB", "AVAX"})
_TABLE = files("paperdesk.data").joinpath("symbols.csv")
_stored: dict[str, AssetClass] = {}


class UnknownSymbolError(UnknownNameError):
    """A symbol that is not in the symbol table, cannot be inferred and was given no class."""

    def __init__(self, symbol: str) -> None:
        super().__init__(
            f"unknown symbol {symbol}: say its asset class with {field_mark('asset_class')} "
            f"{ASSET_CLASSES}"
        )
        self.symbol = symbol


@lru_cache(maxsize=1)
def symbol_table() -> dict[str, Instrument]:
    """The symbols paperdesk knows (``symbols.csv``): asset class, calendar, currency, tick,
    lot, pip and contract size of each."""
    rows = csv.DictReader(io.StringIO(_TABLE.read_text(encoding="utf-8")))
    return {row["symbol"]: _row_instrument(row) for row in rows}


def _row_instrument(row: dict[str, str]) -> Instrument:
    return Instrument(
        row["symbol"],
        AssetClass(row["asset_class"]),
        row["currency"],
        Decimal(row["tick_size"]),
        Decimal(row["lot_size"]),
        Decimal(row["pip_size"]) if row["pip_size"] else None,
        Decimal(row["contract_size"]),
        row["calendar"],
    )


def asset_class_value(asset_class: str) -> AssetClass:
    """``asset_class`` as an ``AssetClass``; anything else is refused, naming the choices."""
    try:
        return AssetClass(asset_class.strip().lower())
    except ValueError:
        known = ", ".join(member.value for member in AssetClass)
        raise UnknownNameError(
            f"asset class {asset_class!r} is not known; expected one of {known}"
        ) from None


def remember_asset_class(symbol: str, asset_class: str | AssetClass) -> None:
    """Record the asset class a stored series was imported with, for this process."""
    _stored[symbol.strip().upper()] = asset_class_value(str(asset_class))


def forget_asset_classes() -> None:
    """Drop every remembered asset class (as a new process would start)."""
    _stored.clear()


def inferred_asset_class(symbol: str) -> AssetClass | None:
    """The class a symbol's shape says unambiguously: forex for two ISO currency codes, crypto
    for a known crypto base (or a USDT quote); None otherwise."""
    if is_forex_pair(symbol):
        return AssetClass.FOREX
    compact = compact_symbol(symbol)
    if is_crypto_symbol(symbol):
        return AssetClass.CRYPTO
    for base in CRYPTO_BASES:
        quote = compact[len(base) :]
        if compact.startswith(base) and (quote in CRYPTO_QUOTES or quote in ISO_CURRENCIES):
            return AssetClass.CRYPTO
    return None


def known_asset_class(symbol: str) -> tuple[AssetClass, str] | None:
    """The class paperdesk knows ``symbol`` by and how: ``table``, ``stored`` or ``inferred``."""
    name = symbol.strip().upper()
    known = symbol_table().get(name) or symbol_table().get(compact_symbol(name))
    if known is not None:
        return known.asset_class, "table"
    if name in _stored:
        return _stored[name], "stored"
    guess = inferred_asset_class(name)
    return None if guess is None else (guess, "inferred")


def instrument_for(symbol: str, asset_class: str | None = None) -> Instrument:
    """The instrument ``symbol`` names: built for ``asset_class`` when one is given, else the
    symbol table's entry, else the class its series was imported with, else the class its shape
    says (forex for two ISO currency codes, crypto for a known crypto base). Any other symbol
    is refused (``UnknownSymbolError``, which says how to give its class)."""
    if not symbol or not symbol.strip():
        raise UnknownNameError("symbol must not be empty")
    if asset_class is None:
        table = symbol_table()
        name = symbol.strip().upper()
        entry = table.get(name) or table.get(compact_symbol(name))
        if entry is not None:
            return entry
        found = known_asset_class(name)
        if found is None:
            raise UnknownSymbolError(name)
        kind = found[0]
    else:
        kind = asset_class_value(asset_class)
    return _built(symbol, kind)


def calendar_or_default(symbol: str) -> str:
    """The calendar of a frame that holds no bar of ``symbol``: its instrument's, or XNYS for
    an unknown symbol (nothing is placed on it; its import or run says what is missing)."""
    try:
        return instrument_for(symbol).calendar
    except UnknownSymbolError:
        return "XNYS"


def _built(symbol: str, kind: AssetClass) -> Instrument:
    if kind is AssetClass.FOREX:
        return _forex_instrument(compact_symbol(symbol))
    if kind is AssetClass.CRYPTO:
        return _crypto_instrument(symbol)
    if kind in (AssetClass.FUTURE, AssetClass.CFD):
        return Instrument(symbol.strip().upper(), kind, calendar="FX")
    return Instrument.equity(symbol.strip().upper())


def _forex_instrument(compact: str) -> Instrument:
    """A pair, or a series named after one (``EURUSD2`` is quoted in USD); else in USD."""
    if is_forex_pair(compact) or not is_forex_pair(compact[:6]):
        instrument = Instrument.forex(compact)
        if instrument.currency in ISO_CURRENCIES:
            return instrument
        return replace(instrument, currency="USD")
    return replace(Instrument.forex(compact[:6]), symbol=compact)


def _crypto_instrument(symbol: str) -> Instrument:
    text = symbol.strip().upper()
    compact = compact_symbol(text)
    quote = ""
    if "/" in text:
        quote = text.split("/", 1)[1].split(":", 1)[0]
    else:
        for prefix in CRYPTO_PREFIXES:
            if compact.startswith(prefix):
                quote = compact[len(prefix) :]
                break
        else:
            for candidate in sorted(CRYPTO_QUOTES | ISO_CURRENCIES, key=len, reverse=True):
                if compact.endswith(candidate) and len(compact) > len(candidate):
                    quote = candidate
                    break
    currency = quote if quote.isalpha() and quote else "USD"
    tick_size = Decimal("0.00000001") if currency in {"BTC", "ETH"} else Decimal("0.01")
    return Instrument.crypto(compact, currency=currency, tick_size=tick_size)
