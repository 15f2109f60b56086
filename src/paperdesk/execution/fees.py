"""Commission models: one ``fee`` method each, and the parser of the ``--commission`` option."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import ClassVar, Protocol

from paperdesk.domain import ZERO, Instrument, InvalidInputError

_HUNDRED = Decimal(100)
_ACCEPTED_FORMS = (
    "none | percent:P (P percent of notional, e.g. percent:0.1) | "
    "per-share:RATE[:min=M][:max-pct=P] | per-lot:AMOUNT | per-contract:AMOUNT | "
    "a bare fraction of notional such as 0.002 (= 0.2%)"
)


class FeeModel(Protocol):
    """What a fill of ``quantity`` units at ``price`` costs in commission."""

    def fee(self, quantity: Decimal, price: Decimal, instrument: Instrument) -> Decimal: ...


@dataclass(frozen=True, slots=True)
class NoFee:
    """Free trading."""

    # its ``fee`` is ZERO whatever it is asked: the router's sizing and cash checks take ZERO
    # without asking (``routing.affordability.charges_nothing``)
    charges_nothing: ClassVar[bool] = True

    def fee(self, quantity: Decimal, price: Decimal, instrument: Instrument) -> Decimal:
        return ZERO


@dataclass(frozen=True, slots=True)
class PercentOfNotional:
    """``percent`` percent of quantity * price (0.2 means 0.2%), not rounded."""

    percent: Decimal

    def __post_init__(self) -> None:
        _require_non_negative("percent", self.percent)

    def fee(self, quantity: Decimal, price: Decimal, instrument: Instrument) -> Decimal:
        return abs(quantity * price) * self.percent / _HUNDRED


@dataclass(frozen=True, slots=True)
class PerShare:
    """``rate`` per unit, at least ``minimum``, at most ``maximum_percent`` % of notional."""

    rate: Decimal
    minimum: Decimal = ZERO
    maximum_percent: Decimal | None = None

    def __post_init__(self) -> None:
        _require_non_negative("rate", self.rate)
        _require_non_negative("minimum", self.minimum)
        if self.maximum_percent is not None:
            _require_non_negative("maximum_percent", self.maximum_percent)

    def fee(self, quantity: Decimal, price: Decimal, instrument: Instrument) -> Decimal:
        amount = max(self.rate * abs(quantity), self.minimum)
        if self.maximum_percent is not None:
            amount = min(amount, abs(quantity * price) * self.maximum_percent / _HUNDRED)
        return amount


@dataclass(frozen=True, slots=True)
class PerLot:
    """``amount`` per ``instrument.contract_size`` units, charged pro rata."""

    amount: Decimal

    def __post_init__(self) -> None:
        _require_non_negative("amount", self.amount)

    def fee(self, quantity: Decimal, price: Decimal, instrument: Instrument) -> Decimal:
        return self.amount * abs(quantity) / instrument.contract_size


@dataclass(frozen=True, slots=True)
class PerContract:
    """``amount`` per contract traded (a future's quantity counts contracts), as futures brokers
    and Lean's futures fee model charge: 2 contracts at per-contract:2 pay 4."""

    amount: Decimal

    def __post_init__(self) -> None:
        _require_non_negative("amount", self.amount)

    def fee(self, quantity: Decimal, price: Decimal, instrument: Instrument) -> Decimal:
        return self.amount * abs(quantity)


def parse_fee_model(text: str) -> FeeModel:
    """Build a fee model from the ``--commission`` text; see ``_ACCEPTED_FORMS``."""
    cleaned = text.strip().lower()
    parts = cleaned.split(":")
    kind = parts[0]
    try:
        if cleaned == "none":
            return NoFee()
        if kind == "percent" and len(parts) == 2:
            return PercentOfNotional(_number(parts[1], text))
        if kind == "per-lot" and len(parts) == 2:
            return PerLot(_number(parts[1], text))
        if kind == "per-contract" and len(parts) == 2:
            return PerContract(_number(parts[1], text))
        if kind == "per-share" and 2 <= len(parts) <= 4:
            return _parse_per_share(parts[1:], text)
        if len(parts) == 1:
            fraction = _number(cleaned, text)
            return NoFee() if fraction == 0 else PercentOfNotional(fraction * _HUNDRED)
    except InvalidInputError as error:
        raise InvalidInputError(f"{error}; accepted forms: {_ACCEPTED_FORMS}") from None
    raise InvalidInputError(f"commission {text!r} is not valid; accepted forms: {_ACCEPTED_FORMS}")


def _parse_per_share(parts: list[str], text: str) -> PerShare:
    rate = _number(parts[0], text)
    minimum = ZERO
    maximum_percent: Decimal | None = None
    seen: set[str] = set()
    for option in parts[1:]:
        name, _, value = option.partition("=")
        if name in seen or name not in ("min", "max-pct") or not value:
            raise InvalidInputError(f"commission {text!r} has a bad per-share option {option!r}")
        seen.add(name)
        if name == "min":
            minimum = _number(value, text)
        else:
            maximum_percent = _number(value, text)
    return PerShare(rate, minimum, maximum_percent)


def _number(value: str, text: str) -> Decimal:
    try:
        number = Decimal(value)
    except InvalidOperation:
        raise InvalidInputError(f"commission {text!r}: {value!r} is not a number") from None
    if not number.is_finite() or number < 0:
        raise InvalidInputError(
            f"commission {text!r}: {value!r} must be a finite non-negative number"
        )
    return number


def _require_non_negative(name: str, value: Decimal) -> None:
    if not value.is_finite() or value < 0:
        raise InvalidInputError(f"fee {name} must be a finite non-negative number, got {value}")
