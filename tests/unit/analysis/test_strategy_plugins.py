"""Strategy registry and plug-ins: entry points, module:Class and file paths, and their errors."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from importlib.metadata import EntryPoint
from pathlib import Path

import pytest

from paperdesk.analysis import (
    BarStrategy,
    Strategy,
    StrategyKind,
    available_strategy_names,
    create_strategy,
    describe_strategies,
    get_strategy_class,
    load_strategy_path,
    strategy_kind,
    strategy_names,
)
from paperdesk.analysis.strategies.common import ParameterDescription
from paperdesk.analysis.strategies.registry import (
    ENTRY_POINT_GROUP,
    StrategyRegistry,
    create_bar_strategy,
    create_vectorised_strategy,
    default_registry,
    describe_strategy,
    plugin_problems,
)
from paperdesk.analysis.strategies.sma_cross import SmaCross
from paperdesk.domain import InvalidInputError, StrategyLoadError, UnknownNameError

BUILT_INS = ["buy-and-hold", "macd-cross", "rsi-divergence", "sma-cross", "tsi-momentum"]
EXAMPLES = ["example-sma-entries", "example-sma-hold"]

VECTORISED_SOURCE = """
from typing import ClassVar

from paperdesk.analysis.strategies.base import NoParameters, Strategy, make_signal_frame


class {cls}(Strategy[NoParameters]):
    name: ClassVar[str] = "{name}"
    description: ClassVar[str] = "A strategy written in a test."

    @property
    def warmup(self) -> int:
        return 0

    def compute(self, bars):
        return make_signal_frame(bars, [0], 1, reason="first bar")
"""

PER_BAR_SOURCE = """
from dataclasses import dataclass
from typing import ClassVar

from paperdesk.analysis.strategies.per_bar import BarStrategy


@dataclass(frozen=True, slots=True)
class {cls}Parameters:
    threshold: float = 0.5


class {cls}(BarStrategy[{cls}Parameters]):
    name: ClassVar[str] = "{name}"
    description: ClassVar[str] = "A per-bar strategy written in a test."
    Parameters: ClassVar[type] = {cls}Parameters

    @property
    def warmup(self) -> int:
        return 1

    def decide(self, history, context):
        return None
"""


def vectorised(cls: str, name: str) -> str:
    return VECTORISED_SOURCE.format(cls=cls, name=name)


def per_bar(cls: str, name: str) -> str:
    return PER_BAR_SOURCE.format(cls=cls, name=name)


@pytest.fixture
def write(tmp_path: Path) -> Callable[[str, str], Path]:
    """Write ``tmp_path/<name>`` (a module or file of strategies) and return its path."""

    def write_file(name: str, source: str) -> Path:
        path = tmp_path / name
        path.write_text(textwrap.dedent(source))
        return path

    return write_file


@pytest.fixture
def modules(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A directory on ``sys.path`` for importable test modules (unique names per test)."""
    monkeypatch.syspath_prepend(str(tmp_path))
    return tmp_path


def entry_point(name: str, value: str) -> EntryPoint:
    return EntryPoint(name=name, value=value, group=ENTRY_POINT_GROUP)


def registry_with(*entry_points: EntryPoint) -> StrategyRegistry:
    """A fresh registry (the built-in sma-cross registered) that finds ``entry_points``."""
    registry = StrategyRegistry(entry_points=lambda: entry_points)
    registry.register(SmaCross)
    return registry


# ---------------------------------------------------------------- the installed example package
def test_the_installed_example_package_is_found_through_its_entry_points() -> None:
    entries = create_strategy("example-sma-entries", {"period": "30"})
    assert isinstance(entries, Strategy)
    assert entries.params.period == 30
    hold = create_strategy("example-sma-hold", {"hold_bars": 3})
    assert isinstance(hold, BarStrategy)
    assert strategy_kind("example-sma-entries") is StrategyKind.VECTORISED
    assert strategy_kind("example-sma-hold") is StrategyKind.PER_BAR
    assert get_strategy_class("example-sma-hold") is type(hold)
    assert plugin_problems() == []


@pytest.fixture
def without_path_loaded(monkeypatch: pytest.MonkeyPatch) -> None:
    """The process-wide registry without the strategies earlier tests in this process loaded
    by path (portfolios with ``strategy_paths``, e.g. tests/quiet_strategy.py), for this test."""
    default = default_registry()
    default.discover()  # the entry points first, so they stay
    kept = {n for n, source in default._sources.items() if not source.startswith("path ")}
    monkeypatch.setattr(
        default, "_classes", {n: c for n, c in default._classes.items() if n in kept}
    )
    monkeypatch.setattr(
        default, "_sources", {n: s for n, s in default._sources.items() if n in kept}
    )


