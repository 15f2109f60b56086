"""The filters that remember accepted signals across bars (a cooldown): the protocol the router
drives them by, and finding them inside a filter rule. Interpreted (mypyc does not compile a
``runtime_checkable`` protocol); the filters themselves are compiled (``routing.filters``)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Protocol, runtime_checkable

from paperdesk.domain import Signal
from paperdesk.routing.filters import CompositeFilter, FilterRule


@runtime_checkable
class SignalMemory(Protocol):
    """A filter that remembers accepted signals across bars (the router drives both calls)."""

    def advance(self, bar_index: int) -> None:
        """Tell the filter which bar the next signals belong to."""

    def remember(self, signal: Signal) -> None:
        """Tell the filter that ``signal`` was accepted on the current bar."""

    def restore(self, symbol: str, bar_index: int) -> None:
        """Recall that a ``symbol`` signal was accepted at ``bar_index`` (a persisted run)."""


def signal_memories(rule: FilterRule) -> Iterator[SignalMemory]:
    """Every filter inside ``rule`` (composites opened) that remembers accepted signals."""
    if isinstance(rule, CompositeFilter):
        for inner in rule.rules:
            yield from signal_memories(inner)
    elif isinstance(rule, SignalMemory):
        yield rule
