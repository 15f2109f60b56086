"""The run description: every option of a backtest or a paper portfolio, declared once."""

from paperdesk.config.account import AccountConfig
from paperdesk.config.model import ConfigModel, config_error
from paperdesk.config.options import Option, Panel, declared_options, option_of
from paperdesk.config.run import (
    Adjustment,
    ExecutionConfig,
    FillTiming,
    MarkPrice,
    RiskConfig,
    RunConfig,
    SizeTiming,
    SizingConfig,
    SizingMethod,
    SourceConfig,
    SourceKind,
    StrategySpec,
    TradingSession,
)
from paperdesk.config.statistics import ReturnBasis, StatisticsConfig

__all__ = [
    "AccountConfig",
    "Adjustment",
    "ConfigModel",
    "ExecutionConfig",
    "FillTiming",
    "MarkPrice",
    "Option",
    "Panel",
    "ReturnBasis",
    "RiskConfig",
    "RunConfig",
    "SizeTiming",
    "SizingConfig",
    "SizingMethod",
    "SourceConfig",
    "SourceKind",
    "StatisticsConfig",
    "StrategySpec",
    "TradingSession",
    "config_error",
    "declared_options",
    "option_of",
]
