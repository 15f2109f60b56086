"""The service layer: the CLI, the REST API and the worker call only this."""

from paperdesk.engine.config import (
    BacktestConfig,
    ExecutionConfig,
    FillTiming,
    RiskConfig,
    SizeTiming,
    SizingConfig,
)
from paperdesk.engine.result import BacktestResult
from paperdesk.service.backtests import BacktestService, ProgressCallback
from paperdesk.service.documents import result_to_dict

__all__ = [
    "BacktestConfig",
    "BacktestResult",
    "BacktestService",
    "ExecutionConfig",
    "FillTiming",
    "ProgressCallback",
    "RiskConfig",
    "SizeTiming",
    "SizingConfig",
    "result_to_dict",
]
