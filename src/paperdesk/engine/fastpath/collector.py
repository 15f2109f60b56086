"""Pausing Python's cyclic garbage collector while the fast path makes many acyclic objects."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused() -> Iterator[None]:
    """The cyclic collector off inside (as it was after): the loops' integer lists and the
    result's tuples hold no cycles, and the collector would otherwise walk every one of them
    again and again as they accumulate. Reference counting still frees what is dropped."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