@pytest.mark.usefixtures("without_path_loaded")
def test_listings_hold_built_ins_and_plug_ins_but_strategy_names_only_the_built_ins() -> None:
    assert strategy_names() == BUILT_INS
    assert available_strategy_names() == sorted(BUILT_INS + EXAMPLES)
    described = {description.name: description for description in describe_strategies()}
    assert sorted(described) == sorted(BUILT_INS + EXAMPLES)
    assert described["sma-cross"].source == "built-in"
    hold = describe_strategy("example-sma-hold")
    assert hold.kind is StrategyKind.PER_BAR
    assert hold.parameters == (
        ParameterDescription("period", "int", 20),
        ParameterDescription("hold_bars", "int", 5),
    )
    assert hold.source.startswith("entry point 'example-sma-hold' (")
    assert hold.source.endswith("of paperdesk-example-strategies 0.1.0")


def test_kind_specific_constructors_refuse_the_other_kind() -> None:
    assert isinstance(create_vectorised_strategy("example-sma-entries"), Strategy)
    assert isinstance(create_bar_strategy("example-sma-hold"), BarStrategy)
    with pytest.raises(InvalidInputError, match="'example-sma-hold' is a per-bar strategy"):
        create_vectorised_strategy("example-sma-hold")
    with pytest.raises(InvalidInputError, match="'sma-cross' is a vectorised strategy"):
        create_bar_strategy("sma-cross")


def test_loading_an_installed_class_by_module_path_is_the_same_class() -> None:
    loaded = load_strategy_path("paperdesk_example_strategies.sma_hold:SmaHold")
    assert loaded is get_strategy_class("example-sma-hold")


def test_an_unknown_name_lists_every_strategy_and_how_to_add_one() -> None:
    with pytest.raises(UnknownNameError, match="unknown strategy 'my-strategy'") as error:
        create_strategy("my-strategy")
    message = str(error.value)
    for name in BUILT_INS + EXAMPLES:
        assert name in message
    assert "--strategy-path" in message
    assert "'paperdesk.strategies' entry-point group" in message


# ---------------------------------------------------------------- entry points, lazily
def test_entry_points_are_imported_on_the_first_unknown_name_not_before(
    modules: Path, write: Callable[[str, str], Path]
) -> None:
    write("lazy_plugin.py", vectorised("Lazy", "lazy") + "\nIMPORTED = True\n")
    registry = registry_with(entry_point("lazy", "lazy_plugin:Lazy"))
    assert registry.get("sma-cross") is SmaCross  # a known name imports nothing
    assert registry.builtin_names() == ["sma-cross"]
    lazy = registry.get("lazy")
    assert lazy.name == "lazy"
    assert registry.source("lazy") == "entry point 'lazy' (lazy_plugin:Lazy)"
    assert registry.names() == ["lazy", "sma-cross"]


def test_a_broken_plug_in_is_reported_and_the_others_still_list(
    modules: Path, write: Callable[[str, str], Path]
) -> None:
    write("good_plugin.py", per_bar("Good", "good"))
    write("crashing_plugin.py", "raise RuntimeError('model file missing')\n")
    registry = registry_with(
        entry_point("missing", "no_such_plugin_module:Thing"),
        entry_point("crashing", "crashing_plugin:Anything"),
        entry_point("function", "json:dumps"),
        entry_point("good", "good_plugin:Good"),
    )
    assert registry.names() == ["good", "sma-cross"]
    assert registry.describe("good").kind is StrategyKind.PER_BAR
    problems = [str(problem) for problem in registry.problems()]
    assert len(problems) == 3
    missing, crashing, function = problems
    assert missing.startswith(
        "strategy plug-in entry point 'missing' (no_such_plugin_module:Thing) failed to import: "
        "ModuleNotFoundError: No module named 'no_such_plugin_module'"
    )
    assert "RuntimeError: model file missing (at " in crashing
    assert "crashing_plugin.py, line 1)" in crashing
    assert function.startswith(
        "strategy plug-in entry point 'function' (json:dumps) is not a strategy class"
    )
    assert "Traceback" not in " ".join(problems)
    with pytest.raises(StrategyLoadError, match=r"entry point 'missing'.*failed to import"):
        registry.get("missing")
    with pytest.raises(UnknownNameError, match="Plug-ins left out: strategy plug-in entry point"):
        registry.get("nothing-like-it")


def test_a_plug_in_cannot_take_a_name_already_in_use(
    modules: Path, write: Callable[[str, str], Path]
) -> None:
    write("clash_plugin.py", vectorised("FakeCross", "sma-cross"))
    write("twin_one.py", vectorised("One", "twin"))
    write("twin_two.py", vectorised("Two", "twin"))
    registry = registry_with(
        entry_point("sma-cross", "clash_plugin:FakeCross"),
        entry_point("twin", "twin_one:One"),
        entry_point("twin-again", "twin_two:Two"),
    )
    assert registry.get("sma-cross") is SmaCross  # the built-in keeps its name
    assert registry.get("twin").__module__ == "twin_one"
    first, second = (str(problem) for problem in registry.problems())
    assert first == (
        "strategy name 'sma-cross' is claimed by two classes: "
        "paperdesk.analysis.strategies.sma_cross.SmaCross (built-in) and clash_plugin.FakeCross "
        "(entry point 'sma-cross' (clash_plugin:FakeCross)); rename one of them"
    )
    assert "twin_one.One (entry point 'twin' (twin_one:One)) and twin_two.Two" in second


