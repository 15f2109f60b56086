"""Indicators and strategies (pure: numpy, pandas and TA-Lib only).

Importing this package registers every built-in strategy; installed plug-ins are imported the
first time they are needed (see ``strategies.registry``).
"""

from paperdesk.analysis import indicators
from paperdesk.analysis.strategies import (
    BarStrategy,
    Strategy,
    StrategyKind,
    available_strategy_names,
    create_strategy,
    describe_strategies,
    get_strategy_class,
    load_strategy_path,
    register,
    strategy_kind,
    strategy_names,
    to_signals,
)

__all__ = [
    "BarStrategy",
    "Strategy",
    "StrategyKind",
    "available_strategy_names",
    "create_strategy",
    "describe_strategies",
    "get_strategy_class",
    "indicators",
    "load_strategy_path",
    "register",
    "strategy_kind",
    "strategy_names",
    "to_signals",
]
