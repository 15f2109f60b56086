"""The service layer: the CLI, the REST API and the worker call only this.

The exports load on first use (``paperdesk._lazy``): importing one submodule stays light.
"""

from typing import TYPE_CHECKING

from paperdesk._lazy import lazy_exports

if TYPE_CHECKING:
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

__getattr__, __dir__ = lazy_exports(
    __name__,
    {
        "paperdesk.config": (
            "ExecutionConfig",
            "FillTiming",
            "RiskConfig",
            "RunConfig",
            "SizeTiming",
            "SizingConfig",
            "SourceConfig",
            "StrategySpec",
        ),
        "paperdesk.engine.result": ("BacktestResult",),
        "paperdesk.service.backtests": (
            "BacktestService",
            "ProgressCallback",
        ),
        "paperdesk.service.container": ("Services",),
        "paperdesk.service.documents": ("result_to_dict",),
    },
)
