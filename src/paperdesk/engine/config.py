"""The run description the engine runs with (declared in ``paperdesk.config``)."""

from paperdesk.config import (
    ExecutionConfig,
    FillTiming,
    RiskConfig,
    RunConfig,
    SizeTiming,
    SizingConfig,
    SourceConfig,
    StrategySpec,
)

__all__ = [
    "ExecutionConfig",
    "FillTiming",
    "RiskConfig",
    "RunConfig",
    "SizeTiming",
    "SizingConfig",
    "SourceConfig",
    "StrategySpec",
]
