"""Finding strategy classes outside paperdesk: entry points, ``module:Class`` and ``file.py``."""

from __future__ import annotations

import dataclasses
import hashlib
import importlib
import importlib.util
import inspect
import re
import sys
import traceback
from collections.abc import Iterable
from importlib.metadata import EntryPoint, entry_points
from numbers import Integral
from pathlib import Path
from types import ModuleType
from typing import Any, NamedTuple

from paperdesk.analysis.strategies.base import Strategy
from paperdesk.analysis.strategies.common import StrategyBase
from paperdesk.analysis.strategies.per_bar import BarStrategy
from paperdesk.domain.errors import InvalidInputError, StrategyLoadError

__all__ = [
    "ENTRY_POINT_GROUP",
    "PATH_FORMS",
    "AnyStrategy",
    "LoadedEntryPoint",
    "StrategyClass",
    "check_strategy_class",
    "describe_entry_point",
    "group_entry_points",
    "import_strategy_path",
    "load_entry_points",
]

ENTRY_POINT_GROUP = "paperdesk.strategies"
"""The entry-point group an installed package declares its strategies in."""

PATH_FORMS = "'package.module:Class', 'path/to/file.py:Class' or 'path/to/file.py'"

StrategyClass = type[Strategy[Any]] | type[BarStrategy[Any]]
AnyStrategy = Strategy[Any] | BarStrategy[Any]

_NAME_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
_PARAMETER_TYPES = (int, float, bool, str)
_BASES: tuple[type, ...] = (StrategyBase, Strategy, BarStrategy)


class LoadedEntryPoint(NamedTuple):
    """One entry point of the group: its class, or the error that kept it from loading."""

    entry_point: EntryPoint
    source: str
    strategy_class: StrategyClass | None
    error: StrategyLoadError | None


def group_entry_points() -> tuple[EntryPoint, ...]:
    """Every installed entry point of ``ENTRY_POINT_GROUP``."""
    return tuple(entry_points(group=ENTRY_POINT_GROUP))


def describe_entry_point(entry_point: EntryPoint) -> str:
    """``entry point 'name' (module:Class) of distribution version`` for messages."""
    text = f"entry point {entry_point.name!r} ({entry_point.value})"
    distribution = getattr(entry_point, "dist", None)
    if distribution is not None:
        text += f" of {distribution.name} {distribution.version}"
    return text


def load_entry_points(found: Iterable[EntryPoint]) -> list[LoadedEntryPoint]:
    """Import every entry point; one that fails is reported, never raised."""
    loaded: list[LoadedEntryPoint] = []
    for entry_point in found:
        source = describe_entry_point(entry_point)
        try:
            target = entry_point.load()
        except Exception as error:
            problem = StrategyLoadError(
                f"strategy plug-in {source} failed to import: {_reason(error)}"
            )
            loaded.append(LoadedEntryPoint(entry_point, source, None, problem))
            continue
        try:
            strategy_class = check_strategy_class(target, f"strategy plug-in {source}")
        except StrategyLoadError as problem:
            loaded.append(LoadedEntryPoint(entry_point, source, None, problem))
            continue
        loaded.append(LoadedEntryPoint(entry_point, source, strategy_class, None))
    return loaded


def check_strategy_class(target: object, where: str) -> StrategyClass:
    """``target`` if it is a usable strategy class; otherwise ``StrategyLoadError`` naming
    ``where`` and what is wrong (not a class, abstract, no name, unusable parameters)."""
    if not isinstance(target, type) or not issubclass(target, Strategy | BarStrategy):
        kind = type(target).__name__ if not isinstance(target, type) else "class"
        raise StrategyLoadError(
            f"{where} is not a strategy class (a subclass of paperdesk's Strategy or "
            f"BarStrategy): got {kind} {_label(target)}"
        )
    label = _label(target)
    if inspect.isabstract(target):
        raise StrategyLoadError(
            f"{where}: {label} is abstract; it does not implement {_missing(target)}"
        )
    name = getattr(target, "name", None)
    if not isinstance(name, str) or not _NAME_PATTERN.fullmatch(name):
        raise StrategyLoadError(
            f"{where}: {label} needs a 'name' of letters, digits, '.', '_' or '-' "
            f"(starting with a letter or digit), got {name!r}"
        )
    if not isinstance(getattr(target, "description", None), str):
        raise StrategyLoadError(f"{where}: {label} ({name!r}) needs a 'description' string")
    warmup = inspect.getattr_static(target, "warmup", None)
    if not isinstance(warmup, property) and (
        isinstance(warmup, bool) or not isinstance(warmup, Integral) or warmup < 0
    ):  # a plain class attribute is checked here; a property when the strategy runs
        raise StrategyLoadError(
            f"{where}: {label} ({name!r}) needs a 'warmup' of 0 or more bars (a whole number, "
            f"or a property giving one), got {warmup!r}"
        )
    _check_parameters_class(target, where, label)
    return target


