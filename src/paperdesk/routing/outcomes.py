"""What a sizing or risk stage returns besides a plain answer: a rejection or an adjustment."""

from __future__ import annotations

from dataclasses import dataclass, field

from paperdesk.domain import OrderIntent


@dataclass(frozen=True, slots=True)
class Rejection:
    """The stage refuses the signal or order; ``reason`` names the values that decided it."""

    reason: str
    code: str = field(default="", compare=False)  # the rule, for machines (insufficient_cash...)


@dataclass(frozen=True, slots=True)
class Adjusted:
    """The stage lets the order through changed (e.g. a trimmed quantity) and says why:
    ``notes`` for the trimmed entry, ``limits`` the rules' own words without the trim (what a
    refused person's order quotes beside the quantity that would fit)."""

    intent: OrderIntent
    notes: tuple[str, ...]
    code: str = field(default="", compare=False)
    limits: tuple[str, ...] = field(default=(), compare=False)


RiskOutcome = OrderIntent | Adjusted | Rejection
