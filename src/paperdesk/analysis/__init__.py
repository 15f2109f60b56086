"""Indicators and strategies (pure: numpy, pandas and TA-Lib only).

Importing this package registers every built-in strategy.
"""

from paperdesk.analysis import indicators
from paperdesk.analysis.strategies import (
    Strategy,
    create_strategy,
    get_strategy_class,
    register,
    strategy_names,
    to_signals,
)

__all__ = [
    "Strategy",
    "create_strategy",
    "get_strategy_class",
    "indicators",
    "register",
    "strategy_names",
    "to_signals",
]
