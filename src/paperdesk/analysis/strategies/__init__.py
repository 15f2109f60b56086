"""Trading strategies: both base classes, the registry (with plug-ins) and the built-ins."""

from paperdesk.analysis.strategies import (
    buy_and_hold,
    macd_cross,
    rsi_divergence,
    sma_cross,
    tsi_momentum,
)
from paperdesk.analysis.strategies.base import Strategy, make_signal_frame, to_signals
from paperdesk.analysis.strategies.common import (
    NoParameters,
    ParameterDescription,
    StrategyKind,
)
from paperdesk.analysis.strategies.per_bar import BarStrategy
from paperdesk.analysis.strategies.registry import (
    ENTRY_POINT_GROUP,
    StrategyDescription,
    available_strategy_names,
    create_strategy,
    describe_strategies,
    describe_strategy,
    get_strategy_class,
    load_strategy_path,
    plugin_problems,
    register,
    strategy_kind,
    strategy_names,
)

__all__ = [
    "ENTRY_POINT_GROUP",
    "BarStrategy",
    "NoParameters",
    "ParameterDescription",
    "Strategy",
    "StrategyDescription",
    "StrategyKind",
    "available_strategy_names",
    "buy_and_hold",
    "create_strategy",
    "describe_strategies",
    "describe_strategy",
    "get_strategy_class",
    "load_strategy_path",
    "macd_cross",
    "make_signal_frame",
    "plugin_problems",
    "register",
    "rsi_divergence",
    "sma_cross",
    "strategy_kind",
    "strategy_names",
    "to_signals",
    "tsi_momentum",
]
