"""The strategies of a run: plug-ins named by path are loaded first, then each is built with its
parameters (either kind: vectorised ``Strategy`` or per-bar ``BarStrategy``)."""

from __future__ import annotations

from typing import Any

from paperdesk.analysis.strategies.base import Strategy
from paperdesk.analysis.strategies.per_bar import BarStrategy
from paperdesk.analysis.strategies.registry import create_strategy, load_strategy_path
from paperdesk.config import RunConfig

AnyStrategy = Strategy[Any] | BarStrategy[Any]


def run_strategies(config: RunConfig) -> dict[str, AnyStrategy]:
    """Every strategy of ``config`` by name, built and checked (unknown names list what is
    available; bad parameters are named)."""
    for path in config.strategy_paths:
        load_strategy_path(path)
    return {spec.name: create_strategy(spec.name, spec.params) for spec in config.strategies}
