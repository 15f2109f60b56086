"""The run description: every option of a backtest or a paper portfolio, declared once."""

from paperdesk.config.account import AccountConfig
from paperdesk.config.model import ConfigModel, config_error
from paperdesk.config.options import Option, Panel, declared_options, option_of
from paperdesk.config.run import (
    ExecutionConfig,
    FillTiming,
    RiskConfig,
    RunConfig,
    SizeTiming,
    SizingConfig,
    SizingMethod,
    SourceConfig,
    SourceKind,
    StrategySpec,
)

__all__ = [
    "AccountConfig",
    "ConfigModel",
    "ExecutionConfig",
    "FillTiming",
    "Option",
    "Panel",
    "RiskConfig",
    "RunConfig",
    "SizeTiming",
    "SizingConfig",
    "SizingMethod",
    "SourceConfig",
    "SourceKind",
    "StrategySpec",
    "config_error",
    "declared_options",
    "option_of",
]
