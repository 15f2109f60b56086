"""The console script's process leaves its objects out of the interpreter's shutdown
collections (``gc.freeze`` at exit): after a CSV import they walked the 100,000-odd objects of
the loaded modules several times over, 0.1-0.2 s of CPU for nothing."""

from __future__ import annotations

import subprocess
import sys

# a handler registered before ``main()`` runs after the ones it registers (last in, first out)
PROBE = """
import atexit, gc, sys
atexit.register(lambda: print("frozen", gc.get_freeze_count() > 0))
sys.argv = ["paperdesk", *sys.argv[1:]]
from paperdesk.cli import main
main()
"""


def run(*arguments: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", PROBE, *arguments], capture_output=True, text=True, check=False
    )


def test_the_objects_are_frozen_at_exit_after_a_command() -> None:
    done = run("--version")
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1] == "frozen True"


def test_and_after_a_refused_one() -> None:
    done = run("data", "import", "/nonexistent/bars.csv", "--symbol", "XYZ")
    assert done.returncode != 0
    assert done.stdout.splitlines()[-1] == "frozen True"
