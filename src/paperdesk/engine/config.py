"""The frozen description of one backtest run: every assumption is an explicit option."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum
from pathlib import Path


class FillTiming(StrEnum):
    """When a market order from a bar's signal fills."""

    NEXT_OPEN = "next-open"  # the open of the next bar (default: no look-ahead)
    CLOSE = "close"  # the close of the signal bar (explicit opt-in)


class SizeTiming(StrEnum):
    """When an entry's quantity is decided."""

    SIGNAL = "signal"  # at the signal bar's close price (default)
    FILL = "fill"  # at the fill price, from the equity available then (all-in sizing)


@dataclass(frozen=True, slots=True)
class SizingConfig:
    """Which sizer turns an accepted signal into a quantity.

    method: ``percent-equity`` (``percent`` of equity), ``fixed`` (``quantity`` units),
    ``risk`` (risk ``risk_percent`` of equity between entry and the signal's stop) or
    ``lots`` (``lots`` forex lots of the instrument's contract size).
    """

    method: str = "percent-equity"
    percent: Decimal = Decimal("80")
    quantity: Decimal = Decimal("1")
    risk_percent: Decimal = Decimal("1")
    lots: Decimal = Decimal("1")
    timing: SizeTiming = SizeTiming.SIGNAL


@dataclass(frozen=True, slots=True)
class RiskConfig:
    """Filter and risk rules of the signal router (None disables a rule)."""

    min_confidence: float = 0.0
    allowed_symbols: tuple[str, ...] = ()
    cooldown_bars: int = 0
    pyramiding: bool = False
    allow_short: bool = False
    exposure_cap_percent: Decimal | None = Decimal("80")
    max_position_percent: Decimal | None = None
    max_open_positions: int | None = None
    max_holding_bars: int | None = None
    daily_loss_limit_percent: Decimal | None = None


@dataclass(frozen=True, slots=True)
class ExecutionConfig:
    """How the simulated venue fills orders."""

    fill_timing: FillTiming = FillTiming.NEXT_OPEN
    commission: str = "none"  # see paperdesk.execution.fees.parse_fee_model
    slippage_bps: Decimal = Decimal("5")
    spread_pips: Decimal | None = None  # forex: slippage is half this spread instead of bps
    volume_cap: Decimal | None = None  # at most this fraction of a bar's volume fills per bar


@dataclass(frozen=True, slots=True)
class BacktestConfig:
    strategy: str
    params: Mapping[str, object] = field(default_factory=dict)
    data: Path | None = None
    symbol: str | None = None  # with ``data``: the instrument the file holds
    timeframe: str | None = None  # bundled data: defaults to 1d; a file: inferred when None
    cash: Decimal = Decimal("10000")
    start: date | None = None
    end: date | None = None
    sizing: SizingConfig = field(default_factory=SizingConfig)
    risk: RiskConfig = field(default_factory=RiskConfig)
    execution: ExecutionConfig = field(default_factory=ExecutionConfig)
