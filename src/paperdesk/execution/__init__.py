"""The simulated venue: order manager, fill-price rules, fee and slippage models."""

from paperdesk.execution.expiry import SessionClose, day_order_expiry
from paperdesk.execution.fees import (
    FeeModel,
    NoFee,
    PercentOfNotional,
    PerLot,
    PerShare,
    parse_fee_model,
)
from paperdesk.execution.fills import (
    limit_fill_price,
    market_fill_price,
    stop_limit_fill_price,
    stop_trigger_price,
)
from paperdesk.execution.order_manager import OrderManager, ResolveQuantity
from paperdesk.execution.slippage import FixedBasisPoints, HalfSpread, NoSlippage, SlippageModel

__all__ = [
    "FeeModel",
    "FixedBasisPoints",
    "HalfSpread",
    "NoFee",
    "NoSlippage",
    "OrderManager",
    "PerLot",
    "PerShare",
    "PercentOfNotional",
    "ResolveQuantity",
    "SessionClose",
    "SlippageModel",
    "day_order_expiry",
    "limit_fill_price",
    "market_fill_price",
    "parse_fee_model",
    "stop_limit_fill_price",
    "stop_trigger_price",
]
