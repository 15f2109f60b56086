"""Build the sizing, risk and execution parts of a BacktestConfig from merged settings."""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum
from typing import TYPE_CHECKING

from paperdesk.cli import values
from paperdesk.service import ExecutionConfig, FillTiming, RiskConfig, SizeTiming, SizingConfig

if TYPE_CHECKING:
    from paperdesk.cli.runfile import Settings


class SizerMethod(StrEnum):
    PERCENT_EQUITY = "percent-equity"
    FIXED = "fixed"
    RISK = "risk"
    LOTS = "lots"


def sizing_config(settings: Settings) -> SizingConfig:
    default = SizingConfig()
    return SizingConfig(
        method=settings.get("sizer", sizer_value, default.method),
        percent=settings.get("size_pct", values.decimal_value, default.percent),
        quantity=settings.get("quantity", values.decimal_value, default.quantity),
        risk_percent=settings.get("risk_pct", values.decimal_value, default.risk_percent),
        lots=settings.get("lots", values.decimal_value, default.lots),
        timing=settings.get("size_at", size_timing_value, default.timing),
    )


def risk_config(settings: Settings) -> RiskConfig:
    default = RiskConfig()
    return RiskConfig(
        min_confidence=settings.get(
            "min_confidence", values.fraction_value, default.min_confidence
        ),
        cooldown_bars=settings.get("cooldown_bars", values.integer_value, default.cooldown_bars),
        pyramiding=settings.get("pyramiding", values.flag_value, default.pyramiding),
        allow_short=settings.get("allow_short", values.flag_value, default.allow_short),
        exposure_cap_percent=settings.get(
            "exposure_cap", values.optional_decimal, default.exposure_cap_percent
        ),
        max_position_percent=settings.get(
            "max_position_pct", values.optional_decimal, default.max_position_percent
        ),
        max_open_positions=settings.get(
            "max_open_positions", values.optional_integer, default.max_open_positions
        ),
        max_holding_bars=settings.get(
            "max_holding_bars", values.optional_integer, default.max_holding_bars
        ),
        daily_loss_limit_percent=settings.get(
            "daily_loss_limit", values.optional_decimal, default.daily_loss_limit_percent
        ),
    )


def execution_config(settings: Settings) -> ExecutionConfig:
    default = ExecutionConfig()
    return ExecutionConfig(
        fill_timing=settings.get("fill", fill_timing_value, default.fill_timing),
        commission=settings.get("commission", values.text_value, default.commission),
        slippage_bps=settings.get("slippage_bps", slippage_value, default.slippage_bps),
        spread_pips=settings.get("spread_pips", values.optional_decimal, default.spread_pips),
        volume_cap=settings.get("volume_cap", volume_cap_value, default.volume_cap),
    )


def sizer_value(value: object, label: str) -> str:
    return values.choice_value(value, label, SizerMethod).value


def fill_timing_value(value: object, label: str) -> FillTiming:
    return values.choice_value(value, label, FillTiming)


def size_timing_value(value: object, label: str) -> SizeTiming:
    return values.choice_value(value, label, SizeTiming)


def slippage_value(value: object, label: str) -> Decimal:
    return values.decimal_value(value, label, allow_zero=True)


def volume_cap_value(value: object, label: str) -> Decimal | None:
    return values.optional_decimal(value, label, maximum=Decimal(1))
