"""How many decimals each currency's amounts are shown with (ISO 4217 minor units)."""

from __future__ import annotations

DEFAULT_MINOR_UNIT = 2
MINOR_UNITS = {
    "BHD": 3, "CLP": 0, "HUF": 2, "IDR": 2, "ISK": 0, "JOD": 3, "JPY": 0, "KRW": 0, "KWD": 3,
    "OMR": 3, "TND": 3, "TWD": 2, "VND": 0, "XAG": 2, "XAU": 2,
    "BTC": 8, "ETH": 8, "USDT": 2, "USDC": 2, "BUSD": 2,
}  # fmt: skip


def minor_unit(currency: str | None) -> int:
    """The decimals of ``currency`` (2 for USD and EUR, 0 for JPY, 8 for BTC); 2 if unknown."""
    code = (currency or "").strip().upper()
    return MINOR_UNITS.get(code, DEFAULT_MINOR_UNIT)
