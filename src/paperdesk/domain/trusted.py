"""Building a NamedTuple from its full field values without a Python frame.

``cls._make`` and a NamedTuple's generated ``__new__`` each run a Python function (``_make`` also
checks the length); the event kernel builds several such records per fill (order copies, events,
fills), so its hot paths build them with ``tuple.__new__`` directly. A caller passes every field,
in order: the layout is the caller's to keep (``tests/unit/domain/test_trusted.py`` checks the
makers give what the classes' own constructors give).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import partial
from typing import Any, TypeVar, cast

_Record = TypeVar("_Record", bound=tuple[Any, ...])


def trusted_maker(cls: type[_Record]) -> Callable[[Iterable[Any]], _Record]:
    """``cls._make`` without its Python frame and length check (every field must be given)."""
    return cast(Callable[[Iterable[Any]], _Record], partial(tuple.__new__, cls))
