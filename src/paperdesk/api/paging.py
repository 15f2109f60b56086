"""Cursor paging over lists kept in submission order (orders, fills): a cursor is an opaque
token for the position, in the whole unfiltered list, after the last item handed out; new items
only append, so a cursor stays valid while the list grows, and an item leaving a filter (an
open order that fills) moves no other item's position, so no page skips or repeats one."""

from __future__ import annotations

import base64
import binascii
import itertools
from collections.abc import Callable, Sequence
from typing import TypeVar

from paperdesk.api.errors import ApiError

T = TypeVar("T")
MAX_LIMIT = 500
DEFAULT_LIMIT = 100


def encode_cursor(position: int) -> str:
    return base64.urlsafe_b64encode(f"p:{position}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> int:
    """The position a cursor names; no cursor, or an empty one (``cursor=``), is the start."""
    if not cursor:
        return 0
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode("ascii")
        tag, _, number = text.partition(":")
        if tag != "p" or not number.isdigit():
            raise ValueError(text)
        return int(number)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise ApiError(
            422, "invalid_cursor", f"cursor: {cursor[:40]!r} is not a cursor this API gave"
        ) from None


def page(
    items: Sequence[T],
    cursor: str | None,
    limit: int,
    keep: Callable[[T], bool] | None = None,
) -> tuple[list[T], str | None]:
    """``limit`` items that ``keep`` accepts from the cursor's position, and the cursor after
    the last of them (None when no accepted item follows).

    Positions count every item of ``items``, kept or not: a cursor taken from a filtered page
    (open orders) still names the same place after an item before or after it left the filter.
    """
    position = decode_cursor(cursor)
    chosen: list[T] = []
    while position < len(items) and len(chosen) < limit:
        if keep is None or keep(items[position]):
            chosen.append(items[position])
        position += 1
    more = position < len(items)
    if keep is not None:
        more = any(keep(item) for item in itertools.islice(items, position, None))
    return chosen, (encode_cursor(position) if more else None)
