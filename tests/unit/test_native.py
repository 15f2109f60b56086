"""The compiled build is loaded only while it matches the sources (``paperdesk/native.py``):
a build made from other sources, for another Python, incomplete, missing or turned off is never
used, and a compiled module never shadows its edited source."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from paperdesk import native


@pytest.fixture
def tree(tmp_path: Path) -> tuple[Path, Path]:
    """A package of three source files in a project (``tmp_path``, no ``pyproject.toml``) and a
    build made from them (placeholder libraries)."""
    package = tmp_path / "src" / "package"
    (package / "engine").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "engine" / "kernel.py").write_text("X = 1\n")
    (package / "engine" / "book.py").write_text("Y = 2\n")
    build = package / "_native"
    build.mkdir()
    for module in native.LIBRARY_MODULES:
        (build / native.library_name(module)).write_bytes(b"\0")
    _write_manifest(package, build)
    return package, build


def _write_manifest(package: Path, build: Path) -> dict[str, object]:
    recorded = native.manifest(
        native.fingerprint(package), "9.9", build, native.compile_inputs(package)
    )
    native.write_manifest(build, recorded)
    return recorded


def _check(tree: tuple[Path, Path], **environment: str) -> native.NativeStatus:
    package, build = tree
    return native.check_build(build, package, environment)


def _refused(tree: tuple[Path, Path]) -> str:
    """Why the build is not used (it must not be)."""
    state = _check(tree)
    assert not state.compiled
    return state.reason


def test_a_build_of_these_sources_is_used(tree: tuple[Path, Path]) -> None:
    assert _check(tree) == native.NativeStatus(True, "compiled by mypyc 9.9")


def test_the_build_directory_is_not_a_source(tree: tuple[Path, Path]) -> None:
    package, build = tree
    (build / "leftover.py").write_text("")
    assert _check(tree).compiled
    assert all(build not in path.parents for path in native.source_files(package))


def test_an_edited_source_makes_the_build_stale(tree: tuple[Path, Path]) -> None:
    package, _ = tree
    (package / "engine" / "book.py").write_text("Y = 3\n")  # same size, other contents
    state = _check(tree)
    assert not state.compiled
    assert state.reason.startswith("engine/book.py changed since the build")


def test_a_touched_but_unchanged_source_keeps_the_build(tree: tuple[Path, Path]) -> None:
    package, _ = tree
    source = package / "engine" / "kernel.py"
    stat = source.stat()
    os.utime(source, ns=(stat.st_atime_ns, stat.st_mtime_ns + 5_000_000_000))  # a checkout
    assert _check(tree).compiled


@pytest.mark.parametrize("change", ["added", "removed"])
def test_an_added_or_removed_source_makes_the_build_stale(
    tree: tuple[Path, Path], change: str
) -> None:
    package, _ = tree
    if change == "added":
        (package / "engine" / "new.py").write_text("")
        expected = "engine/new.py"
    else:
        (package / "engine" / "book.py").unlink()
        expected = "engine/book.py"
    state = _check(tree)
    assert not state.compiled
    assert state.reason.startswith(f"{expected} changed")


@pytest.mark.parametrize("value", ["0", "false", "off", "No"])
def test_the_switch_turns_the_build_off(tree: tuple[Path, Path], value: str) -> None:
    state = _check(tree, PAPERDESK_NATIVE=value)
    assert not state.compiled
    assert state.reason == f"turned off by PAPERDESK_NATIVE={value}"
    assert _check(tree, PAPERDESK_NATIVE="1").compiled


def test_no_build(tmp_path: Path) -> None:
    state = native.check_build(tmp_path / "_native", tmp_path, {})
    assert not state.compiled
    assert state.reason.startswith("not built")


def test_a_build_missing_a_library_is_not_used(tree: tuple[Path, Path]) -> None:
    _, build = tree
    (build / native.library_name(native.GROUP_MODULE)).unlink()
    state = _check(tree)
    assert not state.compiled
    assert native.GROUP_MODULE in state.reason


@pytest.mark.parametrize(
    ("field", "value", "words"),
    [
        ("cache_tag", "cpython-310", "another Python"),
        ("suffix", ".cpython-310-x86_64-linux-gnu.so", "another Python"),
        ("modules", ["paperdesk.engine.kernel"], "another list of modules"),
        ("version", 0, "another version"),
    ],
)
def test_a_build_made_for_something_else_is_not_used(
    tree: tuple[Path, Path], field: str, value: object, words: str
) -> None:
    package, build = tree
    recorded = _write_manifest(package, build)
    recorded[field] = value
    native.write_manifest(build, recorded)
    state = _check(tree)
    assert not state.compiled
    assert words in state.reason


def test_an_unreadable_manifest_is_not_used(tree: tuple[Path, Path]) -> None:
    _, build = tree
    (build / native.MANIFEST_NAME).write_text("{not json")
    state = _check(tree)
    assert not state.compiled
    assert "unreadable" in state.reason


def test_the_finder_answers_only_for_compiled_modules_of_a_fresh_build(
    tree: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    package, build = tree
    monkeypatch.delenv(native.SWITCH_VARIABLE, raising=False)
    monkeypatch.setattr(native, "load_group", lambda build: None)  # placeholders never load
    finder = native.NativeFinder(build, package)
    assert finder.find_spec("paperdesk.cli") is None
    spec = finder.find_spec("paperdesk.engine.kernel")
    assert spec is not None
    assert spec.origin == str(build / native.library_name("paperdesk.engine.kernel"))
    assert type(spec.loader).__name__ == "ExtensionFileLoader"
    group = finder.find_spec(native.GROUP_MODULE)
    assert group is not None
    assert group.origin is not None
    assert group.origin.endswith(native.library_name(native.GROUP_MODULE))

    (package / "engine" / "kernel.py").write_text("X = 22\n")
    stale = native.NativeFinder(build, package)
    assert stale.find_spec("paperdesk.engine.kernel") is None
    assert stale.find_spec(native.GROUP_MODULE) is None


def test_the_finder_is_installed_once() -> None:
    if not (native.BUILD_DIRECTORY / native.MANIFEST_NAME).exists():
        pytest.skip("no build here, so no finder is installed")
    finders = [finder for finder in sys.meta_path if isinstance(finder, native.NativeFinder)]
    assert len(finders) == 1
    native.install()
    assert sum(isinstance(finder, native.NativeFinder) for finder in sys.meta_path) == 1


def test_a_save_in_the_builds_last_tick_makes_it_stale(tree: tuple[Path, Path]) -> None:
    """A file written just before the build (the same time tick as a later save of the same
    size) is judged by its digest, never by a modification time the save may not change."""
    package, _ = tree
    source = package / "engine" / "book.py"
    recorded = source.stat()
    source.write_text("Y = 3\n")  # same size, saved within the file system's time tick
    os.utime(source, ns=(recorded.st_atime_ns, recorded.st_mtime_ns))
    assert _refused(tree).startswith("engine/book.py changed")


def test_an_old_files_time_is_kept(tmp_path: Path) -> None:
    (tmp_path / "old.py").write_text("")
    old = (tmp_path / "old.py").stat().st_mtime_ns - 60_000_000_000
    os.utime(tmp_path / "old.py", ns=(old, old))
    (tmp_path / "new.py").write_text("")
    entries = native.fingerprint(tmp_path)
    assert entries["old.py"][2] == old
    assert entries["new.py"][2] is None


def test_a_source_vanishing_while_compared_is_no_traceback(tree: tuple[Path, Path]) -> None:
    package, _ = tree
    source = package / "engine" / "book.py"
    source.unlink()
    source.symlink_to(package / "nowhere.py")  # listed, but gone when its size is read
    assert _refused(tree).startswith("the sources could not be compared with the build")


def test_an_editors_lock_file_is_not_a_source(tree: tuple[Path, Path]) -> None:
    package, _ = tree
    lock = package / "engine" / ".#book.py"
    lock.symlink_to("user@host.4242:1700000000")  # Emacs, while a buffer has unsaved changes
    assert lock not in native.source_files(package)
    assert "engine/.#book.py" not in native.fingerprint(package)
    assert _check(tree).compiled


def test_a_library_cut_short_is_not_loaded(tree: tuple[Path, Path]) -> None:
    """A library not the size written (a copy cut short, a second build writing it) is never
    loaded: loading a truncated library kills the process with SIGBUS, no exception."""
    _, build = tree
    (build / native.library_name(native.GROUP_MODULE)).write_bytes(b"")
    assert _refused(tree) == (
        f"the build's {native.library_name(native.GROUP_MODULE)} is not the one compiled (its size)"
    )


def test_a_build_this_machine_cannot_load_leaves_every_module_interpreted(
    tree: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A build that matches the sources but does not load here (made where the C library is
    newer, then used from a container sharing the tree): the sources, not an ImportError."""
    package, build = tree
    monkeypatch.delenv(native.SWITCH_VARIABLE, raising=False)
    monkeypatch.delitem(sys.modules, native.GROUP_MODULE, raising=False)
    finder = native.NativeFinder(build, package)
    assert finder.find_spec("paperdesk.engine.kernel") is None
    assert finder.find_spec(native.GROUP_MODULE) is None
    assert not finder.status.compiled
    assert finder.status.reason.startswith("the build cannot be loaded here (")
    assert finder.status.reason.endswith("; ./scripts/bootstrap rebuilds)")
    assert native.GROUP_MODULE not in sys.modules


