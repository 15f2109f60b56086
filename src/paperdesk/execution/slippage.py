"""Slippage models: move a taker's price against it (buys pay more, sells receive less)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from typing import Protocol

from paperdesk.domain import AssetClass, Bar, Instrument, InvalidInputError, Side
from paperdesk.domain.money import round_to_increment

_BASIS_POINTS = Decimal(10000)
_TWO = Decimal(2)


class SlippageModel(Protocol):
    """The price a market-like order actually gets, rounded to the instrument's tick against the
    taker (a buy rounds up, a sell down), so rounding never gives a better price than the quote."""

    def adjust(self, price: Decimal, side: Side, instrument: Instrument) -> Decimal: ...


@dataclass(frozen=True, slots=True)
class NoSlippage:
    """Fills at the quoted price, unchanged."""

    def adjust(self, price: Decimal, side: Side, instrument: Instrument) -> Decimal:
        return price


@dataclass(frozen=True, slots=True)
class FixedBasisPoints:
    """Moves the price ``bps`` basis points against the taker."""

    bps: Decimal = Decimal(5)

    def __post_init__(self) -> None:
        if not self.bps.is_finite() or not 0 <= self.bps < _BASIS_POINTS:
            raise InvalidInputError(
                f"slippage bps must be at least 0 and below 10000, got {self.bps}"
            )

    def adjust(self, price: Decimal, side: Side, instrument: Instrument) -> Decimal:
        factor = self.bps / _BASIS_POINTS
        moved = price * (1 + factor) if side is Side.BUY else price * (1 - factor)
        return round_against_taker(moved, side, instrument)


@dataclass(frozen=True, slots=True)
class HalfSpread:
    """Moves the price half of ``spread_pips`` pips against the taker (tick size without pips)."""

    spread_pips: Decimal

    def __post_init__(self) -> None:
        if not self.spread_pips.is_finite() or self.spread_pips < 0:
            raise InvalidInputError(f"spread_pips must be non-negative, got {self.spread_pips}")

    def adjust(self, price: Decimal, side: Side, instrument: Instrument) -> Decimal:
        pip = instrument.pip_size if instrument.pip_size is not None else instrument.tick_size
        half = self.spread_pips * pip / _TWO
        moved = price + half if side is Side.BUY else price - half
        return round_against_taker(moved, side, instrument)

    def side_bar(self, bar: Bar, side: Side, instrument: Instrument) -> Bar:
        """The prices ``side`` trades at on ``bar`` under this spread: the ask OHLC (each price
        plus half the spread, rounded up to the tick) for a buy, the bid OHLC (minus half,
        rounded down) for a sell; what a limit order triggers and fills against."""
        adjust = self.adjust
        return bar._replace(
            open=adjust(bar.open, side, instrument),
            high=adjust(bar.high, side, instrument),
            low=adjust(bar.low, side, instrument),
            close=adjust(bar.close, side, instrument),
        )


_FOREX = AssetClass.FOREX


@dataclass(frozen=True, slots=True)
class BySpreadOrBasisPoints:
    """Forex pairs pay half their quoted spread; every other instrument pays basis points."""

    forex: SlippageModel
    others: SlippageModel

    def model_for(self, instrument: Instrument) -> SlippageModel:
        """The model ``instrument`` pays: the spread's for a forex pair, else the others'."""
        return self.forex if instrument.asset_class is _FOREX else self.others

    def adjust(self, price: Decimal, side: Side, instrument: Instrument) -> Decimal:
        return self.model_for(instrument).adjust(price, side, instrument)


def spread_of(model: SlippageModel, instrument: Instrument) -> HalfSpread | None:
    """The spread ``model`` charges ``instrument`` (a forex pair under ``--spread-pips``), or
    None when it charges none: then limit orders trade the bar's own prices."""
    if isinstance(model, BySpreadOrBasisPoints):
        model = model.model_for(instrument)
    if isinstance(model, HalfSpread) and model.spread_pips > 0:
        return model
    return None


def round_against_taker(price: Decimal, side: Side, instrument: Instrument) -> Decimal:
    """Round to the tick the way a taker would be filled: buys up, sells down."""
    rounding = ROUND_CEILING if side is Side.BUY else ROUND_FLOOR
    return round_to_increment(price, instrument.tick_size, rounding)
