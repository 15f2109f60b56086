"""The execution modes' filter (seed 002, issue 13): drop the rows a mode does not admit, rank
the rest by the mode's score, and add them greedily under the exposure cap, recording every
row's score, decision and reason.

Rules (docs/trade-plans.md):
- a mode admits a row whose ``etth_days`` is at most its limit; a row without ``etth_days``
  is dropped (its time to hit is unknown, so the limit cannot be checked);
- the score uses ``strength``; a row without it scores with ``prob_win`` (the seed's plans carry
  only ``prob_win``), and the audit says so; a row with neither is dropped;
- ranking: score descending, ties by the row's place in the file (the research pipeline's own
  order), so the same plan always gives the same result;
- the greedy pass goes through every ranked row: a row that does not fit is skipped (KEEP) or
  trimmed to the whole quantity steps that fit (TRIM), and later, smaller rows may still fit;
  a row exactly at the cap fits (the cap is "would be passed", not reached);
- exposure is the entry notional (quantity times entry price), longs and shorts alike;
- with no mode (``mode=None``) no row is dropped for its scores and the file's order ranks.

Scores are exact Decimals (``paperdesk.MONEY_PRECISION`` significant digits), so ranking never
depends on float rounding.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from decimal import ROUND_FLOOR, Decimal
from enum import StrEnum

from paperdesk.domain.errors import InvalidInputError
from paperdesk.domain.fields import field_mark
from paperdesk.plans.rows import PlanRow
from paperdesk.plans.settings import ExecutionMode, FitRule, PlanSettings

HALF = Decimal("0.5")
ETTH_LIMITS: Mapping[ExecutionMode, Decimal] = {
    ExecutionMode.INTRADAY: Decimal("2.0"),
    ExecutionMode.FAST: Decimal("3.5"),
    ExecutionMode.BALANCED: Decimal("6.0"),
    ExecutionMode.CONSERVATIVE: Decimal("10.0"),
}
FORMULAS: Mapping[ExecutionMode, str] = {
    ExecutionMode.INTRADAY: "strength / (0.5 + etth_days)",
    ExecutionMode.FAST: "strength / etth_days",
    ExecutionMode.BALANCED: "0.7 * strength + 0.3 / etth_days",
    ExecutionMode.CONSERVATIVE: "strength",
}


def score(mode: ExecutionMode, strength: Decimal, etth_days: Decimal) -> Decimal:
    """The mode's score of a row (``etth_days`` > 0)."""
    if mode is ExecutionMode.INTRADAY:
        return strength / (HALF + etth_days)
    if mode is ExecutionMode.FAST:
        return strength / etth_days
    if mode is ExecutionMode.BALANCED:
        return Decimal("0.7") * strength + Decimal("0.3") / etth_days
    return strength


class Decision(StrEnum):
    KEPT = "kept"
    TRIMMED = "trimmed"
    DROPPED = "dropped"


@dataclass(frozen=True, slots=True)
class RowDecision:
    """One row's fate: its score (None when it could not be scored), its rank among the scored
    rows (1 = first), what was decided, the quantity kept and why."""

    row: int
    ticker: str
    side: str
    qty: Decimal
    entry_price: Decimal
    score: Decimal | None
    rank: int | None
    decision: Decision
    kept_qty: Decimal
    reason: str

    @property
    def kept_notional(self) -> Decimal:
        return self.kept_qty * self.entry_price

    def as_dict(self) -> dict[str, object]:
        return {
            "row": self.row,
            "ticker": self.ticker,
            "side": self.side,
            "qty": str(self.qty),
            "entry_price": str(self.entry_price),
            "score": None if self.score is None else str(self.score),
            "rank": self.rank,
            "decision": self.decision.value,
            "kept_qty": str(self.kept_qty),
            "kept_notional": str(self.kept_notional),
            "reason": self.reason,
        }


@dataclass(frozen=True, slots=True)
class FilteredPlan:
    """The filter's output: the rows to trade (quantities trimmed where decided, in rank
    order) and the audit of every row (in file order)."""

    mode: ExecutionMode | None
    settings: PlanSettings
    capital: Decimal
    cap: Decimal
    exposure_used: Decimal  # the exposure in use before the plan plus what its rows commit
    exposure_before: Decimal
    rows: tuple[PlanRow, ...]
    decisions: tuple[RowDecision, ...]

    def audit(self) -> dict[str, object]:
        """The audit document (``audit.json``): exact amounts as strings."""
        counts = {d.value: sum(1 for x in self.decisions if x.decision is d) for d in Decision}
        return {
            "mode": None if self.mode is None else self.mode.value,
            "formula": None if self.mode is None else FORMULAS[self.mode],
            "etth_limit_days": None if self.mode is None else str(ETTH_LIMITS[self.mode]),
            "settings": self.settings.as_dict(),
            "capital": str(self.capital),
            "cap": str(self.cap),
            "exposure_before": str(self.exposure_before),
            "exposure_used": str(self.exposure_used),
            "counts": counts,
            "rows": [decision.as_dict() for decision in self.decisions],
        }


