"""Builds the kernel's parts (router, venue models, ledger) from a frozen run config."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from decimal import Decimal

from paperdesk.domain import AssetClass, Instrument, InvalidInputError
from paperdesk.engine.config import BacktestConfig, SizeTiming
from paperdesk.engine.kernel import TradingKernel
from paperdesk.execution import (
    FixedBasisPoints,
    HalfSpread,
    NoSlippage,
    OrderManager,
    SlippageModel,
    parse_fee_model,
)
from paperdesk.portfolio import PortfolioLedger
from paperdesk.routing import MaxHoldingPeriod, build_router

SessionClose = Callable[[str, datetime], datetime]


def build_kernel(
    config: BacktestConfig,
    instruments: Mapping[str, Instrument],
    session_close: SessionClose | None,
) -> TradingKernel:
    fee_model = parse_fee_model(config.execution.commission)
    any_instrument = next(iter(instruments.values()))

    def estimate_fee(quantity: Decimal, price: Decimal) -> Decimal:
        return fee_model.fee(quantity, price, any_instrument)

    sizing, risk = config.sizing, config.risk
    router = build_router(
        min_confidence=risk.min_confidence,
        allowed_symbols=risk.allowed_symbols,
        cooldown_bars=risk.cooldown_bars,
        pyramiding=risk.pyramiding,
        allow_short=risk.allow_short,
        exposure_cap_percent=risk.exposure_cap_percent,
        max_position_percent=risk.max_position_percent,
        max_open_positions=risk.max_open_positions,
        daily_loss_limit_percent=risk.daily_loss_limit_percent,
        sizing_method=sizing.method,
        percent=sizing.percent,
        quantity=sizing.quantity,
        risk_percent=sizing.risk_percent,
        lots=sizing.lots,
        size_at_fill=sizing.timing is SizeTiming.FILL,
        fee_estimator=estimate_fee,
    )
    orders = OrderManager(
        instruments,
        fee_model=fee_model,
        slippage_model=slippage_model(config, any_instrument),
        session_close=session_close,
        volume_cap=config.execution.volume_cap,
    )
    max_holding = (
        MaxHoldingPeriod(risk.max_holding_bars) if risk.max_holding_bars is not None else None
    )
    return TradingKernel(
        instruments,
        router,
        orders,
        PortfolioLedger(config.cash),
        fill_timing=config.execution.fill_timing,
        max_holding=max_holding,
    )


def slippage_model(config: BacktestConfig, instrument: Instrument) -> SlippageModel:
    """Forex with a spread pays half the spread; everything else pays fixed basis points."""
    execution = config.execution
    if execution.spread_pips is not None:
        if instrument.asset_class is not AssetClass.FOREX:
            raise InvalidInputError(
                f"--spread-pips applies to forex pairs; {instrument.symbol} is "
                f"{instrument.asset_class.value} (use --slippage-bps)"
            )
        return HalfSpread(execution.spread_pips)
    if execution.slippage_bps == 0:
        return NoSlippage()
    return FixedBasisPoints(execution.slippage_bps)
