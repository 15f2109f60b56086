"""Build a signal router from the run description's sizing and risk sections.

A new rule is its class plus its declaration on ``RiskConfig``; this is the one place that turns
the declarations into the router's stages (disabled rules are left out of the hot path).
"""

from __future__ import annotations

from decimal import Decimal

from paperdesk.config import AccountConfig, RiskConfig, SizeTiming, SizingConfig, SizingMethod
from paperdesk.domain import CashCheck, InvalidInputError, OrderType, TimeInForce
from paperdesk.domain.fields import setting_mark
from paperdesk.routing.affordability import FeeEstimator
from paperdesk.routing.filters import (
    AllowedSymbols,
    CompositeFilter,
    Cooldown,
    FilterRule,
    MinimumConfidence,
    NullFilter,
    OnePositionPerSymbol,
)
from paperdesk.routing.risk import (
    CashAndBuyingPower,
    CompositeRisk,
    DailyLossLimit,
    ExposureCap,
    MaxOpenPositions,
    MaxPositionSize,
    NullRisk,
    RiskRule,
)
from paperdesk.routing.router import SignalRouter
from paperdesk.routing.sizers import (
    FixedQuantity,
    ForexLots,
    PercentOfEquity,
    RiskPerTrade,
    Sizer,
    TargetPercent,
)

SIZING_METHODS = tuple(method.value for method in SizingMethod)
_HUNDRED = Decimal(100)
_DEFAULT_SIZING = SizingConfig()
_DEFAULT_RISK = RiskConfig()
_DEFAULT_ACCOUNT = AccountConfig()


def _combine_filters(rules: list[FilterRule]) -> FilterRule:
    if not rules:
        return NullFilter()
    return rules[0] if len(rules) == 1 else CompositeFilter(rules)


def _combine_risk(rules: list[RiskRule]) -> RiskRule:
    if not rules:
        return NullRisk()
    return rules[0] if len(rules) == 1 else CompositeRisk(rules)


def build_filters(risk: RiskConfig) -> FilterRule:
    """The signal filters: confidence, allowed symbols, cooldown, one position per symbol."""
    filters: list[FilterRule] = []
    if risk.min_confidence > 0:
        filters.append(MinimumConfidence(risk.min_confidence))
    if risk.allowed_symbols:
        filters.append(AllowedSymbols(risk.allowed_symbols))
    if risk.cooldown_bars > 0:
        filters.append(Cooldown(risk.cooldown_bars))
    if not risk.pyramiding:
        filters.append(OnePositionPerSymbol(pyramiding=False))
    return _combine_filters(filters)


def build_sizer(sizing: SizingConfig, fees: FeeEstimator | None = None) -> Sizer:
    method = sizing.method
    if method is SizingMethod.FIXED:
        return FixedQuantity(sizing.quantity)
    if method is SizingMethod.RISK:
        return RiskPerTrade(sizing.risk_percent)
    if method is SizingMethod.LOTS:
        return ForexLots(sizing.lots)
    if method is SizingMethod.TARGET_PERCENT:
        return TargetPercent(sizing.percent, sizing.free_buffer_percent, fees)
    return PercentOfEquity(sizing.percent, fees)


def build_cash_rule(
    account: AccountConfig, fees: FeeEstimator | None = None
) -> CashAndBuyingPower | None:
    """The account's cash check (None with ``cash_check=off``)."""
    if account.cash_check is CashCheck.OFF:
        return None
    return CashAndBuyingPower(
        fees, kind=account.kind, mode=account.cash_check, leverage=account.leverage
    )


def build_risk(
    risk: RiskConfig,
    fees: FeeEstimator | None = None,
    *,
    check_cash: bool = True,
    account: AccountConfig = _DEFAULT_ACCOUNT,
) -> RiskRule:
    """The pre-trade risk chain every entry passes, a strategy's or a person's.

    ``check_cash`` adds the account's CashAndBuyingPower (on by default, unless the account's
    ``cash_check`` is off): cash accounts' longs fit cash and shorts 100% margin, margin
    accounts fit buying power, futures accounts fit initial margin.
    """
    rules: list[RiskRule] = []
    if risk.daily_loss_limit_percent is not None:
        rules.append(DailyLossLimit(risk.daily_loss_limit_percent))
    if risk.max_open_positions is not None:
        rules.append(MaxOpenPositions(risk.max_open_positions))
    if risk.max_position_percent is not None:
        rules.append(MaxPositionSize(risk.max_position_percent))
    if risk.exposure_cap_percent is not None:
        rules.append(ExposureCap(risk.exposure_cap_percent))
    cash_rule = build_cash_rule(account, fees) if check_cash else None
    if cash_rule is not None:
        rules.append(cash_rule)
    return _combine_risk(rules)


def build_router(
    sizing: SizingConfig = _DEFAULT_SIZING,
    risk: RiskConfig = _DEFAULT_RISK,
    *,
    fees: FeeEstimator | None = None,
    check_cash: bool = True,
    order_type: OrderType = OrderType.MARKET,
    time_in_force: TimeInForce = TimeInForce.GTC,
    account: AccountConfig = _DEFAULT_ACCOUNT,
) -> SignalRouter:
    """Assemble filters, sizer and risk rules from the run description's sections.

    ``fees`` estimates each instrument's fee (the venue's fee model); ``sizing.timing`` FILL
    defers percent-equity sizing to the fill (``sizing.percent`` of the equity then).
    """
    size_at_fill = sizing.timing is SizeTiming.FILL
    if size_at_fill and sizing.method is not SizingMethod.PERCENT_EQUITY:
        raise InvalidInputError(
            f"size_at_fill ({setting_mark('size_at')} fill) works only with sizing_method "
            f"'percent-equity', got {sizing.method.value!r}"
        )
    return SignalRouter(
        build_filters(risk),
        build_sizer(sizing, fees),
        build_risk(risk, fees, check_cash=check_cash, account=account),
        allow_short=risk.allow_short,
        cash_rule=build_cash_rule(account, fees),
        fee_estimator=fees,
        order_type=order_type,
        time_in_force=time_in_force,
        size_fraction=sizing.percent / _HUNDRED if size_at_fill else None,
    )
