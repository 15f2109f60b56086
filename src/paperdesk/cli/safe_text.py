"""Text from the ledger made safe for a terminal: control characters (escape codes, bells,
carriage returns) are shown escaped, e.g. ``\\x1b``, never sent raw."""

from __future__ import annotations


def printable(text: str) -> str:
    """``text`` with every non-printable character written as its escape (``\\x1b``,
    ``\\n``); printable text, accents included, is unchanged."""
    if text.isprintable():
        return text
    return "".join(char if char.isprintable() else repr(char)[1:-1] for char in text)
