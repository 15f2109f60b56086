"""The guardrails of trade-plan execution (seed 002), in one validated frozen object that the
filter, the executor and the intraday simulator all read, so a plan is judged by the same rules
wherever it runs."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from enum import StrEnum

from paperdesk.domain.errors import OptionError
from paperdesk.domain.fields import field_mark


class ExecutionMode(StrEnum):
    """How a plan's rows are chosen: each mode admits rows expected to hit within its limit
    (``etth_days``) and ranks them by its score (``paperdesk.plans.modes``)."""

    INTRADAY = "intraday"
    FAST = "fast"
    BALANCED = "balanced"
    CONSERVATIVE = "conservative"


class FitRule(StrEnum):
    """What to do with a row whose quantity does not fit under the cap: skip it (keep the
    trader's quantity or nothing) or trim it to the whole units (lots) that fit."""

    KEEP = "keep"
    TRIM = "trim"


class EntryType(StrEnum):
    """How the executor enters: a limit order at the plan's entry price (never pays more than
    planned) or a market order (fills at the next price, whatever it is)."""

    LIMIT = "limit"
    MARKET = "market"


ONE = Decimal(1)


@dataclass(frozen=True, slots=True)
class PlanSettings:
    """Guardrails, defaults per seed 002.

    - ``exposure_cap``: the share of capital all kept rows may commit together (0.8).
    - ``max_position_fraction``: the share of capital one row may commit; None means the
      exposure cap (the seed derives the position limit from the exposure).
    - ``fit``: keep a row's quantity or trim it to fit (``FitRule``).
    - ``entry_type``: the executor's entry order (``EntryType``).
    - ``stop_loss_priority``: when a stop and a target both lie inside one candle, the stop is
      taken (the simulator; never assume the better exit).
    - ``eod_close_intraday``: close INTRADAY trades at the session's end.
    - ``max_hold_days``: close a trade still open after this many days (3), unless its row
      says otherwise.
    """

    exposure_cap: Decimal = Decimal("0.8")
    max_position_fraction: Decimal | None = None
    fit: FitRule = FitRule.KEEP
    entry_type: EntryType = EntryType.LIMIT
    stop_loss_priority: bool = True
    eod_close_intraday: bool = True
    max_hold_days: Decimal = Decimal(3)

    def __post_init__(self) -> None:
        if not self.exposure_cap.is_finite() or not 0 < self.exposure_cap <= ONE:
            raise OptionError(
                f"invalid value for {field_mark('exposure_cap')}: '{self.exposure_cap}' (expected "
                "a share of capital above 0 and at most 1, e.g. 0.8)"
            )
        fraction = self.max_position_fraction
        if fraction is not None and (not fraction.is_finite() or not 0 < fraction <= ONE):
            raise OptionError(
                f"invalid value for {field_mark('max_position')}: '{fraction}' (expected a share "
                "of capital above 0 and at most 1)"
            )
        if not self.max_hold_days.is_finite() or self.max_hold_days <= 0:
            raise OptionError(
                f"invalid value for {field_mark('max_hold_days')}: '{self.max_hold_days}' "
                "(expected a number of days above 0)"
            )

    @property
    def position_fraction(self) -> Decimal:
        """The share of capital one row may commit (the cap when not set)."""
        fraction = self.max_position_fraction
        return self.exposure_cap if fraction is None else min(fraction, self.exposure_cap)

    def as_dict(self) -> dict[str, object]:
        return {
            "exposure_cap": str(self.exposure_cap),
            "max_position_fraction": str(self.position_fraction),
            "fit": self.fit.value,
            "entry_type": self.entry_type.value,
            "stop_loss_priority": self.stop_loss_priority,
            "eod_close_intraday": self.eod_close_intraday,
            "max_hold_days": str(self.max_hold_days),
        }


def parse_mode(value: str) -> ExecutionMode:
    """An execution mode from its name, any case; the error lists the modes."""
    try:
        return ExecutionMode(value.strip().lower())
    except ValueError:
        names = ", ".join(mode.value for mode in ExecutionMode)
        raise OptionError(
            f"invalid value for {field_mark('mode')}: {value!r} (expected one of {names})"
        ) from None


_SECONDS_PER_DAY = Decimal(86400)


def hold_deadline(start: datetime, days: Decimal) -> datetime:
    """``days`` (a fraction of one too: 0.5 is half a day) after ``start``: when a trade held
    since ``start`` times out (the simulator's and a paper portfolio's rule alike)."""
    return start + timedelta(seconds=float(days * _SECONDS_PER_DAY))
