"""The event kernel's compiled build: the same sources compiled by mypyc, loaded only while it
matches them.

``scripts/compile_native.py`` (run by ``./scripts/bootstrap`` where a C compiler is installed)
compiles :data:`NATIVE_MODULES` with mypyc, unchanged, into ``src/paperdesk/_native/`` (never
beside the sources, so a compiled module can never shadow an edited one), with a manifest of every
paperdesk source file's SHA-256 at the time of the build and of what else the compile read
(``pyproject.toml``'s ``[tool.mypy]``, the installed packages and their versions). :func:`install`
(called by ``paperdesk/__init__.py``) puts :class:`NativeFinder` first on ``sys.meta_path``; the
first time a compiled module is imported it checks the manifest against the sources, and only if
every file is the one compiled (same set of files, same contents: a size and modification time
equal to the manifest's, else the same digest), with the same mypy options and packages, for this
interpreter, every library the size written, and the shared library loads here, does it load the
compiled modules, all of them. Anything else (a file edited, added or removed, another Python, no
build, a damaged build, one this machine cannot load, ``PAPERDESK_NATIVE=0``) loads every module
from its source as before: a stale build is never half used, and results never depend on which is
loaded (tests prove the two equal, ``tests/unit/engine/test_native_equivalence.py``).
:func:`status` says which and why.
"""

from __future__ import annotations

import os
import sys
from importlib.machinery import EXTENSION_SUFFIXES, ExtensionFileLoader, ModuleSpec
from importlib.util import module_from_spec, spec_from_file_location
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

if TYPE_CHECKING:
    from collections.abc import Mapping

# Imported by every paperdesk process (``paperdesk/__init__.py``), so it imports nothing costly
# at module level: hashlib and json only when a compiled module is first imported.

# The modules compiled, the kernel's hot path (docs/kernel-speed.md, "The compiled build").
NATIVE_MODULES: tuple[str, ...] = (
    "paperdesk.engine.kernel",
    "paperdesk.engine.backtest",
    "paperdesk.execution.book",
    "paperdesk.execution.simulated",
    "paperdesk.execution.fills",
    "paperdesk.execution.actionable",
    "paperdesk.execution.orders_from_intents",
    "paperdesk.portfolio.ledger",
    "paperdesk.routing.router",
    "paperdesk.routing.sizers",
    "paperdesk.routing.risk",
    "paperdesk.routing.affordability",
    "paperdesk.domain.money",
    "paperdesk.domain.positions",
    "paperdesk.data.bar_convert",
    "paperdesk.data.bar_rule",
    "paperdesk.execution.scan",
    "paperdesk.portfolio.round_trips",
    "paperdesk.portfolio.margin_calls",
    "paperdesk.engine.equity_curve",
    "paperdesk.domain.order_fields",
    "paperdesk.execution.venue",
    "paperdesk.analysis.strategies.signal_columns",
    "paperdesk.routing.filters",
    "paperdesk.execution.live_order",
)
# mypyc's shared library for the group (the modules' code; each module's own library is a shim
# that imports it by this top-level name).
GROUP_NAME = "paperdesk_native"
GROUP_MODULE = f"{GROUP_NAME}__mypyc"
# Every library a build holds: each compiled module's and the group's.
LIBRARY_MODULES: tuple[str, ...] = (*NATIVE_MODULES, GROUP_MODULE)
SWITCH_VARIABLE = "PAPERDESK_NATIVE"
PACKAGE_DIRECTORY = Path(__file__).resolve().parent
BUILD_DIRECTORY = PACKAGE_DIRECTORY / "_native"
MANIFEST_NAME = "manifest.json"
MANIFEST_VERSION = 3  # 2: each library's size recorded; 3: what the compile read besides them
_OFF = frozenset({"0", "false", "no", "off"})


class NativeStatus(NamedTuple):
    """Whether this process runs the compiled modules, and why (or why not)."""

    compiled: bool
    reason: str


