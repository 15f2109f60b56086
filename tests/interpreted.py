"""Tests that look inside the kernel's classes (a spy on a method, a fake in place of the order
book) need its interpreted modules: a compiled class's methods cannot be patched and its
arguments are type-checked. Such a module sets ``pytestmark = INTERPRETED_ONLY``; in a process
running the compiled kernel its tests are skipped here and run instead, all of them, in a fresh
pytest process on the interpreted modules (``tests/unit/test_interpreted_only.py``), so they
never go unrun (``paperdesk/native.py``)."""

from __future__ import annotations

import pytest

from paperdesk import native

# The modules marked (by path from the repository root); test_interpreted_only.py runs them.
INTERPRETED_MODULES: tuple[str, ...] = (
    "tests/unit/execution/test_simulated_venue.py",
    "tests/unit/service/test_order_desk_checks_once.py",
)

INTERPRETED_ONLY = pytest.mark.skipif(
    native.status().compiled,
    reason="spies on or fakes the kernel's classes: run on the interpreted modules by "
    "tests/unit/test_interpreted_only.py",
)
