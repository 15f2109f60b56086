"""The run description: every option of a backtest or a paper portfolio, declared once."""

from paperdesk.config.model import ConfigModel, config_error
from paperdesk.config.options import Option, Panel, declared_options, option_of
from paperdesk.config.run import (
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
)

__all__ = [
    "ConfigModel",
    "ExecutionConfig",
    "FillTiming",
    "MarkPrice",
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
