"""Guess the instrument (asset class, currency, calendar) behind a bare symbol."""

from __future__ import annotations

from decimal import Decimal

from paperdesk.domain import AssetClass, Instrument, UnknownNameError

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


def instrument_for(symbol: str, asset_class: str | None = None) -> Instrument:
    """Build the instrument for ``symbol``, guessing its asset class unless one is given.

    Six-letter pairs of known ISO currencies are forex (calendar ``FX``); symbols starting with
    BTC, ETH, LTC or XRP or containing USDT are crypto (calendar ``24/7``); anything else is a
    US equity on ``XNYS``.
    """
    if not symbol or not symbol.strip():
        raise UnknownNameError("symbol must not be empty")
    if asset_class is None:
        if is_forex_pair(symbol):
            kind = AssetClass.FOREX
        elif is_crypto_symbol(symbol):
            kind = AssetClass.CRYPTO
        else:
            kind = AssetClass.EQUITY
    else:
        try:
            kind = AssetClass(asset_class.strip().lower())
        except ValueError:
            known = ", ".join(member.value for member in AssetClass)
            raise UnknownNameError(
                f"asset class {asset_class!r} is not known; expected one of {known}"
            ) from None
    if kind is AssetClass.FOREX:
        return Instrument.forex(compact_symbol(symbol))
    if kind is AssetClass.CRYPTO:
        return _crypto_instrument(symbol)
    return Instrument.equity(symbol.strip().upper())


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
