"""Pure value types and events: stdlib and Decimal only, no I/O.

The exports load on first use (``paperdesk._lazy``): the command line's help, which needs the
errors alone, does not import every value type and event.
"""

from typing import TYPE_CHECKING

from paperdesk._lazy import lazy_exports

if TYPE_CHECKING:
    from paperdesk.domain.accounts import AccountKind, CashCheck
    from paperdesk.domain.bars import Bar, Timeframe
    from paperdesk.domain.corporate_actions import CorporateActionTerms
    from paperdesk.domain.decisions import Decision, StrategyContext
    from paperdesk.domain.enums import (
        AssetClass,
        Direction,
        OrderRole,
        OrderStatus,
        OrderType,
        Side,
        TimeInForce,
    )
    from paperdesk.domain.errors import (
        DataError,
        InvalidInputError,
        LedgerUnavailableError,
        OptionError,
        OrderError,
        PaperdeskError,
        StrategyLoadError,
        UnknownNameError,
    )
    from paperdesk.domain.events import (
        AccountEvent,
        CashOverdrawn,
        CorporateActionApplied,
        Event,
        FeedEvent,
        FeedFailing,
        FeedRecovered,
        FeedStale,
        MarginCalled,
        OrderAccepted,
        OrderCanceled,
        OrderEvent,
        OrderExpired,
        OrderFilled,
        OrderModified,
        OrderRejected,
        PositionChanged,
        PositionClosed,
        PositionEvent,
        PositionOpened,
        SignalAccepted,
        SignalRejected,
    )
    from paperdesk.domain.fills import Fill
    from paperdesk.domain.instruments import Instrument
    from paperdesk.domain.money import ONE, ZERO, to_decimal
    from paperdesk.domain.orders import Order, OrderIntent
    from paperdesk.domain.portfolio import PortfolioSnapshot, PortfolioView, Trade, WorkingEntry
    from paperdesk.domain.positions import Position
    from paperdesk.domain.quotes import Quote
    from paperdesk.domain.signals import Signal

__getattr__, __dir__ = lazy_exports(
    __name__,
    {
        "paperdesk.domain.accounts": ("AccountKind", "CashCheck"),
        "paperdesk.domain.bars": ("Bar", "Timeframe"),
        "paperdesk.domain.corporate_actions": ("CorporateActionTerms",),
        "paperdesk.domain.decisions": ("Decision", "StrategyContext"),
        "paperdesk.domain.enums": (
            "AssetClass",
            "Direction",
            "OrderRole",
            "OrderStatus",
            "OrderType",
            "Side",
            "TimeInForce",
        ),
        "paperdesk.domain.errors": (
            "DataError",
            "InvalidInputError",
            "LedgerUnavailableError",
            "OptionError",
            "OrderError",
            "PaperdeskError",
            "StrategyLoadError",
            "UnknownNameError",
        ),
        "paperdesk.domain.events": (
            "AccountEvent",
            "CashOverdrawn",
            "CorporateActionApplied",
            "Event",
            "FeedEvent",
            "FeedFailing",
            "FeedRecovered",
            "FeedStale",
            "MarginCalled",
            "OrderAccepted",
            "OrderCanceled",
            "OrderEvent",
            "OrderExpired",
            "OrderFilled",
            "OrderModified",
            "OrderRejected",
            "PositionChanged",
            "PositionClosed",
            "PositionEvent",
            "PositionOpened",
            "SignalAccepted",
            "SignalRejected",
        ),
        "paperdesk.domain.fills": ("Fill",),
        "paperdesk.domain.instruments": ("Instrument",),
        "paperdesk.domain.money": ("ONE", "ZERO", "to_decimal"),
        "paperdesk.domain.orders": ("Order", "OrderIntent"),
        "paperdesk.domain.portfolio": (
            "PortfolioSnapshot",
            "PortfolioView",
            "Trade",
            "WorkingEntry",
        ),
        "paperdesk.domain.positions": ("Position",),
        "paperdesk.domain.quotes": ("Quote",),
        "paperdesk.domain.signals": ("Signal",),
    },
)

__all__ = [
    "ONE",
    "ZERO",
    "AccountEvent",
    "AccountKind",
    "AssetClass",
    "Bar",
    "CashCheck",
    "CashOverdrawn",
    "CorporateActionApplied",
    "CorporateActionTerms",
    "DataError",
    "Decision",
    "Direction",
    "Event",
    "FeedEvent",
    "FeedFailing",
    "FeedRecovered",
    "FeedStale",
    "Fill",
    "Instrument",
    "InvalidInputError",
    "LedgerUnavailableError",
    "MarginCalled",
    "OptionError",
    "Order",
    "OrderAccepted",
    "OrderCanceled",
    "OrderError",
    "OrderEvent",
    "OrderExpired",
    "OrderFilled",
    "OrderIntent",
    "OrderModified",
    "OrderRejected",
    "OrderRole",
    "OrderStatus",
    "OrderType",
    "PaperdeskError",
    "PortfolioSnapshot",
    "PortfolioView",
    "Position",
    "PositionChanged",
    "PositionClosed",
    "PositionEvent",
    "PositionOpened",
    "Quote",
    "Side",
    "Signal",
    "SignalAccepted",
    "SignalRejected",
    "StrategyContext",
    "StrategyLoadError",
    "TimeInForce",
    "Timeframe",
    "Trade",
    "UnknownNameError",
    "WorkingEntry",
    "to_decimal",
]
