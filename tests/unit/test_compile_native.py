"""scripts/compile_native.py (run by ./scripts/bootstrap): a machine that cannot compile gets one
clear line and the interpreted kernel, a failed compile never stops a user's bootstrap (only
CI's), and two compiles in one tree never write the build together."""

from __future__ import annotations

import importlib.util
import os
import sys
import threading
import time
from pathlib import Path
from types import ModuleType

import pytest

from paperdesk import native

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "compile_native.py"


def _load(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, switch: str) -> ModuleType:
    """The script as a module, imported with the user's switch ``switch``, its build directory a
    scratch one (the tree's is never touched); what it sets at import (the switch, sys.path) is
    undone after the test."""
    monkeypatch.setenv(native.SWITCH_VARIABLE, switch)
    monkeypatch.setattr(sys, "path", list(sys.path))
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.setattr(native, "BUILD_DIRECTORY", tmp_path / "_native")
    monkeypatch.setattr(sys, "argv", [str(SCRIPT)])
    spec = importlib.util.spec_from_file_location("compile_native_under_test", SCRIPT)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def script(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> ModuleType:
    return _load(monkeypatch, tmp_path, "1")  # the user's switch: on


def test_the_compiler_in_cc_is_the_one_looked_for(
    script: ModuleType, monkeypatch: pytest.MonkeyPatch
) -> None:
    """setuptools runs $CC: when it names no compiler, say so at once (not after a minute of
    mypyc and a page of the failed command)."""
    monkeypatch.setenv("CC", "/nonexistent/cc -O2")
    assert script._missing_tools() == "no C compiler (/nonexistent/cc) on PATH"


@pytest.mark.parametrize(("ci", "status"), [(None, 0), ("true", 1)])
def test_a_failed_type_check_leaves_the_kernel_interpreted(
    script: ModuleType,
    monkeypatch: pytest.MonkeyPatch,
    capfd: pytest.CaptureFixture[str],
    ci: str | None,
    status: int,
) -> None:
    """mypyc ends a failed type check (an edit it rejects) with sys.exit(1): bootstrap goes on
    with the interpreted kernel and shows why, except under CI."""
    import mypyc.build

    def rejects(*arguments: object, **options: object) -> None:
        # mypy's report, on the file descriptor the script sends to the build's log
        os.write(1, b"paperdesk/routing/risk.py:1: error: Incompatible types in assignment\n")
        sys.exit(1)

    if ci is not None:
        monkeypatch.setenv("CI", ci)
    monkeypatch.setattr(script, "_missing_tools", lambda: None)
    monkeypatch.setattr(mypyc.build, "mypycify", rejects)
    assert script.main() == status
    error = capfd.readouterr().err
    assert "risk.py:1: error: Incompatible types" in error
    assert "the compile failed (mypyc stopped with exit status 1;" in error
    if ci is None:
        assert error.rstrip().endswith("the event kernel runs interpreted (same results, slower)")
    else:
        assert error.rstrip().endswith("CI=true requires the compiled event kernel: failing")
    assert not (native.BUILD_DIRECTORY / native.MANIFEST_NAME).exists()


def test_a_second_compile_waits_and_finds_the_first_ones_build(
    script: ModuleType, monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]
) -> None:
    from filelock import FileLock

    compiled: list[bool] = []
    monkeypatch.setattr(script, "_missing_tools", lambda: None)
    monkeypatch.setattr(script, "_compile", lambda: compiled.append(True))
    monkeypatch.setattr(native, "load_group", lambda build: None)  # placeholders never load
    build = native.BUILD_DIRECTORY
    build.mkdir()
    answers: list[int] = []
    with FileLock(build / ".lock"):  # a first compile is running
        second = threading.Thread(target=lambda: answers.append(script.main()))
        second.start()
        deadline = time.monotonic() + 30
        while "waiting for the compile" not in capfd.readouterr().out:
            assert time.monotonic() < deadline, "the second compile did not wait"
            time.sleep(0.05)
        # the first compile lands its build (placeholder libraries, these sources' manifest)
        for module in native.LIBRARY_MODULES:
            (build / native.library_name(module)).write_bytes(b"\0")
        native.write_manifest(build, native.manifest(native.fingerprint(), "9.9", build))
    second.join(timeout=30)
    assert answers == [0]
    assert compiled == []
    assert "the compiled kernel is up to date (compiled by mypyc 9.9)" in capfd.readouterr().out


def test_a_build_that_does_not_load_here_is_compiled_again(
    script: ModuleType, monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]
) -> None:
    """Bootstrap on the machine that cannot load the build compiles it again (else the kernel
    would stay interpreted there, with the advice to run bootstrap, forever)."""
    compiled: list[bool] = []
    monkeypatch.setattr(script, "_missing_tools", lambda: None)
    monkeypatch.setattr(script, "_compile", lambda: compiled.append(True))
    monkeypatch.delitem(sys.modules, native.GROUP_MODULE, raising=False)
    build = native.BUILD_DIRECTORY
    build.mkdir()
    for module in native.LIBRARY_MODULES:
        (build / native.library_name(module)).write_bytes(b"\0")  # matches, never loads
    native.write_manifest(build, native.manifest(native.fingerprint(), "9.9", build))
    assert native.check_build(build, environment={}).compiled
    assert script.main() == 0
    assert compiled == [True]
    assert "compiling the event kernel" in capfd.readouterr().out


def test_the_switch_off_skips_the_compile(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    """A user who turned the build off (PAPERDESK_NATIVE=0) does not pay bootstrap's minute of
    compiling; nothing is built."""
    module = _load(monkeypatch, tmp_path, "off")
    monkeypatch.setattr(module, "_compile", lambda: pytest.fail("compiled though turned off"))
    assert module.main() == 0
    assert "not compiled (PAPERDESK_NATIVE=off" in capfd.readouterr().out
    assert not (tmp_path / "_native").exists()
