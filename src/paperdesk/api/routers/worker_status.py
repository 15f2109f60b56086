"""The worker's last round and last tick per portfolio (the dashboard's health view)."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter
from pydantic import BaseModel, Field

from paperdesk.api.dependencies import Reader, ServicesDep
from paperdesk.api.query_parameters import QueryCheckedRoute
from paperdesk.api.schemas import ErrorOut
from paperdesk.service.worker_status import PortfolioWork

router = APIRouter(prefix="/worker", tags=["worker"], route_class=QueryCheckedRoute)
ERRORS: dict[int | str, dict[str, object]] = {status: {"model": ErrorOut} for status in (401, 403)}


class LastTickOut(BaseModel):
    symbol: str
    strategy: str
    ts_bar: datetime = Field(description="the bar's open label")
    outcome: str = Field(description="traded, neutral, rejected or signal")
    summary: str
    ts_recorded: datetime = Field(description="when the tick ran (wall clock)")


class PortfolioWorkOut(BaseModel):
    portfolio_id: int
    name: str
    held: bool = Field(description="a worker holds the portfolio's round now")
    holder: str | None = Field(description="the worker holding it (host:pid:tag), while held")
    lease_expires_at: datetime | None
    last_round_at: datetime | None = Field(description="when a worker's last round ended")
    next_due_at: datetime | None = Field(description="null: no worker has enrolled it yet")
    last_tick: LastTickOut | None
    ticks: int = Field(description="ticks recorded in all")

    @classmethod
    def of(cls, work: PortfolioWork) -> PortfolioWorkOut:
        lease = work.lease
        tick = work.last_tick
        return cls(
            portfolio_id=work.portfolio_id,
            name=work.name,
            held=work.held,
            holder=lease.holder if lease is not None and work.held else None,
            lease_expires_at=lease.expires_at if lease is not None and work.held else None,
            last_round_at=None if lease is None else lease.last_round_at,
            next_due_at=None if lease is None else lease.due_at,
            last_tick=None
            if tick is None
            else LastTickOut(
                symbol=tick.symbol,
                strategy=tick.strategy,
                ts_bar=tick.ts_bar,
                outcome=tick.outcome,
                summary=tick.summary,
                ts_recorded=tick.ts_recorded,
            ),
            ticks=work.ticks,
        )


class WorkerStatusOut(BaseModel):
    as_of: datetime = Field(description="the server's clock when read")
    portfolios: list[PortfolioWorkOut] = Field(description="active portfolios the key sees")


@router.get("", response_model=WorkerStatusOut, responses=ERRORS)
def worker_status(container: ServicesDep, key: Reader) -> WorkerStatusOut:
    """Each active portfolio the key may see: the worker's lease (held now, last round, next
    due) and the last tick recorded."""
    now = container.clock.now()
    works = container.operations.worker_status(key.sees, now)
    return WorkerStatusOut(as_of=now, portfolios=[PortfolioWorkOut.of(w) for w in works])