def source_files(package_directory: Path = PACKAGE_DIRECTORY) -> list[Path]:
    """Every paperdesk source file a build depends on (all of them: the compiled modules' code
    is checked against the types of what it imports), in a stable order. Hidden names are not
    modules: an editor's lock file (Emacs' ``.#kernel.py``, a link to nowhere) is skipped."""
    inside = len(package_directory.parts)
    return sorted(
        path
        for path in package_directory.rglob("*.py")
        if path.parts[inside] != BUILD_DIRECTORY.name
        and not any(part.startswith(".") for part in path.parts[inside:])
    )


def file_digest(path: Path) -> str:
    import hashlib

    return hashlib.sha256(path.read_bytes()).hexdigest()


# A file modified this close to a build has no trusted modification time (as git's "racily
# clean" files): a file system keeps times in ticks (a few ms, 1-2 s on some), so a save of the
# same size in the same tick, after the compiler read the file, would keep the recorded time.
RACY_NS = 3_000_000_000


def fingerprint(package_directory: Path = PACKAGE_DIRECTORY) -> dict[str, list[Any]]:
    """Each source file's [digest, size, modification time in ns], by path inside the package;
    the time is None for a file modified in the last seconds (then only its digest counts)."""
    import time

    racy_after = time.time_ns() - RACY_NS
    entries: dict[str, list[Any]] = {}
    for path in source_files(package_directory):
        stat = path.stat()
        relative = path.relative_to(package_directory).as_posix()
        modified = stat.st_mtime_ns if stat.st_mtime_ns < racy_after else None
        entries[relative] = [file_digest(path), stat.st_size, modified]
    return entries


def compile_inputs(package_directory: Path = PACKAGE_DIRECTORY) -> dict[str, str]:
    """What the compile reads besides paperdesk's sources, each as a digest: ``pyproject.toml``'s
    ``[tool.mypy]`` tables (mypy's options: a plugin or ``always_true`` there changes the code
    generated) and the installed distributions with their versions (the type information of the
    packages the kernel imports: a compiled module checks a value against an annotation read
    from them). Either changed since the build makes it stale; ``./scripts/bootstrap`` rebuilds.
    Both are cheap to read at a process's first kernel import (one file, one folder listing)."""
    return {
        "mypy_options": _digest_text(_mypy_tables(package_directory.parent.parent)),
        "packages": _digest_text("\n".join(installed_distributions())),
    }


def _mypy_tables(root: Path) -> str:
    """The lines of ``root/pyproject.toml``'s ``[tool.mypy]`` tables and their overrides (empty
    without the file: an installed package's build has no project file)."""
    try:
        text = (root / "pyproject.toml").read_text(encoding="utf-8")
    except OSError:
        return ""
    kept: list[str] = []
    inside = False
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith("["):
            inside = stripped.lstrip("[").startswith("tool.mypy")
        if inside:
            kept.append(line)
    return "\n".join(kept)


def installed_distributions() -> list[str]:
    """The names of the ``*.dist-info`` folders (name and version) in this interpreter's site
    packages, sorted."""
    import site

    names: set[str] = set()
    for folder in site.getsitepackages():
        try:
            entries = os.scandir(folder)
        except OSError:
            continue
        with entries:
            names.update(entry.name for entry in entries if entry.name.endswith(".dist-info"))
    return sorted(names)


def _digest_text(text: str) -> str:
    import hashlib

    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def library_name(module: str) -> str:
    """A compiled module's file name in the build directory (one flat folder)."""
    return f"{module}{EXTENSION_SUFFIXES[0]}"


def manifest(
    sources: dict[str, list[Any]],
    compiler_version: str,
    build_directory: Path = BUILD_DIRECTORY,
    inputs: dict[str, str] | None = None,
) -> dict[str, Any]:
    """What a build records: the interpreter it is for, its modules, the sources it was made from
    (``fingerprint()`` taken before compiling: an edit meanwhile leaves the build stale), what
    else the compile read (``compile_inputs()``, by default of this package), and the size of
    each library written to ``build_directory`` (one cut short is never loaded: the loader
    would crash the process, not raise)."""
    return {
        "inputs": compile_inputs() if inputs is None else inputs,
        "version": MANIFEST_VERSION,
        "cache_tag": sys.implementation.cache_tag,
        "suffix": EXTENSION_SUFFIXES[0],
        "mypy": compiler_version,
        "modules": list(NATIVE_MODULES),
        "sources": sources,
        "libraries": {
            name: (build_directory / name).stat().st_size
            for name in map(library_name, LIBRARY_MODULES)
        },
    }


