"""Name -> strategy class registry; strategies register themselves with ``@register``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from paperdesk.analysis.strategies.base import Strategy
from paperdesk.domain.errors import InvalidInputError, UnknownNameError

__all__ = ["create_strategy", "get_strategy_class", "register", "strategy_names"]

StrategyClass = TypeVar("StrategyClass", bound=type[Strategy[Any]])

_REGISTRY: dict[str, type[Strategy[Any]]] = {}


def register(cls: StrategyClass) -> StrategyClass:
    """Class decorator: make ``cls`` available under ``cls.name``."""
    name = getattr(cls, "name", None)
    if not isinstance(name, str) or not name:
        raise InvalidInputError(f"strategy class {cls.__name__} needs a non-empty 'name'")
    existing = _REGISTRY.get(name)
    if existing is not None and existing is not cls:
        raise InvalidInputError(
            f"strategy name {name!r} is already registered by {existing.__qualname__}"
        )
    _REGISTRY[name] = cls
    return cls


def strategy_names() -> list[str]:
    """Registered strategy names, sorted."""
    return sorted(_REGISTRY)


def get_strategy_class(name: str) -> type[Strategy[Any]]:
    """The class registered as ``name``; ``UnknownNameError`` lists the registered ones."""
    try:
        return _REGISTRY[name]
    except KeyError:
        registered = ", ".join(strategy_names()) or "none"
        raise UnknownNameError(
            f"unknown strategy {name!r}; registered strategies: {registered}"
        ) from None


def create_strategy(name: str, params: Mapping[str, object] | None = None) -> Strategy[Any]:
    """Instantiate strategy ``name`` with loosely typed ``params`` (see ``parse_params``)."""
    cls = get_strategy_class(name)
    return cls(cls.parse_params(params or {}))
