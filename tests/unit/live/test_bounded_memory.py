"""The process memory's bound: the least recently kept entry goes first, keeping again
refreshes an entry, and clearing forgets everything."""

from __future__ import annotations

from paperdesk.live.bounded_memory import BoundedMemory


class Notes(BoundedMemory[str, int]):
    def keep(self, key: str, value: int) -> None:
        with self._lock:
            self._put(key, value)

    def recall(self, key: str) -> int | None:
        with self._lock:
            return self._entries.get(key)


def test_the_least_recently_kept_entry_is_forgotten_first() -> None:
    notes = Notes(capacity=2)
    notes.keep("a", 1)
    notes.keep("b", 2)
    notes.keep("a", 3)  # refreshed: now "b" is the oldest
    notes.keep("c", 4)
    assert len(notes) == 2
    assert (notes.recall("a"), notes.recall("b"), notes.recall("c")) == (3, None, 4)


def test_clear_forgets_every_entry() -> None:
    notes = Notes(capacity=3)
    for index, key in enumerate("xyz"):
        notes.keep(key, index)
    notes.clear()
    assert len(notes) == 0
    assert notes.recall("x") is None
