"""Strategies as documents: name, kind, description, source and every parameter (type, default,
meaning), for ``paperdesk strategies`` and the API alike."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from paperdesk.analysis.strategies.registry import StrategyDescription


def strategy_document(described: StrategyDescription) -> dict[str, object]:
    """One strategy as a JSON object (defaults keep their JSON type: int, float, bool, str)."""
    return {
        "name": described.name,
        "kind": str(described.kind),
        "description": described.description,
        "source": described.source,
        "parameters": [
            {
                "name": parameter.name,
                "type": parameter.type_name,
                "default": parameter.default,
                "meaning": parameter.meaning,
            }
            for parameter in described.parameters
        ],
    }


def strategy_documents() -> list[dict[str, object]]:
    """Every available strategy (built in, plug-in, loaded by path), sorted by name."""
    from paperdesk.analysis.strategies import registry

    return [strategy_document(described) for described in registry.describe_strategies()]


def one_strategy_document(name: str) -> dict[str, object]:
    """Strategy ``name``; an unknown name raises ``UnknownNameError`` listing the others."""
    from paperdesk.analysis.strategies import registry

    return strategy_document(registry.describe_strategy(name))