def write_manifest(build_directory: Path, recorded: dict[str, Any]) -> None:
    """Write the manifest last and in one step (a rename): a build is loadable only once whole."""
    import json

    staged = build_directory / (MANIFEST_NAME + ".new")
    staged.write_text(json.dumps(recorded, indent=1, sort_keys=True), encoding="utf-8")
    staged.replace(build_directory / MANIFEST_NAME)


def turned_off(variables: Mapping[str, str]) -> bool:
    """Whether ``PAPERDESK_NATIVE`` among ``variables`` turns the compiled build off."""
    return variables.get(SWITCH_VARIABLE, "").strip().lower() in _OFF


def check_build(
    build_directory: Path = BUILD_DIRECTORY,
    package_directory: Path = PACKAGE_DIRECTORY,
    environment: dict[str, str] | None = None,
) -> NativeStatus:
    """Whether the build in ``build_directory`` may be loaded: it exists, was made for this
    interpreter and from exactly these sources."""
    import json

    variables = os.environ if environment is None else environment
    if turned_off(variables):
        return NativeStatus(False, f"turned off by {SWITCH_VARIABLE}={variables[SWITCH_VARIABLE]}")
    manifest_path = build_directory / MANIFEST_NAME
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        if (package_directory.parent.parent / "scripts" / "bootstrap").is_file():  # a clone
            return NativeStatus(
                False, "not built (./scripts/bootstrap builds it where a C compiler is installed)"
            )
        return NativeStatus(False, "not built (an installed package carries no compiled build)")
    except (OSError, ValueError) as error:
        return NativeStatus(False, f"the build's manifest is unreadable ({error})")
    if not isinstance(manifest, dict) or manifest.get("version") != MANIFEST_VERSION:
        return NativeStatus(False, "the build's manifest is of another version")
    if (
        manifest.get("cache_tag") != sys.implementation.cache_tag
        or manifest.get("suffix") != EXTENSION_SUFFIXES[0]
    ):
        return NativeStatus(
            False,
            f"built for another Python ({manifest.get('cache_tag')}), this is "
            f"{sys.implementation.cache_tag}",
        )
    if tuple(manifest.get("modules", ())) != NATIVE_MODULES:
        return NativeStatus(False, "built for another list of modules")
    libraries = manifest.get("libraries", {})
    for name in map(library_name, LIBRARY_MODULES):
        try:
            size = (build_directory / name).stat().st_size
        except OSError:
            return NativeStatus(False, f"the build lacks {name}")
        if size != libraries.get(name):
            return NativeStatus(False, f"the build's {name} is not the one compiled (its size)")
    changed_input = _changed_input(manifest.get("inputs", {}), package_directory)
    if changed_input is not None:
        return NativeStatus(
            False, f"{changed_input} changed since the build (./scripts/bootstrap rebuilds)"
        )
    try:
        stale = _changed_source(manifest.get("sources", {}), package_directory)
    except OSError as error:  # a file removed or replaced while being read (a checkout)
        return NativeStatus(False, f"the sources could not be compared with the build ({error})")
    if stale is not None:
        return NativeStatus(
            False, f"{stale} changed since the build (./scripts/bootstrap rebuilds)"
        )
    return NativeStatus(True, f"compiled by mypyc {manifest.get('mypy', '?')}")


_INPUT_NAMES = {
    "mypy_options": "pyproject.toml's [tool.mypy]",
    "packages": "the installed packages",
}


def _changed_input(recorded: dict[str, str], package_directory: Path) -> str | None:
    """What the compile read besides the sources that differs now (by its name for a reader)."""
    current = compile_inputs(package_directory)
    for key, name in _INPUT_NAMES.items():
        if recorded.get(key) != current[key]:
            return name
    return None


