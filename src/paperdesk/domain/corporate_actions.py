"""Splits and cash dividends as a broker books them on raw prices (exact terms, no I/O)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Literal, NamedTuple

from paperdesk.domain.money import ZERO

ActionKind = Literal["split", "dividend"]


class CorporateActionTerms(NamedTuple):
    """One split or cash dividend of ``symbol``, taking effect at the ex-date's first bar.

    A split turns ``shares_before`` shares into ``shares_after`` (4 for 1: 4 and 1; a 1-for-10
    reverse split: 1 and 10). A dividend pays ``distribution`` per share held at the ex-date.
    ``last_raw_date`` is the last trading day on the old terms (the factor-file row's date) and
    ``reference_price`` that day's raw close.
    """

    symbol: str
    kind: ActionKind
    ex_date: date
    last_raw_date: date
    reference_price: Decimal
    shares_after: int = 1
    shares_before: int = 1
    distribution: Decimal = ZERO

    @property
    def description(self) -> str:
        if self.kind == "split":
            return f"{self.shares_after}-for-{self.shares_before} split of {self.symbol}"
        return f"cash dividend of {self.distribution} per {self.symbol} share"

    @property
    def price_after_split(self) -> Decimal:
        """The reference price on the new terms (what a fraction of a new share is paid at)."""
        return self.reference_price * self.shares_before / self.shares_after
