"""Tradable instruments: equities, forex pairs (pips and lots) and crypto (fractional size)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from paperdesk.domain.enums import AssetClass
from paperdesk.domain.errors import InvalidInputError
from paperdesk.domain.money import round_to_increment, to_decimal
from paperdesk.domain.order_fields import whole_lots

# the increments and money per contract: Decimals (a whole number or a numeric string is taken
# exactly; a float is refused, its binary value is not the number written)
_EXACT_FIELDS = (
    "tick_size",
    "lot_size",
    "pip_size",
    "contract_size",
    "multiplier",
    "initial_margin",
    "maintenance_margin",
)


def _exact(name: str, value: object) -> Decimal:
    """``value`` as the exact Decimal it names (``to_decimal``'s rules for a whole number or a
    string), or a clear error naming the field."""
    if isinstance(value, int | str) and not isinstance(value, bool):
        return to_decimal(value, name)
    kind = type(value).__name__
    raise InvalidInputError(
        f"{name} must be a Decimal, a whole number or a numeric string (exact), got {kind} "
        f"{value!r}"
    )


@dataclass(frozen=True, slots=True)
class Instrument:
    """A tradable symbol and the increments its prices and quantities move in.

    ``lot_size`` is the smallest tradable quantity step; ``contract_size`` is how many units one
    forex lot holds (100,000 for a standard lot), used by lot-based sizing and fees.
    ``tick_size`` 0 means prices on no grid: a run on split/dividend-adjusted prices trades them
    at full precision (Lean's ``AdjustedPriceVariationModel``: minimum price variation 0).

    Contracts: ``multiplier`` is the point value (money per unit of price per contract, 1 for
    spot instruments); ``initial_margin`` and ``maintenance_margin`` are money per contract a
    futures account blocks when the position opens and requires to keep it (None: not set).
    """

    symbol: str
    asset_class: AssetClass
    currency: str = "USD"
    tick_size: Decimal = Decimal("0.01")
    lot_size: Decimal = Decimal("1")
    pip_size: Decimal | None = None
    contract_size: Decimal = Decimal("1")
    calendar: str = "XNYS"
    multiplier: Decimal = Decimal("1")
    initial_margin: Decimal | None = None
    maintenance_margin: Decimal | None = None

    def __post_init__(self) -> None:
        if not self.symbol or not self.symbol.strip():
            raise InvalidInputError("instrument symbol must not be empty")
        for name in _EXACT_FIELDS:
            value = getattr(self, name)
            if value is not None and not isinstance(value, Decimal):
                object.__setattr__(self, name, _exact(name, value))
        for name in ("tick_size", "lot_size", "contract_size"):
            if not getattr(self, name).is_finite():
                raise InvalidInputError(
                    f"{name} must be a finite number, got {getattr(self, name)}"
                )
        if not self.tick_size >= 0:  # 0: no price grid (a split/dividend-adjusted series)
            raise InvalidInputError(f"tick_size must not be negative, got {self.tick_size}")
        if self.lot_size <= 0:
            raise InvalidInputError(f"lot_size must be positive, got {self.lot_size}")
        if self.contract_size <= 0:
            raise InvalidInputError(f"contract_size must be positive, got {self.contract_size}")
        if not self.multiplier.is_finite() or self.multiplier <= 0:
            raise InvalidInputError(f"multiplier must be positive, got {self.multiplier}")
        for name in ("initial_margin", "maintenance_margin"):
            margin = getattr(self, name)
            if margin is not None and (not margin.is_finite() or margin < 0):
                raise InvalidInputError(f"{name} must be zero or positive, got {margin}")
        initial, maintenance = self.initial_margin, self.maintenance_margin
        if initial is not None and maintenance is not None and maintenance > initial:
            raise InvalidInputError(
                f"maintenance_margin {maintenance} is above initial_margin {initial}"
            )

    def round_price(self, price: Decimal) -> Decimal:
        return round_to_increment(price, self.tick_size)

    def round_quantity(self, quantity: Decimal) -> Decimal:
        """Round a quantity magnitude down to whole lot steps, keeping its sign."""
        return whole_lots(quantity, self.lot_size)

    @classmethod
    def equity(cls, symbol: str, *, currency: str = "USD", calendar: str = "XNYS") -> Instrument:
        return cls(
            symbol,
            AssetClass.EQUITY,
            currency,
            Decimal("0.01"),
            Decimal("1"),
            None,
            Decimal("1"),
            calendar,
        )

    @classmethod
    def forex(
        cls, symbol: str, *, pip_size: Decimal | None = None, tick_size: Decimal | None = None
    ) -> Instrument:
        """A currency pair quoted in its second currency; JPY pairs have a 0.01 pip."""
        quote = symbol[-3:].upper()
        pip = (
            pip_size
            if pip_size is not None
            else (Decimal("0.01") if quote == "JPY" else Decimal("0.0001"))
        )
        return cls(
            symbol,
            AssetClass.FOREX,
            quote,
            tick_size or pip / 10,
            Decimal("1"),
            pip,
            Decimal("100000"),
            "FX",
        )

    @classmethod
    def crypto(
        cls,
        symbol: str,
        *,
        currency: str = "USD",
        tick_size: Decimal = Decimal("0.01"),
        lot_size: Decimal = Decimal("0.00000001"),
    ) -> Instrument:
        return cls(
            symbol, AssetClass.CRYPTO, currency, tick_size, lot_size, None, Decimal("1"), "24/7"
        )
