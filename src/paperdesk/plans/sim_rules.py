"""The assumptions of one plan simulation, all explicit: costs, entry order, holding limits."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from paperdesk.data.calendars import session_close
from paperdesk.domain import Instrument, InvalidInputError
from paperdesk.execution import NoFee, NoSlippage
from paperdesk.execution.costs import CostModels
from paperdesk.execution.expiry import SessionClose

DEFAULT_MAX_HOLD_DAYS = Decimal(3)


class EntryOrder(StrEnum):
    """How a row's ``entry_price`` is used.

    ``limit``: a DAY limit order at ``entry_price`` from ``entry_datetime`` to the session's
    close, filled by the engine's limit rule (at the open when a candle opens through it, else at
    the limit when the candle trades through it), no slippage. ``market``: a market order at
    ``entry_datetime``, filled at the open of the first candle at or after it, slippage paid;
    ``entry_price`` is then only the plan's reference."""

    LIMIT = "limit"
    MARKET = "market"


@dataclass(frozen=True, slots=True)
class SimulationRules:
    """``costs``: the engine's fee and slippage models (the same objects a backtest uses);
    ``instruments``: each ticker's tick, lot, multiplier and calendar; ``max_hold_days``: the
    timeout a row without its own ``max_hold_days`` gets; ``end_of_day_close``: INTRADAY mode,
    a trade still open at its session's last candle closes at that candle's close;
    ``default_entry_time``: the entry time of rows without ``entry_datetime`` (the plan date's
    open); ``session_close``: the calendar's session close (injected so tests may fix it)."""

    costs: CostModels = field(default_factory=lambda: CostModels(NoFee(), NoSlippage()))
    instruments: Mapping[str, Instrument] = field(default_factory=dict)
    entry: EntryOrder = EntryOrder.LIMIT
    max_hold_days: Decimal = DEFAULT_MAX_HOLD_DAYS
    end_of_day_close: bool = False
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
