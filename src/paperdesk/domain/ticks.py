"""What a tick did, for people (the CLI's tables) and scripts (JSON)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from paperdesk.domain.fills import Fill
from paperdesk.domain.orders import Order

DRY_RUN = "DRY RUN (nothing written)"  # how a dry tick's message begins, the one wording of it


class TickStatus(StrEnum):
    PROCESSED = "processed"
    ALREADY_PROCESSED = "already-processed"  # the idempotency guard held: nothing changed
    NO_NEW_BAR = "no-new-bar"
    REPLAY_FINISHED = "replay-finished"


@dataclass(frozen=True, slots=True)
class SignalOutcome:
    strategy: str
    direction: int
    confidence: float
    reason: str
    accepted: bool
    rejection: str | None = None


@dataclass(frozen=True, slots=True)
class BarTick:
    """One (portfolio, symbol, bar) tick for one or more strategies."""

    portfolio_id: int
    symbol: str
    status: TickStatus
    message: str
    strategies: tuple[str, ...] = ()
    ts_bar: datetime | None = None
    ts_bar_close: datetime | None = None
    close: Decimal | None = None
    signals: tuple[SignalOutcome, ...] = ()
    orders: tuple[Order, ...] = ()  # orders placed or changed by this tick
    fills: tuple[Fill, ...] = ()
    cash: Decimal | None = None
    equity: Decimal | None = None
    dry_run: bool = False
    behind: int = 0  # closed bars still waiting after this one (a catch-up continues)

    @property
    def processed(self) -> bool:
        return self.status is TickStatus.PROCESSED
