"""Cursor paging over lists kept in submission order (orders, fills): a cursor is an opaque
token for the position after the last item handed out; new items only append, so a cursor
stays valid while the list grows."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Sequence
from typing import TypeVar

from paperdesk.api.errors import ApiError

T = TypeVar("T")
MAX_LIMIT = 500
DEFAULT_LIMIT = 100


def encode_cursor(position: int) -> str:
    return base64.urlsafe_b64encode(f"p:{position}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> int:
    if cursor is None:
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


def page(items: Sequence[T], cursor: str | None, limit: int) -> tuple[list[T], str | None]:
    """``limit`` items from the cursor's position, and the cursor after them (None at the end)."""
    start = decode_cursor(cursor)
    chosen = list(items[start : start + limit])
    end = start + len(chosen)
    return chosen, (encode_cursor(end) if end < len(items) else None)