# ---------------------------------------------------------------- paths
def test_load_by_module_and_class(modules: Path, write: Callable[[str, str], Path]) -> None:
    write("my_strategies.py", vectorised("Mine", "mine"))
    registry = registry_with()
    loaded = registry.load_path("my_strategies:Mine")
    assert loaded.name == "mine"
    assert registry.get("mine") is loaded
    assert registry.source("mine") == "path 'my_strategies:Mine'"
    assert registry.load_path("my_strategies:Mine") is loaded  # again: harmless


def test_load_by_file_with_and_without_the_class(write: Callable[[str, str], Path]) -> None:
    path = write("per_bar_file.py", per_bar("FromFile", "from-file"))
    registry = registry_with()
    loaded = registry.load_path(str(path))
    assert issubclass(loaded, BarStrategy)
    assert registry.load_path(f"{path}:FromFile") is loaded  # the file runs once
    strategy = registry.get("from-file")(registry.get("from-file").parse_params({"threshold": 1}))
    assert strategy.params.threshold == 1.0


def test_a_file_must_define_exactly_one_strategy_class(write: Callable[[str, str], Path]) -> None:
    none = write(
        "no_strategy.py",
        """
        from paperdesk.analysis.strategies.sma_cross import SmaCross  # imported: not counted

        class Helper:
            pass
        """,
    )
    two = write("two_strategies.py", vectorised("First", "first") + vectorised("Second", "second"))
    registry = registry_with()
    with pytest.raises(StrategyLoadError) as error:
        registry.load_path(str(none))
    assert str(error.value) == (
        f"strategy path {str(none)!r} defines no strategy class (a subclass of Strategy or "
        "BarStrategy implementing it)"
    )
    with pytest.raises(StrategyLoadError) as error:
        registry.load_path(str(two))
    assert str(error.value) == (
        f"strategy path {str(two)!r} defines 2 strategy classes: First ('first'), "
        f"Second ('second'); name the one to use, e.g. '{two}:First'"
    )
    assert registry.load_path(f"{two}:Second").name == "second"


def test_path_errors_name_the_path_and_the_reason(
    modules: Path, write: Callable[[str, str], Path]
) -> None:
    broken = write("broken_file.py", "def half(:\n")
    abstract = write(
        "abstract_file.py",
        """
        from typing import ClassVar
        from paperdesk.analysis.strategies.per_bar import BarStrategy

        class Half(BarStrategy):
            name: ClassVar[str] = "half"
            description: ClassVar[str] = ""

            @property
            def warmup(self) -> int:
                return 0
        """,
    )
    bad_parameters = write(
        "bad_parameters.py",
        per_bar("Listy", "listy").replace("threshold: float = 0.5", "levels: list = None"),
    )
    write("importable_module.py", vectorised("There", "there"))
    registry = registry_with()
    cases = {
        str(broken): "failed to import: SyntaxError: invalid syntax",
        str(tmp := broken.with_name("absent.py")): f"no such file {str(tmp)!r}",
        f"{abstract}:Half": "abstract_file.py:Half'.*is abstract; it does not implement decide",
        f"{bad_parameters}:Listy": "parameter 'levels' of .*Listy has type <class 'list'>",
        "importable_module:Missing": (
            "importable_module has no attribute 'Missing'; strategy classes it defines: "
            "There \\('there'\\)"
        ),
        "no_such_module_here:Thing": "module 'no_such_module_here' failed to import",
    }
    for spec, message in cases.items():
        with pytest.raises(StrategyLoadError, match=message):
            registry.load_path(spec)
    with pytest.raises(InvalidInputError, match=r"must have the form 'package\.module:Class'"):
        registry.load_path("just-a-name")
    assert registry.names() == ["sma-cross"]


def test_a_path_class_cannot_take_a_name_already_in_use(write: Callable[[str, str], Path]) -> None:
    first = write("first_cross.py", vectorised("MyCross", "my-cross"))
    second = write("second_cross.py", vectorised("MyCross", "my-cross"))
    builtin_clash = write("builtin_clash.py", vectorised("Impostor", "sma-cross"))
    registry = registry_with()
    registry.load_path(str(first))
    with pytest.raises(
        StrategyLoadError, match="strategy name 'my-cross' is claimed by two"
    ) as error:
        registry.load_path(str(second))
    assert f"(path {str(first)!r}) and " in str(error.value)
    assert f"(path {str(second)!r}); rename one of them" in str(error.value)
    with pytest.raises(StrategyLoadError, match=r"SmaCross \(built-in\) and .*Impostor"):
        registry.load_path(str(builtin_clash))


def test_register_refuses_a_class_without_a_usable_name() -> None:
    class Nameless(Strategy):  # type: ignore[type-arg]
        name = "has space"
        description = ""

        @property
        def warmup(self) -> int:
            return 0

        def compute(self, bars):  # type: ignore[no-untyped-def]
            return bars

    with pytest.raises(StrategyLoadError, match="needs a 'name' of letters, digits"):
        StrategyRegistry(entry_points=tuple).register(Nameless)
