"""The fast path pauses the cyclic garbage collector around its acyclic work, and leaves it as
it found it."""

from __future__ import annotations

import gc

import pytest

from paperdesk.collector import collector_paused

pytestmark = pytest.mark.usefixtures("collector_restored")


def test_paused_inside_and_enabled_again_after_even_on_error() -> None:
    gc.enable()
    with collector_paused():
        assert not gc.isenabled()
    assert gc.isenabled()
    with pytest.raises(RuntimeError), collector_paused():
        raise RuntimeError("boom")
    assert gc.isenabled()


def test_a_collector_already_off_stays_off() -> None:
    gc.disable()
    with collector_paused():
        assert not gc.isenabled()
    assert not gc.isenabled()


def test_as_a_decorator_each_call_is_paused() -> None:
    gc.enable()

    @collector_paused()
    def state() -> bool:
        return gc.isenabled()

    assert state() is False
    assert state() is False
    assert gc.isenabled()


class _Made:
    """An object the collector tracks (it has a ``__dict__``)."""


def _generation_of(made: object) -> int | None:
    for generation in range(3):
        if any(tracked is made for tracked in gc.get_objects(generation)):
            return generation
    return None


def test_aged_the_objects_made_inside_go_to_the_oldest_generation() -> None:
    gc.enable()
    with collector_paused(age=True):
        made = _Made()
        assert _generation_of(made) == 0
    assert _generation_of(made) == 2
    assert gc.isenabled()


def test_aged_garbage_made_before_is_collected_on_the_way_in_not_aged() -> None:
    gc.enable()
    cycle: list[object] = []
    cycle.append(cycle)
    del cycle
    with collector_paused(age=True):
        assert gc.collect(0) == 0  # the young generations were collected on the way in


def test_aged_nothing_moves_when_something_is_frozen() -> None:
    gc.enable()
    kept = _Made()
    gc.freeze()
    try:
        with collector_paused(age=True):
            made = _Made()
        assert _generation_of(made) == 0  # still young: the frozen ones stay frozen
        assert gc.get_freeze_count() > 0
        assert _generation_of(kept) is None  # frozen: in no generation
    finally:
        gc.unfreeze()
