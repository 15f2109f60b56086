"""Checks of values that enter paperdesk, with the ledger's limits: symbols, currencies,
client order ids and commission specs. Each names the bad value and what was expected."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from paperdesk.domain.currencies import ISO_4217
from paperdesk.domain.parsing import invalid, plain_decimal

SYMBOL_LENGTH = 32  # the ledger's symbol columns
SYMBOL = re.compile(r"[A-Z0-9][A-Z0-9._/-]*")  # starts with a letter or digit
CLIENT_ID_LENGTH = 64
CLIENT_ID = re.compile(r"[!-~]+")  # printable ASCII, no spaces

# commission bounds: a fee can be large, but not one no broker charges
MAX_COMMISSION_PERCENT = Decimal(10)
MAX_PER_SHARE = Decimal(10)
MAX_MINIMUM_FEE = Decimal(100)
MAX_PER_LOT = Decimal(1000)
MAX_PER_CONTRACT = Decimal(1000)
COMMISSION_FORMS = (
    "none, percent:P (0 <= P <= 10), per-share:RATE[:min=M][:max-pct=P] (RATE <= 10, "
    "M <= 100, P <= 10), per-lot:AMOUNT (<= 1000), per-contract:AMOUNT (<= 1000) or a "
    "fraction of notional up to 0.1"
)


def symbol_value(value: object, label: str) -> str:
    """An instrument symbol: upper-cased, 1 to 32 of A-Z 0-9 . _ / -, starting with a letter
    or digit, no spaces and no ``..`` (a symbol also names folders of the bar cache)."""
    expected = (
        f"a symbol of 1 to {SYMBOL_LENGTH} characters A-Z 0-9 . _ / - starting with a letter "
        "or digit, without spaces or '..', e.g. SPY or EURUSD"
    )
    if not isinstance(value, str):
        raise invalid(label, value, expected)
    text = value.strip().upper()
    if not text or len(text) > SYMBOL_LENGTH or SYMBOL.fullmatch(text) is None or ".." in text:
        raise invalid(label, value, expected)
    return text


def currency_value(value: object, label: str) -> str:
    """An ISO 4217 currency code (upper-cased)."""
    text = value.strip().upper() if isinstance(value, str) else ""
    if text not in ISO_4217:
        examples = "USD, EUR, GBP, JPY, CHF, CAD, AUD"
        raise invalid(
            label, value, f"an ISO 4217 currency code such as {examples} ({len(ISO_4217)} known)"
        )
    return text


def client_order_id_value(value: object, label: str) -> str:
    """A client order id: 1 to 64 printable ASCII characters without spaces."""
    if (
        not isinstance(value, str)
        or len(value) > CLIENT_ID_LENGTH
        or CLIENT_ID.fullmatch(value) is None
    ):
        raise invalid(label, value, f"1 to {CLIENT_ID_LENGTH} printable characters without spaces")
    return value


def commission_value(value: object, label: str) -> str:
    """A commission spec, fully parsed and bounded (see ``COMMISSION_FORMS``); the text
    (stripped) is returned, for the execution layer to build its fee model from."""
    if not isinstance(value, str) or not value.strip():
        raise invalid(label, value, COMMISSION_FORMS)
    text = value.strip().lower()
    kind, _, rest = text.partition(":")
    parts = rest.split(":") if rest else []

    def number(raw: str, maximum: Decimal) -> Decimal:
        try:
            amount = plain_decimal(raw)
        except InvalidOperation:
            raise invalid(label, value, COMMISSION_FORMS) from None
        if not amount.is_finite() or amount < 0 or amount > maximum:
            raise invalid(label, value, COMMISSION_FORMS)
        return amount

    if text == "none":
        return text
    if kind == "percent" and len(parts) == 1:
        number(parts[0], MAX_COMMISSION_PERCENT)
    elif kind == "per-lot" and len(parts) == 1:
        number(parts[0], MAX_PER_LOT)
    elif kind == "per-contract" and len(parts) == 1:
        number(parts[0], MAX_PER_CONTRACT)
    elif kind == "per-share" and 1 <= len(parts) <= 3:
        number(parts[0], MAX_PER_SHARE)
        seen: set[str] = set()
        for option in parts[1:]:
            name, _, raw = option.partition("=")
            if name in seen or name not in ("min", "max-pct"):
                raise invalid(label, value, COMMISSION_FORMS)
            seen.add(name)
            number(raw, MAX_MINIMUM_FEE if name == "min" else MAX_COMMISSION_PERCENT)
    elif not rest and ":" not in text:
        number(text, MAX_COMMISSION_PERCENT / 100)
    else:
        raise invalid(label, value, COMMISSION_FORMS)
    return value.strip()
