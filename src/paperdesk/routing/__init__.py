"""Signal routing: filters, sizers and risk rules turn strategy signals into order intents."""

from paperdesk.routing.affordability import FeeEstimator, FeeFunction, max_affordable_quantity
from paperdesk.routing.factory import SIZING_METHODS, build_router
from paperdesk.routing.filters import (
    AllowedSymbols,
    CompositeFilter,
    Cooldown,
    FilterRule,
    MinimumConfidence,
    NullFilter,
    OnePositionPerSymbol,
)
from paperdesk.routing.outcomes import Adjusted, Rejection, RiskOutcome
from paperdesk.routing.pretrade import (
    OrderRefusedError,
    check_bracket_sides,
    check_increments,
    check_modified_bracket_sides,
    check_not_short,
)
from paperdesk.routing.risk import (
    CashAndBuyingPower,
    CompositeRisk,
    DailyLossLimit,
    ExposureCap,
    MaxHoldingPeriod,
    MaxOpenPositions,
    MaxPositionSize,
    NullRisk,
    RiskRule,
)
from paperdesk.routing.router import RoutingDecision, SignalRouter
from paperdesk.routing.signal_memory import SignalMemory
from paperdesk.routing.sizers import (
    FixedQuantity,
    ForexLots,
    PercentOfEquity,
    RiskPerTrade,
    Sizer,
    TargetPercent,
)

__all__ = [
    "SIZING_METHODS",
    "Adjusted",
    "AllowedSymbols",
    "CashAndBuyingPower",
    "CompositeFilter",
    "CompositeRisk",
    "Cooldown",
    "DailyLossLimit",
    "ExposureCap",
    "FeeEstimator",
    "FeeFunction",
    "FilterRule",
    "FixedQuantity",
    "ForexLots",
    "MaxHoldingPeriod",
    "MaxOpenPositions",
    "MaxPositionSize",
    "MinimumConfidence",
    "NullFilter",
    "NullRisk",
    "OnePositionPerSymbol",
    "OrderRefusedError",
    "PercentOfEquity",
    "Rejection",
    "RiskOutcome",
    "RiskPerTrade",
    "RiskRule",
    "RoutingDecision",
    "SignalMemory",
    "SignalRouter",
    "Sizer",
    "TargetPercent",
    "build_router",
    "check_bracket_sides",
    "check_increments",
    "check_modified_bracket_sides",
    "check_not_short",
    "max_affordable_quantity",
]
