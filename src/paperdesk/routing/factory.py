"""Build a signal router from the options users set (the same names as the engine config)."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from paperdesk.domain import InvalidInputError, OrderType, TimeInForce, to_decimal
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
from paperdesk.routing.sizers import FixedQuantity, ForexLots, PercentOfEquity, RiskPerTrade, Sizer

SIZING_METHODS = ("percent-equity", "fixed", "risk", "lots")
_HUNDRED = Decimal(100)


def _number(value: object, name: str, *, at_most_hundred: bool = False) -> Decimal:
    number = to_decimal(value, name)
    if number <= 0 or (at_most_hundred and number > _HUNDRED):
        expected = "above 0 and at most 100" if at_most_hundred else "positive"
        raise InvalidInputError(f"{name} must be {expected}, got {value}")
    return number


def _optional_number(
    value: object | None, name: str, *, at_most_hundred: bool = False
) -> Decimal | None:
    return None if value is None else _number(value, name, at_most_hundred=at_most_hundred)


def _whole(value: int, name: str, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise InvalidInputError(
            f"{name} must be a whole number of at least {minimum}, got {value!r}"
        )
    return value


def _combine_filters(rules: list[FilterRule]) -> FilterRule:
    if not rules:
        return NullFilter()
    return rules[0] if len(rules) == 1 else CompositeFilter(rules)


def _combine_risk(rules: list[RiskRule]) -> RiskRule:
    if not rules:
        return NullRisk()
    return rules[0] if len(rules) == 1 else CompositeRisk(rules)


def build_router(
    *,
    min_confidence: float = 0.0,
    allowed_symbols: Iterable[str] = (),
    cooldown_bars: int = 0,
    pyramiding: bool = False,
    allow_short: bool = False,
    exposure_cap_percent: Decimal | None = Decimal(80),
    max_position_percent: Decimal | None = None,
    max_open_positions: int | None = None,
    daily_loss_limit_percent: Decimal | None = None,
    sizing_method: str = "percent-equity",
    percent: Decimal = Decimal(80),
    quantity: Decimal = Decimal(1),
    risk_percent: Decimal = Decimal(1),
    lots: Decimal = Decimal(1),
    size_at_fill: bool = False,
    fee_estimator: FeeEstimator | None = None,
    check_cash: bool = True,
    order_type: OrderType = OrderType.MARKET,
    time_in_force: TimeInForce = TimeInForce.GTC,
) -> SignalRouter:
    """Assemble filters, sizer and risk rules; disabled rules are left out of the hot path.

    ``check_cash`` adds CashAndBuyingPower (on by default): longs fit cash, shorts 100% margin.
    ``size_at_fill`` defers percent-equity sizing to the fill (``percent`` of equity then).
    """
    if not 0.0 <= min_confidence <= 1.0:
        raise InvalidInputError(f"min_confidence must be between 0 and 1, got {min_confidence}")
    cooldown_bars = _whole(cooldown_bars, "cooldown_bars", 0)
    if isinstance(allowed_symbols, str):
        raise InvalidInputError(
            f"allowed_symbols must be a list of symbols, got the string {allowed_symbols!r}"
        )
    symbols = tuple(allowed_symbols)
    exposure_cap = _optional_number(exposure_cap_percent, "exposure_cap_percent")
    max_position = _optional_number(max_position_percent, "max_position_percent")
    daily_loss = _optional_number(
        daily_loss_limit_percent, "daily_loss_limit_percent", at_most_hundred=True
    )
    open_limit = (
        None if max_open_positions is None else _whole(max_open_positions, "max_open_positions", 1)
    )
    percent = _number(percent, "percent", at_most_hundred=True)
    quantity = _number(quantity, "quantity")
    risk_percent = _number(risk_percent, "risk_percent", at_most_hundred=True)
    lots = _number(lots, "lots")

    filters: list[FilterRule] = []
    if min_confidence > 0:
        filters.append(MinimumConfidence(min_confidence))
    if symbols:
        filters.append(AllowedSymbols(symbols))
    if cooldown_bars > 0:
        filters.append(Cooldown(cooldown_bars))
    if not pyramiding:
        filters.append(OnePositionPerSymbol(pyramiding=False))

    sizer: Sizer
    if sizing_method == "percent-equity":
        sizer = PercentOfEquity(percent, fee_estimator)
    elif sizing_method == "fixed":
        sizer = FixedQuantity(quantity)
    elif sizing_method == "risk":
        sizer = RiskPerTrade(risk_percent)
    elif sizing_method == "lots":
        sizer = ForexLots(lots)
    else:
        raise InvalidInputError(
            f"sizing_method {sizing_method!r} is not known; expected one of: "
            + ", ".join(SIZING_METHODS)
        )
    if size_at_fill and sizing_method != "percent-equity":
        raise InvalidInputError(
            f"size_at_fill works only with sizing_method 'percent-equity', got {sizing_method!r}"
        )

    risk: list[RiskRule] = []
    if daily_loss is not None:
        risk.append(DailyLossLimit(daily_loss))
    if open_limit is not None:
        risk.append(MaxOpenPositions(open_limit))
    if max_position is not None:
        risk.append(MaxPositionSize(max_position))
    if exposure_cap is not None:
        risk.append(ExposureCap(exposure_cap))
    if check_cash:
        risk.append(CashAndBuyingPower(fee_estimator))

    return SignalRouter(
        _combine_filters(filters),
        sizer,
        _combine_risk(risk),
        allow_short=allow_short,
        fee_estimator=fee_estimator,
        order_type=order_type,
        time_in_force=time_in_force,
        size_fraction=percent / _HUNDRED if size_at_fill else None,
    )