def filter_plan(
    rows: Sequence[PlanRow],
    mode: ExecutionMode | None,
    capital: Decimal,
    settings: PlanSettings | None = None,
    *,
    quantity_steps: Mapping[str, Decimal] | None = None,
    exposure_in_use: Decimal = Decimal(0),
) -> FilteredPlan:
    """Filter ``rows`` for ``mode`` on ``capital`` (see the module docstring).

    ``quantity_steps`` gives each ticker's quantity step (an instrument's lot size: 1 for
    equities, the lot for forex); a ticker not in it trades whole units. ``exposure_in_use``
    is what a portfolio already commits (its positions and working entries): the plan's rows
    share the cap with it.
    """
    settings = settings or PlanSettings()
    if not capital.is_finite() or capital <= 0:
        raise InvalidInputError(
            f"invalid value for {field_mark('capital')}: '{capital}' (expected above 0)"
        )
    steps = quantity_steps or {}
    decided: dict[int, RowDecision] = {}
    scored: list[tuple[Decimal, int, PlanRow, str]] = []
    for position, row in enumerate(rows):
        if mode is None:
            scored.append((Decimal(0), position, row, ""))
            continue
        value, note, refusal = _score_row(mode, row)
        if refusal is not None:
            decided[position] = _decision(row, None, None, Decision.DROPPED, Decimal(0), refusal)
        else:
            assert value is not None
            scored.append((value, position, row, note))
    # score descending, then the row's place in the file
    scored.sort(key=lambda item: (-item[0], item[1]))

    cap = capital * settings.exposure_cap
    per_row = capital * settings.position_fraction
    used = max(exposure_in_use, Decimal(0))
    kept: list[PlanRow] = []
    for rank, (value, position, row, note) in enumerate(scored, start=1):
        row_score = None if mode is None else value
        room = max(min(cap - used, per_row), Decimal(0))
        notional = row.notional
        step = steps.get(row.ticker, Decimal(1))
        limit_name = "the exposure cap" if cap - used <= per_row else "the position size limit"
        if notional <= room:
            quantity, decision, reason = row.qty, Decision.KEPT, "fits" + note
        elif settings.fit is FitRule.TRIM:
            quantity = _whole_steps(room / row.entry_price, step)
            if quantity > 0:
                decision = Decision.TRIMMED
                reason = f"trimmed from {row.qty} to {quantity} to fit {limit_name}" + note
            else:
                decision = Decision.DROPPED
                reason = f"not one step ({step}) fits {limit_name}" + note
        else:
            quantity, decision = Decimal(0), Decision.DROPPED
            reason = (
                f"notional {notional} is more than the {room} left under {limit_name} "
                "(quantities kept, not trimmed)" + note
            )
        if quantity > 0:
            used += quantity * row.entry_price
            kept.append(replace(row, qty=quantity))
        decided[position] = _decision(row, row_score, rank, decision, quantity, reason)
    return FilteredPlan(
        mode=mode,
        settings=settings,
        capital=capital,
        cap=cap,
        exposure_used=used,
        exposure_before=max(exposure_in_use, Decimal(0)),
        rows=tuple(kept),
        decisions=tuple(decided[position] for position in sorted(decided)),
    )


def _score_row(mode: ExecutionMode, row: PlanRow) -> tuple[Decimal | None, str, str | None]:
    """The row's score and a note, or a reason to drop it."""
    limit = ETTH_LIMITS[mode]
    if row.etth_days is None:
        return None, "", f"no etth_days: the {mode.value} limit ({limit} days) cannot be checked"
    if row.etth_days > limit:
        return None, "", f"etth_days {row.etth_days} is beyond the {mode.value} limit {limit}"
    strength, note = row.strength, ""
    if strength is None:
        if row.prob_win is None:
            return None, "", "no strength and no prob_win to score it"
        strength, note = row.prob_win, " (scored with prob_win: no strength)"
    return score(mode, strength, row.etth_days), note, None


def _whole_steps(quantity: Decimal, step: Decimal) -> Decimal:
    """``quantity`` rounded down to a whole number of ``step``s."""
    steps = (quantity / step).to_integral_value(rounding=ROUND_FLOOR)
    return steps * step if steps > 0 else Decimal(0)


def _decision(
    row: PlanRow,
    row_score: Decimal | None,
    rank: int | None,
    decision: Decision,
    quantity: Decimal,
    reason: str,
) -> RowDecision:
    return RowDecision(
        row=row.row,
        ticker=row.ticker,
        side=row.side.value,
        qty=row.qty,
        entry_price=row.entry_price,
        score=row_score,
        rank=rank,
        decision=decision,
        kept_qty=quantity,
        reason=reason,
    )
