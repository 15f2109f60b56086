"""Execution: the order book, the venue seam and the simulated venue; fill, slippage, fee models.

The book (``OrderBook``) keeps the orders and applies every change of state; a venue
(``ExecutionVenue``: ``SimulatedVenue`` here, a broker adapter later) decides what trades on a
bar and reports it to the book, pausing for the kernel to size each entry (``SizeEntry``) and to
book each fill. See ``paperdesk.execution.venue`` for the protocol.
"""

from paperdesk.execution.book import OrderBook
from paperdesk.execution.expiry import SessionClose, day_order_expiry
from paperdesk.execution.fees import (
    FeeModel,
    NoFee,
    PercentOfNotional,
    PerContract,
    PerLot,
    PerShare,
    parse_fee_model,
)
from paperdesk.execution.fills import (
    BracketExit,
    bracket_exit,
    limit_fill_price,
    market_fill_price,
    stop_limit_fill_price,
    stop_trigger_price,
)
from paperdesk.execution.simulated import SimulatedVenue
from paperdesk.execution.slippage import FixedBasisPoints, HalfSpread, NoSlippage, SlippageModel
from paperdesk.execution.venue import ExecutionVenue, SizeEntry, VenueStep, entry_fill_quantity

__all__ = [
    "BracketExit",
    "ExecutionVenue",
    "FeeModel",
    "FixedBasisPoints",
    "HalfSpread",
    "NoFee",
    "NoSlippage",
    "OrderBook",
    "PerContract",
    "PerLot",
    "PerShare",
    "PercentOfNotional",
    "SessionClose",
    "SimulatedVenue",
    "SizeEntry",
    "SlippageModel",
    "VenueStep",
    "bracket_exit",
    "day_order_expiry",
    "entry_fill_quantity",
    "limit_fill_price",
    "market_fill_price",
    "parse_fee_model",
    "stop_limit_fill_price",
    "stop_trigger_price",
]
