"""The assumptions of one plan simulation, all explicit: costs, entry order, holding limits."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from paperdesk.data.calendars import session_close
from paperdesk.domain import Instrument, InvalidInputError
from paperdesk.execution import NoFee, NoSlippage
from paperdesk.execution.costs import CostModels
from paperdesk.execution.expiry import SessionClose
from paperdesk.plans.settings import EntryType, ExecutionMode, PlanSettings

DEFAULT_MAX_HOLD_DAYS = Decimal(3)


@dataclass(frozen=True, slots=True)
class SimulationRules:
    """The assumptions of a simulation.

    - ``entry``: a limit order at the row's ``entry_price``, a DAY order from
      ``entry_datetime`` to that session's close, filled by the engine's limit rule (at the
      open when a candle opens through it, else at the limit when a candle trades through it;
      no slippage), or a market order (the open of the first candle at or after
      ``entry_datetime``, slippage paid; ``entry_price`` is then only the plan's reference).
    - ``costs``: the engine's fee and slippage models (the same objects a backtest uses).
    - ``instruments``: each ticker's tick, lot, multiplier and calendar.
    - ``max_hold_days``: the timeout of a row without its own ``max_hold_days``.
    - ``end_of_day_close``: INTRADAY mode; a trade still open at its session's last candle
      closes at that candle's close.
    - ``stop_loss_first``: a candle that touched both the stop-loss and the take-profit (and
      that finer bars, if given, could not decide) exits at the stop-loss (the conservative
      rule, the engine's); False takes the take-profit instead (the optimistic bound, for
      measuring how much the assumption matters).
    - ``default_entry_time``: the entry time of rows without ``entry_datetime`` (the plan
      date's open).
    - ``session_close``: the calendar's session close (injected so tests may fix it).
    """

    costs: CostModels = field(default_factory=lambda: CostModels(NoFee(), NoSlippage()))
    instruments: Mapping[str, Instrument] = field(default_factory=dict)
    entry: EntryType = EntryType.LIMIT
    max_hold_days: Decimal = DEFAULT_MAX_HOLD_DAYS
    end_of_day_close: bool = False
    stop_loss_first: bool = True
    default_entry_time: datetime | None = None
    session_close: SessionClose = session_close

    def __post_init__(self) -> None:
        if not self.max_hold_days.is_finite() or self.max_hold_days <= 0:
            raise InvalidInputError(
                f"max hold days must be a positive number of days, got {self.max_hold_days}"
            )
        moment = self.default_entry_time
        if moment is not None and (moment.tzinfo is None or moment.utcoffset() is None):
            raise InvalidInputError(f"default entry time {moment!r} must be timezone-aware")

    def instrument(self, ticker: str) -> Instrument:
        """The ticker's instrument; one not given is a US equity (tick 0.01, XNYS)."""
        known = self.instruments.get(ticker)
        return known if known is not None else Instrument.equity(ticker)

    @classmethod
    def from_settings(
        cls,
        settings: PlanSettings,
        mode: ExecutionMode | None,
        *,
        costs: CostModels | None = None,
        instruments: Mapping[str, Instrument] | None = None,
        default_entry_time: datetime | None = None,
    ) -> SimulationRules:
        """The rules the plan guardrails imply: the EOD close in INTRADAY mode (when the
        settings keep it on; no mode, no EOD close), their max hold, entry type and
        same-candle priority (``PlanSettings.stop_loss_priority``)."""
        return cls(
            costs=costs or CostModels(NoFee(), NoSlippage()),
            instruments=dict(instruments or {}),
            entry=settings.entry_type,
            max_hold_days=settings.max_hold_days,
            end_of_day_close=settings.eod_close_intraday and mode is ExecutionMode.INTRADAY,
            stop_loss_first=settings.stop_loss_priority,
            default_entry_time=default_entry_time,
        )
