"""What a process keeps between ticks: at most ``capacity`` entries, the least recently kept
forgotten first, behind one lock (the tick memory and the signal cache both)."""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Generic, TypeVar

Key = TypeVar("Key")
Entry = TypeVar("Entry")


class BoundedMemory(Generic[Key, Entry]):
    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self._entries: OrderedDict[Key, Entry] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._entries)

    def _put(self, key: Key, entry: Entry) -> None:
        """Keep ``entry`` as the most recent (the caller holds ``self._lock``)."""
        self._entries[key] = entry
        self._entries.move_to_end(key)
        while len(self._entries) > self.capacity:
            self._entries.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