def _check_parameters_class(target: StrategyClass, where: str, label: str) -> None:
    parameters = target.Parameters
    if not dataclasses.is_dataclass(parameters) or not isinstance(parameters, type):
        raise StrategyLoadError(
            f"{where}: {label}.Parameters must be a dataclass, got {_label(parameters)}"
        )
    try:
        types = target.parameter_types()
    except Exception as error:
        raise StrategyLoadError(
            f"{where}: the annotations of {label}.Parameters cannot be resolved: {_reason(error)}"
        ) from error
    for field_name, expected in types.items():
        if expected not in _PARAMETER_TYPES:
            raise StrategyLoadError(
                f"{where}: parameter {field_name!r} of {label} has type {expected!r}; "
                "expected int, float, bool or str"
            )
    try:
        target.Parameters()
    except Exception as error:
        raise StrategyLoadError(
            f"{where}: {label}.Parameters() cannot be built from its defaults (every parameter "
            f"needs one): {_reason(error)}"
        ) from error


def import_strategy_path(spec: str) -> StrategyClass:
    """The strategy class named by ``spec``: ``package.module:Class``,
    ``path/to/file.py:Class`` or ``path/to/file.py`` (the file must then define exactly one
    strategy class). Raises ``StrategyLoadError`` naming ``spec`` and the reason."""
    text = spec.strip()
    where = f"strategy path {spec!r}"
    head, separator, attribute = text.rpartition(":")
    if text.endswith(".py"):
        return _only_strategy_class(_import_file(Path(text), where), where, text)
    if separator and head.endswith(".py") and attribute:
        module = _import_file(Path(head), where)
    elif separator and head and attribute and "/" not in head and "\\" not in head:
        try:
            module = importlib.import_module(head)
        except Exception as error:
            raise StrategyLoadError(
                f"{where}: module {head!r} failed to import: {_reason(error)}"
            ) from error
    else:
        raise InvalidInputError(f"{where} must have the form {PATH_FORMS}")
    target: object = module
    for part in attribute.split("."):
        if not hasattr(target, part):
            found = ", ".join(_describe_classes(_strategy_classes(module))) or "none"
            raise StrategyLoadError(
                f"{where}: {module.__name__} has no attribute {attribute!r}; "
                f"strategy classes it defines: {found}"
            )
        target = getattr(target, part)
    return check_strategy_class(target, where)


def _import_file(path: Path, where: str) -> ModuleType:
    """The module of a Python file, executed once per process (keyed by its resolved path)."""
    file = path.expanduser()
    if not file.is_file():
        raise StrategyLoadError(f"{where}: no such file {str(file)!r}")
    resolved = file.resolve()
    digest = hashlib.sha256(str(resolved).encode()).hexdigest()[:12]
    stem = re.sub(r"\W", "_", resolved.stem)
    module_name = f"paperdesk_strategy_file_{stem}_{digest}"
    module = sys.modules.get(module_name)
    if module is not None:
        return module
    spec = importlib.util.spec_from_file_location(module_name, resolved)
    if spec is None or spec.loader is None:
        raise StrategyLoadError(f"{where}: {str(resolved)!r} cannot be imported as Python")
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module  # dataclasses and typing look classes' modules up here
    try:
        spec.loader.exec_module(module)
    except Exception as error:
        del sys.modules[module_name]
        raise StrategyLoadError(f"{where} failed to import: {_reason(error)}") from error
    return module


def _strategy_classes(module: ModuleType) -> list[type]:
    """Strategy classes defined (not imported) in ``module``, abstract ones included."""
    return [
        value
        for value in vars(module).values()
        if isinstance(value, type)
        and issubclass(value, StrategyBase)
        and value not in _BASES
        and value.__module__ == module.__name__
    ]


def _only_strategy_class(module: ModuleType, where: str, file: str) -> StrategyClass:
    defined = _strategy_classes(module)
    concrete = [value for value in defined if not inspect.isabstract(value)]
    if len(concrete) == 1:
        return check_strategy_class(concrete[0], where)
    if not concrete:
        abstract = [f"{value.__name__} does not implement {_missing(value)}" for value in defined]
        note = f" (only abstract ones: {'; '.join(abstract)})" if abstract else ""
        raise StrategyLoadError(
            f"{where} defines no strategy class (a subclass of Strategy or BarStrategy "
            f"implementing it){note}"
        )
    raise StrategyLoadError(
        f"{where} defines {len(concrete)} strategy classes: "
        f"{', '.join(_describe_classes(concrete))}; name the one to use, e.g. "
        f"'{file}:{concrete[0].__name__}'"
    )


def _missing(target: type) -> str:
    return ", ".join(sorted(getattr(target, "__abstractmethods__", ())))


def _describe_classes(classes: Iterable[type]) -> list[str]:
    return [f"{value.__name__} ({getattr(value, 'name', '?')!r})" for value in classes]


def _label(target: object) -> str:
    if isinstance(target, type):
        return f"{target.__module__}.{target.__qualname__}"
    return repr(target)


def _reason(error: BaseException) -> str:
    """``Type: message`` plus where it was raised (the last frame outside importlib)."""
    text = f"{type(error).__name__}: {error}"
    if isinstance(error, SyntaxError):
        return text  # the message already names the file and the line
    frames = [
        frame
        for frame in traceback.extract_tb(error.__traceback__)
        if not frame.filename.startswith("<frozen")
        and "importlib" not in frame.filename
        and frame.filename != __file__  # where paperdesk caught it says nothing
    ]
    if frames:
        text += f" (at {frames[-1].filename}, line {frames[-1].lineno})"
    return text
