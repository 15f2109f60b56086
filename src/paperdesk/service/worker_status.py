"""What the worker has done for each active portfolio, for the dashboard's health view: its
work lease (who holds the round, when the last one ran, when the next is due) and the last
tick recorded (by the worker, ``POST /ticks`` or ``paperdesk run``: the tick records do not say
who ran them, the lease's ``last_round_at`` is the worker's own)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from paperdesk.domain.leases import WorkLease
from paperdesk.domain.records import TickRunView
from paperdesk.store import Database


@dataclass(frozen=True, slots=True)
class PortfolioWork:
    portfolio_id: int
    name: str
    lease: WorkLease | None  # None: no worker has enrolled the portfolio yet
    held: bool  # a worker holds its round now (the lease is taken and not expired)
    last_tick: TickRunView | None
    ticks: int


def worker_status(
    database: Database, visible: Callable[[int], bool], now: datetime
) -> list[PortfolioWork]:
    """The active portfolios ``visible`` allows, by id, read in one transaction."""
    with database.reading() as repository:
        leases = {lease.portfolio_id: lease for lease in repository.leases.all()}
        result = []
        for record in repository.portfolios():
            if record.status != "active" or not visible(record.id):
                continue
            lease = leases.get(record.id)
            held = (
                lease is not None
                and lease.holder is not None
                and lease.expires_at is not None
                and lease.expires_at > now
            )
            last = repository.tick_runs(record.id, limit=1)
            result.append(
                PortfolioWork(
                    portfolio_id=record.id,
                    name=record.name,
                    lease=lease,
                    held=held,
                    last_tick=last[-1] if last else None,
                    ticks=repository.count("ticks", record.id),
                )
            )
        return result
