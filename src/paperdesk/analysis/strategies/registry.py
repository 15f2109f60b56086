"""Name -> strategy class: the built-ins (``@register``), installed plug-ins and loaded paths.

Both kinds live here: vectorised ``Strategy`` and per-bar ``BarStrategy`` classes. Plug-ins
declared in the ``paperdesk.strategies`` entry-point group are imported lazily, the first time
a name is not found or the strategies are listed; each is registered under its class's
``name``. A plug-in that fails to import, is no strategy class or takes a name already in use
is reported (``plugin_problems``) and left out; the others still load. The first class
registered under a name keeps it, so a plug-in never replaces a built-in.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Mapping
from importlib.metadata import EntryPoint
from typing import Any, NamedTuple, TypeVar

from paperdesk.analysis.strategies.base import Strategy
from paperdesk.analysis.strategies.common import ParameterDescription, StrategyBase, StrategyKind
from paperdesk.analysis.strategies.per_bar import BarStrategy
from paperdesk.analysis.strategies.plugins import (
    ENTRY_POINT_GROUP,
    PATH_FORMS,
    AnyStrategy,
    StrategyClass,
    check_strategy_class,
    group_entry_points,
    import_strategy_path,
    load_entry_points,
)
from paperdesk.domain.errors import InvalidInputError, StrategyLoadError, UnknownNameError
from paperdesk.domain.fields import option_flag, surface_words
from paperdesk.domain.suggestions import did_you_mean

__all__ = [
    "BUILT_IN",
    "ENTRY_POINT_GROUP",
    "AnyStrategy",
    "StrategyClass",
    "StrategyDescription",
    "StrategyRegistry",
    "available_strategy_names",
    "create_bar_strategy",
    "create_strategy",
    "create_vectorised_strategy",
    "default_registry",
    "describe_strategies",
    "describe_strategy",
    "get_strategy_class",
    "load_strategy_path",
    "plugin_problems",
    "register",
    "strategy_kind",
    "strategy_names",
]

BUILT_IN = "built-in"
"""The source of a class registered in code with ``@register``."""

ClassT = TypeVar("ClassT", bound=type[StrategyBase[Any]])


class StrategyDescription(NamedTuple):
    """A strategy as listings show it."""

    name: str
    kind: StrategyKind
    description: str
    parameters: tuple[ParameterDescription, ...]
    source: str  # "built-in", "entry point 'x' (module:Class) of package 1.0" or "path 'spec'"


class StrategyRegistry:
    """Strategy classes by name, with where each came from.

    ``entry_points`` supplies the installed plug-ins (the ``paperdesk.strategies`` group by
    default; tests pass their own).
    """

    def __init__(
        self, entry_points: Callable[[], Iterable[EntryPoint]] = group_entry_points
    ) -> None:
        self._entry_points = entry_points
        self._classes: dict[str, StrategyClass] = {}
        self._sources: dict[str, str] = {}
        self._problems: dict[str, StrategyLoadError] = {}  # by entry-point name
        self._discovered = False
        self._lock = threading.RLock()

    # ----------------------------------------------------------------- adding
    def register(self, cls: ClassT, source: str = BUILT_IN) -> ClassT:
        """Make ``cls`` available under ``cls.name``; ``StrategyLoadError`` when the class is
        unusable or another class already has the name (naming both)."""
        strategy_class = check_strategy_class(cls, f"strategy class {cls.__qualname__}")
        with self._lock:
            self._add(strategy_class, source)
        return cls

    def load_path(self, spec: str) -> StrategyClass:
        """Import and register the class ``spec`` names (see ``load_strategy_path``)."""
        strategy_class = import_strategy_path(spec)
        with self._lock:
            self._add(strategy_class, f"path {spec.strip()!r}")
        return strategy_class

    def discover(self, *, refresh: bool = False) -> None:
        """Import the installed plug-ins (once, unless ``refresh``)."""
        with self._lock:
            if self._discovered and not refresh:
                return
            self._discovered = True
            for loaded in load_entry_points(self._entry_points()):
                name = loaded.entry_point.name
                if loaded.strategy_class is None:
                    assert loaded.error is not None
                    self._problems[name] = loaded.error
                    continue
                try:
                    self._add(loaded.strategy_class, loaded.source)
                except StrategyLoadError as clash:
                    self._problems[name] = clash
                else:
                    self._problems.pop(name, None)

    def _add(self, strategy_class: StrategyClass, source: str) -> None:
        name = strategy_class.name
        existing = self._classes.get(name)
        if existing is strategy_class:
            return
        if existing is not None:
            raise StrategyLoadError(
                f"strategy name {name!r} is claimed by two classes: "
                f"{_label(existing)} ({self._sources[name]}) and "
                f"{_label(strategy_class)} ({source}); rename one of them"
            )
        self._classes[name] = strategy_class
        self._sources[name] = source

    # ----------------------------------------------------------------- looking up
    def builtin_names(self) -> list[str]:
        """Names registered in code with ``register``, sorted (no plug-in is imported)."""
        return sorted(name for name, source in self._sources.items() if source == BUILT_IN)

    def names(self) -> list[str]:
        """Every available name, built-in and plug-in, sorted."""
        self.discover()
        return sorted(self._classes)

    def problems(self) -> list[StrategyLoadError]:
        """Why each plug-in that was left out could not be used."""
        self.discover()
        return list(self._problems.values())

    def get(self, name: str) -> StrategyClass:
        """The class registered as ``name``; an unknown name imports the plug-ins first."""
        found = self._classes.get(name)
        if found is not None:
            return found
        self.discover()
        found = self._classes.get(name)
        if found is not None:
            return found
        if name in self._problems:
            raise self._problems[name]
        raise UnknownNameError(self._unknown_message(name))

    def source(self, name: str) -> str:
        """Where strategy ``name`` came from (``BUILT_IN``, an entry point or a path)."""
        self.get(name)
        return self._sources[name]

    def describe(self, name: str) -> StrategyDescription:
        cls = self.get(name)
        return StrategyDescription(
            name,
            cls.kind,
            cls.description,
            tuple(cls.describe_parameters()),
            self._sources[name],
        )

    def describe_all(self) -> list[StrategyDescription]:
        return [self.describe(name) for name in self.names()]

    def _unknown_message(self, name: str) -> str:
        available = ", ".join(sorted(self._classes)) or "none"
        message = (
            f"unknown strategy {name!r}{did_you_mean(name, self._classes, inline=True)}; "
            f"available strategies: {available}. {_ADD_YOUR_OWN}"
        )
        if self._problems:
            failed = "; ".join(str(problem) for problem in self._problems.values())
            message += f". Plug-ins left out: {failed}"
        return message


# The API refuses a strategy named by a file (server_path_refused): its users are told who
# installs one, the command line and Python how to load one.
_ADD_YOUR_OWN = surface_words(
    "A strategy of your own is installed on the server by its operator, as a package that "
    f"declares it in the {ENTRY_POINT_GROUP!r} entry-point group (see docs/writing-strategies.md)",
    f"Add your own with {option_flag('strategy_path')} (load_strategy_path in Python) and "
    f"{PATH_FORMS}, or install a package that declares it in the {ENTRY_POINT_GROUP!r} "
    "entry-point group (see docs/writing-strategies.md)",
)


def _label(cls: type) -> str:
    return f"{cls.__module__}.{cls.__qualname__}"


_DEFAULT = StrategyRegistry()


def default_registry() -> StrategyRegistry:
    """The process-wide registry the functions below use."""
    return _DEFAULT


def register(cls: ClassT) -> ClassT:
    """Class decorator: make ``cls`` (a Strategy or BarStrategy) available under ``cls.name``."""
    return _DEFAULT.register(cls)


def strategy_names() -> list[str]:
    """Names of the strategies registered in code (the built-ins), sorted; imports no
    plug-in. ``available_strategy_names`` adds the plug-ins."""
    return _DEFAULT.builtin_names()


def available_strategy_names() -> list[str]:
    """Every strategy name: built-in, installed plug-ins and classes loaded by path, sorted."""
    return _DEFAULT.names()


def get_strategy_class(name: str) -> StrategyClass:
    """The class registered as ``name``; ``UnknownNameError`` lists every available one."""
    return _DEFAULT.get(name)


def strategy_kind(name: str) -> StrategyKind:
    """Whether strategy ``name`` is vectorised (``signals``) or per-bar (``decision``)."""
    return _DEFAULT.get(name).kind


def create_strategy(name: str, params: Mapping[str, object] | None = None) -> AnyStrategy:
    """Instantiate strategy ``name`` (either kind) with loosely typed ``params``
    (see ``parse_params``)."""
    cls = _DEFAULT.get(name)
    return cls(cls.parse_params(params or {}))


def create_vectorised_strategy(
    name: str, params: Mapping[str, object] | None = None
) -> Strategy[Any]:
    """``create_strategy`` for callers that run only vectorised strategies."""
    strategy = create_strategy(name, params)
    if not isinstance(strategy, Strategy):
        raise InvalidInputError(
            f"strategy {name!r} is a per-bar strategy (BarStrategy); "
            "only a vectorised strategy (Strategy) can be used here"
        )
    return strategy


def create_bar_strategy(name: str, params: Mapping[str, object] | None = None) -> BarStrategy[Any]:
    """``create_strategy`` for callers that run only per-bar strategies."""
    strategy = create_strategy(name, params)
    if not isinstance(strategy, BarStrategy):
        raise InvalidInputError(
            f"strategy {name!r} is a vectorised strategy (Strategy); "
            "only a per-bar strategy (BarStrategy) can be used here"
        )
    return strategy


def describe_strategy(name: str) -> StrategyDescription:
    """Name, kind, description, parameters (type and default) and source of ``name``."""
    return _DEFAULT.describe(name)


def describe_strategies() -> list[StrategyDescription]:
    """Every available strategy described, sorted by name (plug-ins that fail are left out;
    ``plugin_problems`` says why)."""
    return _DEFAULT.describe_all()


def plugin_problems() -> list[StrategyLoadError]:
    """Why each installed plug-in that was left out could not be used."""
    return _DEFAULT.problems()


def load_strategy_path(spec: str) -> StrategyClass:
    """Import the strategy class ``spec`` names and register it; return the class.

    ``spec`` is ``package.module:Class`` (importable from ``sys.path``),
    ``path/to/file.py:Class`` or ``path/to/file.py`` (the file must define exactly one
    strategy class). Loading the same class again is harmless; a class whose name another
    class already has raises ``StrategyLoadError`` naming both.
    """
    return _DEFAULT.load_path(spec)
