"""How routing messages print money, quantities and percentages."""

from __future__ import annotations

from decimal import Decimal


def money(value: Decimal) -> str:
    """Print an amount of money with two decimals and thousands separators."""
    return f"{value:,.2f}"


def amount(value: Decimal) -> str:
    """Print a quantity or price without trailing zeros or an exponent."""
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def percent(value: Decimal) -> str:
    """Print a percentage option such as ``80%`` or ``2.5%``."""
    return f"{amount(value)}%"
