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


BOUND_KEYS = ("minimum", "maximum", "enum")


def parameter_bounds(name: str) -> dict[str, dict[str, object]]:
    """The bounds strategy ``name`` declares for its parameters (field metadata ``minimum``,
    ``maximum``, ``enum``), by parameter; a parameter without any is left out."""
    import dataclasses

    from paperdesk.analysis.strategies import registry

    parameters = registry.get_strategy_class(name).Parameters
    bounds: dict[str, dict[str, object]] = {}
    for field in dataclasses.fields(parameters):
        declared = {key: field.metadata[key] for key in BOUND_KEYS if key in field.metadata}
        if declared:
            bounds[field.name] = declared
    return bounds


def strategy_documents() -> list[dict[str, object]]:
    """Every available strategy (built in, plug-in, loaded by path), sorted by name."""
    from paperdesk.analysis.strategies import registry

    return [strategy_document(described) for described in registry.describe_strategies()]


def one_strategy_document(name: str) -> dict[str, object]:
    """Strategy ``name``; an unknown name raises ``UnknownNameError`` listing the others."""
    from paperdesk.analysis.strategies import registry

    return strategy_document(registry.describe_strategy(name))
