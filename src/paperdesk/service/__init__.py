"""The service layer: the CLI, the REST API and the worker call only this."""

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
from paperdesk.engine.result import BacktestResult
from paperdesk.service.backtests import BacktestService, ProgressCallback
from paperdesk.service.container import Services
from paperdesk.service.documents import result_to_dict

__all__ = [
    "BacktestResult",
    "BacktestService",
    "ExecutionConfig",
    "FillTiming",
    "ProgressCallback",
    "RiskConfig",
    "RunConfig",
    "Services",
    "SizeTiming",
    "SizingConfig",
    "SourceConfig",
    "StrategySpec",
    "result_to_dict",
]
