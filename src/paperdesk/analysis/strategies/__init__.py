"""Trading strategies: the base class, the registry and the built-in strategies."""

from paperdesk.analysis.strategies import (
    buy_and_hold,
    macd_cross,
    rsi_divergence,
    sma_cross,
    tsi_momentum,
)
from paperdesk.analysis.strategies.base import Strategy, to_signals
from paperdesk.analysis.strategies.registry import (
    create_strategy,
    get_strategy_class,
    register,
    strategy_names,
)

__all__ = [
    "Strategy",
    "buy_and_hold",
    "create_strategy",
    "get_strategy_class",
    "macd_cross",
    "register",
    "rsi_divergence",
    "sma_cross",
    "strategy_names",
    "to_signals",
    "tsi_momentum",
]
