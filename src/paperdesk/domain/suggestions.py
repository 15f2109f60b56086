"""'Did you mean ...?' hints for names a user typed wrong (strategies, symbols, ids)."""

from __future__ import annotations

from collections.abc import Iterable
from difflib import get_close_matches


def closest(given: str, known: Iterable[str], *, count: int = 3) -> list[str]:
    """The known names closest to ``given`` (case-insensitive), best first."""
    names = list(dict.fromkeys(known))
    by_folded = {name.casefold(): name for name in names}
    matches = get_close_matches(given.strip().casefold(), list(by_folded), n=count, cutoff=0.6)
    return [by_folded[match] for match in matches]


def did_you_mean(given: str, known: Iterable[str], *, inline: bool = False) -> str:
    """``"; did you mean X?"`` (or ``X or Y``) when a known name is close, else ``""``;
    ``inline``: ``" (did you mean X?)"``, for the middle of a message."""
    matches = closest(given, known, count=2)
    if not matches:
        return ""
    question = f"did you mean {' or '.join(matches)}?"
    return f" ({question})" if inline else f"; {question}"


def order_id_hint(given: str, known: Iterable[str]) -> str:
    """The hint after "unknown order id": ids look like ``O10``, and the closest ones."""
    text = given.strip()
    names = list(known)
    prefixed = f"O{text}"
    if text.isdigit() and prefixed in names:
        return f"; order ids look like O10 — did you mean {prefixed}?"
    return "; order ids look like O10" + did_you_mean(text, names).replace("; did", " — did")
