"""Pausing Python's cyclic garbage collector around work that makes many acyclic objects (the
fast path's loops, the backtest driver, a CSV import's command)."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused(*, age: bool = False) -> Iterator[None]:
    """The cyclic collector off inside (as it was after): the loops' integer lists and the
    result's tuples hold no cycles, and the collector would otherwise walk every one of them
    again and again as they accumulate. Reference counting still frees what is dropped.

    ``age``: on the way out, every object the collector tracks goes to its oldest generation
    (``gc.freeze`` then ``gc.unfreeze``, two list splices), so the objects made inside are not
    walked at once by the first young collection after the pause (all of them are young then:
    a whole run's orders and fills); full collections still walk them. The young generations
    are collected on the way in (when the collector is on), so no garbage made before the pause
    is aged with them; skipped on the way out when something is frozen already (``unfreeze``
    would release it too)."""
    enabled = gc.isenabled()
    if age and enabled:
        gc.collect(1)
    gc.disable()
    try:
        yield
    finally:
        if age and gc.get_freeze_count() == 0:
            gc.freeze()
            gc.unfreeze()
        if enabled:
            gc.enable()
