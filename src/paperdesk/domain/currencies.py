"""Currencies: how many decimals each one's amounts are shown with (ISO 4217 minor units),
and the ISO 4217 codes a portfolio may keep its books in (active codes, without the fund,
precious-metal, SDR and testing codes: XXX, XTS, XAU...)."""

from __future__ import annotations

from decimal import Decimal

from paperdesk.domain.errors import OptionError
from paperdesk.domain.fields import field_mark
from paperdesk.domain.money import figure_text

DEFAULT_MINOR_UNIT = 2
# a tenth of a cent (per-share fees) and the mils of percent fees are shown as they are; an
# amount with more decimals than this past its minor unit is rounded to the minor unit
EXACT_EXTRA_DECIMALS = 3
MINOR_UNITS = {
    "BHD": 3, "CLP": 0, "HUF": 2, "IDR": 2, "ISK": 0, "JOD": 3, "JPY": 0, "KRW": 0, "KWD": 3,
    "OMR": 3, "TND": 3, "TWD": 2, "VND": 0, "XAG": 2, "XAU": 2,
    "BTC": 8, "ETH": 8, "USDT": 2, "USDC": 2, "BUSD": 2,
}  # fmt: skip


def minor_unit(currency: str | None) -> int:
    """The decimals of ``currency`` (2 for USD and EUR, 0 for JPY, 8 for BTC); 2 if unknown."""
    code = (currency or "").strip().upper()
    return MINOR_UNITS.get(code, DEFAULT_MINOR_UNIT)


def money_text(value: Decimal, currency: str | None) -> str:
    """An amount as every surface shows it (the CLI, the HTML reports and the dashboard's
    ``formatMoney`` alike): exact, never rounded, thousands grouped, at least ``currency``'s
    minor-unit decimals and every further decimal the amount has, its trailing zeros beyond the
    minor unit dropped: ``24385.290`` USD is ``24,385.29``, ``134.485`` is ``134.485``, ``7`` is
    ``7.00``; zero is ``0.00``, never ``-0.00``. Shown amounts therefore add up exactly (gross
    ``57,353.03`` - fees ``134.485`` = net ``57,218.545``). A float statistic in money is not
    exact and is rounded instead (``figure_text``). So is an amount with more than
    ``EXACT_EXTRA_DECIMALS`` decimals past the minor unit (prices adjusted for splits and
    dividends give cash and P&L 15 decimals and more): rounded half-up to the minor unit, as
    a statement would show it, where shown figures can then miss each other by a cent."""
    if not value.is_finite():
        return str(value)
    if value.is_zero():
        value = abs(value)
    places = minor_unit(currency)
    exponent = value.normalize().as_tuple().exponent
    decimals = max(places, -exponent if isinstance(exponent, int) else 0)
    if decimals > places + EXACT_EXTRA_DECIMALS:  # adjusted prices' many digits: the cent
        return figure_text(value, places)
    return f"{value:,.{decimals}f}"


# stablecoins a USD book counts at par (1 USDT = 1 USD): the one conversion paperdesk makes
AT_PAR = {"USDT": "USD", "USDC": "USD", "BUSD": "USD"}


def check_books_currency(symbol: str, quoted_in: str, books: str) -> None:
    """Refuse ``symbol`` in a portfolio whose books are in another currency than the one it is
    quoted in: paperdesk converts no currency, so its P&L (yen for USDJPY, pounds for EURGBP)
    would be booked as if it were the portfolio's own money."""
    quoted = quoted_in.strip().upper()
    book = books.strip().upper()
    if quoted == book or AT_PAR.get(quoted) == book:
        return
    currency, symbols = field_mark("currency"), field_mark("symbols", "--symbol")
    other_book = f"give the portfolio {currency} {quoted}, or " if quoted in ISO_4217 else ""
    raise OptionError(
        f"invalid value for {symbols}: {symbol!r} is quoted in {quoted} but the portfolio keeps "
        f"its books in {book}, and paperdesk converts no currency (its P&L in {quoted} would be "
        f"booked as {book}); {other_book}trade symbols quoted in {book}"
    )


_CODES = """
    AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BRL BSD BTN BWP
    BYN BZD CAD CDF CHF CLP CNY COP CRC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP
    GEL GHS GIP GMD GNF GTQ GYD HKD HNL HTG HUF IDR ILS INR IQD IRR ISK JMD JOD JPY KES KGS KHR
    KMF KPW KRW KWD KYD KZT LAK LBP LKR LRD LSL LYD MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK
    MXN MYR MZN NAD NGN NIO NOK NPR NZD OMR PAB PEN PGK PHP PKR PLN PYG QAR RON RSD RUB RWF SAR
    SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP STN SVC SYP SZL THB TJS TMT TND TOP TRY TTD TWD TZS
    UAH UGX USD UYU UZS VES VND VUV WST XAF XCD XCG XOF XPF YER ZAR ZMW ZWG
"""
ISO_4217: frozenset[str] = frozenset(_CODES.split())