def test_no_build_in_an_installed_package_names_no_bootstrap(tmp_path: Path) -> None:
    """Only a clone has ./scripts/bootstrap to advise; a wheel's user has none."""
    clone = tmp_path / "clone"
    (clone / "scripts").mkdir(parents=True)
    (clone / "scripts" / "bootstrap").write_text("")
    package = clone / "src" / "paperdesk"
    package.mkdir(parents=True)
    installed = tmp_path / "site-packages" / "paperdesk"
    installed.mkdir(parents=True)
    assert native.check_build(package / "_native", package, {}).reason == (
        "not built (./scripts/bootstrap builds it where a C compiler is installed)"
    )
    assert native.check_build(installed / "_native", installed, {}).reason == (
        "not built (an installed package carries no compiled build)"
    )


def test_a_build_made_after_the_process_started_is_not_said_to_run(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """No finder was installed (no build when paperdesk was imported): this process runs the
    sources whatever the build now is, and says so."""
    monkeypatch.setattr(
        sys, "meta_path", [f for f in sys.meta_path if not isinstance(f, native.NativeFinder)]
    )
    monkeypatch.setattr(native, "check_build", lambda: native.NativeStatus(True, "compiled"))
    assert native.status() == native.NativeStatus(
        False, "built after this process started (a new process loads it)"
    )


def test_a_changed_mypy_option_makes_the_build_stale(tree: tuple[Path, Path]) -> None:
    """mypy reads ``pyproject.toml``'s ``[tool.mypy]`` when it compiles (a plugin there changes
    the code generated): a change there, and only there, makes the build stale."""
    package, build = tree
    project = package.parent.parent / "pyproject.toml"
    project.write_text('[project]\nname = "x"\n\n[tool.mypy]\nstrict = false\n')
    assert _refused(tree).startswith("pyproject.toml's [tool.mypy] changed since the build")
    _write_manifest(package, build)
    assert _check(tree).compiled
    project.write_text('[project]\nname = "y"\n\n[tool.mypy]\nstrict = false\n')  # not mypy's
    assert _check(tree).compiled
    project.write_text(
        '[project]\nname = "y"\n\n[tool.mypy]\nstrict = false\n\n'
        '[[tool.mypy.overrides]]\nmodule = ["a"]\nalways_true = ["X"]\n'
    )
    assert _refused(tree).startswith("pyproject.toml's [tool.mypy] changed")


def test_an_upgraded_package_makes_the_build_stale(
    tree: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The compile read the installed packages' annotations: another version of one (an
    upgrade by bootstrap, a package added) makes the build stale until it is rebuilt."""
    installed = native.installed_distributions()
    upgraded = [
        "numpy-0.0.1.dist-info" if name.startswith("numpy-") else name for name in installed
    ]
    assert upgraded != installed  # numpy is installed, under its version
    monkeypatch.setattr(native, "installed_distributions", lambda: upgraded)
    assert _refused(tree) == (
        "the installed packages changed since the build (./scripts/bootstrap rebuilds)"
    )
    monkeypatch.setattr(native, "installed_distributions", lambda: installed)
    assert _check(tree).compiled


def test_the_installed_packages_are_read_with_their_versions() -> None:
    import numpy

    assert f"numpy-{numpy.__version__}.dist-info" in native.installed_distributions()
