"""The backtest service: the one door through which interfaces run backtests."""

from __future__ import annotations

from collections.abc import Callable

from paperdesk.engine.config import BacktestConfig
from paperdesk.engine.result import BacktestResult
from paperdesk.service.documents import result_to_dict

__all__ = ["BacktestService", "ProgressCallback", "result_to_dict", "run_backtest"]

ProgressCallback = Callable[[int, int], None]


def run_backtest(
    config: BacktestConfig, progress: ProgressCallback | None = None
) -> BacktestResult:
    """Run the engine; imported on first use so the service loads without its dependencies."""
    from paperdesk.engine.backtest import run_backtest as run_engine

    return run_engine(config, progress)


class BacktestService:
    """Runs backtests and describes the strategies that can be backtested."""

    def run(
        self, config: BacktestConfig, progress: ProgressCallback | None = None
    ) -> BacktestResult:
        """Run one backtest; ``progress(done, total)`` is called as bars are processed."""
        return run_backtest(config, progress)

    def strategies(self) -> list[tuple[str, str]]:
        """Every registered strategy as (name, description), sorted by name."""
        from paperdesk.analysis.strategies import registry

        described: list[tuple[str, str]] = []
        for name in sorted(registry.strategy_names()):
            strategy_class = registry.get_strategy_class(name)
            description = str(getattr(strategy_class, "description", "") or "")
            described.append((name, description))
        return described
