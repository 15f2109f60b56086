"""Compile the event kernel's hot modules with mypyc into src/paperdesk/_native/ (run by
./scripts/bootstrap; see paperdesk/native.py and docs/kernel-speed.md, "The compiled build").

    .venv/bin/python scripts/compile_native.py [--force]

Skips the work when the build already matches the sources. Without mypyc or a C compiler it says
so and leaves the kernel interpreted (exit 0), except under CI=true, where the compiled build is
required (exit 1), so that the suite proves what users run.
"""

from __future__ import annotations

import argparse
import os
import shlex
import shutil
import sys
import sysconfig
import tempfile
import time
from collections.abc import Iterator
from contextlib import chdir, contextmanager
from importlib.machinery import EXTENSION_SUFFIXES
from pathlib import Path

SOURCE_ROOT = Path(__file__).resolve().parent.parent / "src"
sys.path.insert(0, str(SOURCE_ROOT))
# The user's switch, read before this process turns it off for itself (it compiles the build,
# it never loads it): PAPERDESK_NATIVE=0 skips the compile too.
USER_SWITCH = os.environ.get("PAPERDESK_NATIVE", "")
os.environ["PAPERDESK_NATIVE"] = "0"

from paperdesk import native  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--force", action="store_true", help="compile even when up to date")
    arguments = parser.parse_args()
    started = time.monotonic()
    required = os.environ.get("CI") == "true"
    build = native.BUILD_DIRECTORY
    if native.turned_off({native.SWITCH_VARIABLE: USER_SWITCH}):
        print(
            f"compile_native: not compiled ({native.SWITCH_VARIABLE}={USER_SWITCH}: the event "
            "kernel runs interpreted)"
        )
        return 0
    current = native.loadable_build(build, environment={})
    if current.compiled and not arguments.force:
        print(f"compile_native: the compiled kernel is up to date ({current.reason})")
        return 0
    missing = _missing_tools()
    if missing:
        print(f"compile_native: {missing}; {_outcome(required)}", file=sys.stderr)
        return 1 if required else 0
    build.mkdir(exist_ok=True)
    with _one_compile_at_a_time(build):
        current = native.loadable_build(build, environment={})
        if current.compiled and not arguments.force:  # made by the compile this one waited for
            print(f"compile_native: the compiled kernel is up to date ({current.reason})")
            return 0
        print(
            "compile_native: compiling the event kernel with mypyc (about a minute, once) ...",
            flush=True,
        )
        log = build / "build.log"
        try:
            with _output_to(log):
                _compile()
        except (Exception, SystemExit) as error:  # mypyc ends a failed type check in sys.exit(1)
            tail = log.read_text(encoding="utf-8", errors="replace").splitlines()[-15:]
            print("\n".join(tail), file=sys.stderr)
            print(
                f"compile_native: the compile failed ({_described(error)}; the whole output is "
                f"in {log}); {_outcome(required)}",
                file=sys.stderr,
            )
            return 1 if required else 0
        after = native.check_build(build, environment={})
    print(f"compile_native: {after.reason} in {time.monotonic() - started:.0f} s")
    return 0 if after.compiled or not required else 1


@contextmanager
def _one_compile_at_a_time(build: Path) -> Iterator[None]:
    """Two bootstraps at once in one tree compile one after the other, never both writing the
    build's files (the second then finds the build up to date and stops)."""
    from filelock import FileLock, Timeout

    lock = FileLock(build / ".lock")
    try:
        lock.acquire(timeout=0)
    except Timeout:
        print("compile_native: waiting for the compile running in this tree ...", flush=True)
        lock.acquire()
    try:
        yield
    finally:
        lock.release()


def _described(error: BaseException) -> str:
    if isinstance(error, SystemExit):  # mypyc's own exit: its messages are in the log's tail
        return f"mypyc stopped with exit status {error.code}"
    return str(error)


def _outcome(required: bool) -> str:
    if required:
        return "CI=true requires the compiled event kernel: failing"
    return "the event kernel runs interpreted (same results, slower)"


@contextmanager
def _output_to(log: Path) -> Iterator[None]:
    """Send this process's and the compiler's output (file descriptors 1 and 2) to ``log``."""
    sys.stdout.flush()
    sys.stderr.flush()
    saved = os.dup(1), os.dup(2)
    with log.open("wb") as sink:
        os.dup2(sink.fileno(), 1)
        os.dup2(sink.fileno(), 2)
        try:
            yield
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os.dup2(saved[0], 1)
            os.dup2(saved[1], 2)
            os.close(saved[0])
            os.close(saved[1])


def _missing_tools() -> str | None:
    try:
        import mypyc.build  # noqa: F401
        import setuptools  # noqa: F401
    except ImportError as error:
        return f"mypyc or setuptools is not installed ({error.name})"
    # the compiler setuptools runs: $CC when set, else the one Python was built with
    compiler = shlex.split(os.environ.get("CC") or sysconfig.get_config_var("CC") or "cc")[0]
    if shutil.which(compiler) is None:
        return f"no C compiler ({compiler}) on PATH"
    if not Path(sysconfig.get_paths()["include"], "Python.h").is_file():
        return "the Python headers (Python.h) are not installed"
    return None


def _compile() -> None:
    import mypy.version
    from mypyc.build import mypycify
    from setuptools import Distribution

    sources = native.fingerprint()  # before compiling: an edit meanwhile makes the build stale
    files = [module.replace(".", "/") + ".py" for module in native.NATIVE_MODULES]
    build = native.BUILD_DIRECTORY
    with tempfile.TemporaryDirectory(prefix="paperdesk-native-") as scratch, chdir(SOURCE_ROOT):
        extensions = mypycify(
            # mypy's cache in the scratch folder: nothing of the build is left in src/
            ["--ignore-missing-imports", "--cache-dir", str(Path(scratch, "mypy")), *files],
            opt_level="3",
            group_name=native.GROUP_NAME,
            target_dir=str(Path(scratch, "c")),
        )
        distribution = Distribution({"name": "paperdesk-native", "ext_modules": extensions})
        distribution.script_args = [
            "build_ext",
            "--build-lib",
            str(Path(scratch, "lib")),
            "--build-temp",
            str(Path(scratch, "temp")),
        ]
        distribution.parse_command_line()
        distribution.run_commands()
        built = Path(scratch, "lib")
        build.mkdir(exist_ok=True)
        (build / native.MANIFEST_NAME).unlink(missing_ok=True)  # stale until the new one lands
        for module in native.LIBRARY_MODULES:
            produced = built / (module.replace(".", "/") + EXTENSION_SUFFIXES[0])
            target = build / native.library_name(module)
            staged = target.with_name(target.name + ".new")
            shutil.copyfile(produced, staged)
            staged.replace(target)  # a running process keeps the file it mapped
    native.write_manifest(build, native.manifest(sources, mypy.version.__version__, build))


if __name__ == "__main__":
    sys.exit(main())