def _changed_source(recorded: dict[str, list[Any]], package_directory: Path) -> str | None:
    """The first source file that differs from the build's (added, removed or edited)."""
    current = {
        path.relative_to(package_directory).as_posix(): path
        for path in source_files(package_directory)
    }
    added_or_removed = sorted(current.keys() ^ recorded.keys())
    if added_or_removed:
        return added_or_removed[0]
    for relative, path in current.items():
        digest, size, modified = recorded[relative]
        stat = path.stat()
        if stat.st_size != size:
            return relative
        if stat.st_mtime_ns != modified and file_digest(path) != digest:
            return relative
    return None


def load_group(build_directory: Path = BUILD_DIRECTORY) -> str | None:
    """Load the build's shared library (every compiled module's code) as ``GROUP_MODULE``
    before any compiled module is handed out: one this machine cannot load (built where the C
    library is newer, as a tree shared with a container; a damaged file) then leaves every
    module interpreted, with the reason returned, instead of an ImportError at the kernel's
    import. None when loaded."""
    location = str(build_directory / library_name(GROUP_MODULE))
    loader = ExtensionFileLoader(GROUP_MODULE, location)
    spec = spec_from_file_location(GROUP_MODULE, location, loader=loader)
    try:
        module = module_from_spec(spec)  # type: ignore[arg-type]  # a spec for a file path
        sys.modules[GROUP_MODULE] = module
        loader.exec_module(module)
    except (ImportError, OSError) as error:
        sys.modules.pop(GROUP_MODULE, None)
        return f"the build cannot be loaded here ({error}; ./scripts/bootstrap rebuilds)"
    return None


def loadable_build(
    build_directory: Path = BUILD_DIRECTORY,
    package_directory: Path = PACKAGE_DIRECTORY,
    environment: dict[str, str] | None = None,
) -> NativeStatus:
    """``check_build``, and for a build it accepts, its shared library loaded (unless this
    process has it already): one this machine cannot load is refused with the reason."""
    state = check_build(build_directory, package_directory, environment)
    if state.compiled and GROUP_MODULE not in sys.modules:
        problem = load_group(build_directory)
        if problem is not None:
            return NativeStatus(False, problem)
    return state


class NativeFinder:
    """Finds the compiled modules in the build while it matches the sources; finds nothing
    otherwise (the usual finders then load the sources)."""

    def __init__(
        self, build_directory: Path = BUILD_DIRECTORY, package_directory: Path = PACKAGE_DIRECTORY
    ) -> None:
        self.build_directory = build_directory
        self.package_directory = package_directory
        self._names = frozenset(LIBRARY_MODULES)
        self._status: NativeStatus | None = None

    @property
    def status(self) -> NativeStatus:
        if self._status is None:
            self._status = loadable_build(self.build_directory, self.package_directory)
        return self._status

    def find_spec(self, fullname: str, path: Any = None, target: Any = None) -> ModuleSpec | None:
        if fullname not in self._names or not self.status.compiled:
            return None
        location = str(self.build_directory / library_name(fullname))
        return spec_from_file_location(
            fullname, location, loader=ExtensionFileLoader(fullname, location)
        )


def install() -> None:
    """Put the finder first on ``sys.meta_path`` (once). Costs a path check; the build is only
    checked when a compiled module is first imported."""
    if not (BUILD_DIRECTORY / MANIFEST_NAME).exists():
        return
    if not any(isinstance(finder, NativeFinder) for finder in sys.meta_path):
        sys.meta_path.insert(0, NativeFinder())


def status() -> NativeStatus:
    """Whether this process runs (or would run) the compiled modules, and why."""
    for finder in sys.meta_path:
        if isinstance(finder, NativeFinder):
            return finder.status
    state = check_build()
    if state.compiled:  # no finder: there was no build when paperdesk was imported
        return NativeStatus(False, "built after this process started (a new process loads it)")
    return state


def loaded_compiled() -> bool:
    """True when the kernel's module in this process is the compiled one."""
    module = sys.modules.get("paperdesk.engine.kernel")
    origin = getattr(module, "__file__", None) or ""
    return origin.startswith(str(BUILD_DIRECTORY))
