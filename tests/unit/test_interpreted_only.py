"""The tests that need the interpreted kernel (``tests/interpreted.py``) run, all of them, in a
fresh pytest process with ``PAPERDESK_NATIVE=0`` when this process runs the compiled kernel."""

from __future__ import annotations

import ast
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from interpreted import INTERPRETED_MODULES
from paperdesk import native

ROOT = Path(__file__).resolve().parents[2]


def _marked(path: Path) -> bool:
    """Whether the module sets ``pytestmark`` to (a list holding) INTERPRETED_ONLY."""
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Assign) and any(
            isinstance(target, ast.Name) and target.id == "pytestmark" for target in node.targets
        ):
            return "INTERPRETED_ONLY" in ast.unparse(node.value)
    return False


def test_the_listed_modules_are_exactly_the_marked_ones() -> None:
    marked = sorted(
        path.relative_to(ROOT).as_posix()
        for path in (ROOT / "tests").rglob("test_*.py")
        if _marked(path)
    )
    assert marked == sorted(INTERPRETED_MODULES)


def test_the_marked_tests_pass_on_the_interpreted_kernel() -> None:
    if not native.status().compiled:
        pytest.skip("this process runs the interpreted kernel: the marked tests run in place")
    completed = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "-p",
            "no:randomly",
            "-rs",
            *INTERPRETED_MODULES,
        ],
        cwd=ROOT,
        env={**os.environ, native.SWITCH_VARIABLE: "0"},
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    output = completed.stdout + completed.stderr
    assert completed.returncode == 0, output
    summary = re.search(r"(\d+) passed", output)
    assert summary is not None, output
    assert int(summary.group(1)) >= 10, output
    assert "skipped" not in output, output  # every marked test ran there
