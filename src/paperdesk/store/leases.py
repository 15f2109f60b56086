"""The worker's work leases: claim a due portfolio, renew the claim, hand it back.

A claim is one short transaction: ``SELECT ... FOR UPDATE SKIP LOCKED`` picks the first due
portfolio whose lease is free or expired (rows another worker is claiming at that instant are
skipped, not waited for), then writes this worker's name and an expiry. The work itself runs
in the ticks' own transactions, so a lease is a promise, not a database lock: a worker that
dies keeps it only until it expires, and the tick records' uniqueness stays the last guard
against a double tick. SQLite ignores ``FOR UPDATE``; its one writer serialises the claims.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from paperdesk.domain.leases import WorkLease
from paperdesk.store.models import PortfolioRow, WorkLeaseRow


class WorkLeaseRepository:
    """The ``work_leases`` table, inside one transaction."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def enrol(self, due_at: datetime, portfolio_ids: Iterable[int] | None = None) -> None:
        """Give every active portfolio (of ``portfolio_ids``, if given) a lease row, due at
        ``due_at``; rows that exist are left alone (two workers enrolling at once is fine)."""
        active = select(PortfolioRow.id).where(PortfolioRow.status == "active")
        if portfolio_ids is not None:
            active = active.where(PortfolioRow.id.in_(list(portfolio_ids)))
        known = select(WorkLeaseRow.portfolio_id)
        unknown = active.where(PortfolioRow.id.not_in(known))
        missing = list(self._session.scalars(unknown))
        if not missing:
            return
        rows = [{"portfolio_id": pid, "next_due_at": due_at} for pid in missing]
        statement: Any
        if self._dialect == "postgresql":  # the dialect's module loaded when used
            from sqlalchemy.dialects.postgresql import insert as postgres_insert

            statement = postgres_insert(WorkLeaseRow)
        else:
            from sqlalchemy.dialects.sqlite import insert as sqlite_insert

            statement = sqlite_insert(WorkLeaseRow)
        self._session.execute(statement.values(rows).on_conflict_do_nothing())

    def claim(
        self,
        holder: str,
        now: datetime,
        expires_at: datetime,
        portfolio_ids: Iterable[int] | None = None,
        *,
        exclude: Iterable[int] = (),
    ) -> WorkLease | None:
        """Take the most overdue free (or expired) lease of an active portfolio that is due at
        ``now`` (not one of ``exclude``), for ``holder`` until ``expires_at``; None when nothing
        is due and free."""
        statement = (
            select(WorkLeaseRow)
            .join(PortfolioRow, PortfolioRow.id == WorkLeaseRow.portfolio_id)
            .where(
                PortfolioRow.status == "active",
                WorkLeaseRow.next_due_at <= now,
                or_(WorkLeaseRow.holder.is_(None), WorkLeaseRow.lease_expires_at <= now),
            )
            .order_by(WorkLeaseRow.next_due_at, WorkLeaseRow.portfolio_id)
            .limit(1)
            .with_for_update(skip_locked=True, of=WorkLeaseRow)
        )
        if portfolio_ids is not None:
            statement = statement.where(WorkLeaseRow.portfolio_id.in_(list(portfolio_ids)))
        skipped = list(exclude)
        if skipped:
            statement = statement.where(WorkLeaseRow.portfolio_id.not_in(skipped))
        row = self._session.scalars(statement).one_or_none()
        if row is None:
            return None
        before = _lease(row)
        row.holder = holder
        row.lease_expires_at = expires_at
        self._session.flush()
        return WorkLease(row.portfolio_id, holder, expires_at, before.last_round_at, before.due_at)

    def renew(self, portfolio_id: int, holder: str, expires_at: datetime) -> bool:
        """Extend ``holder``'s lease; False when it is no longer theirs (taken over)."""
        result = self._session.execute(
            update(WorkLeaseRow)
            .where(WorkLeaseRow.portfolio_id == portfolio_id, WorkLeaseRow.holder == holder)
            .values(lease_expires_at=expires_at)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    def release(
        self, portfolio_id: int, holder: str, round_at: datetime | None, next_due_at: datetime
    ) -> bool:
        """Hand the lease back, due again at ``next_due_at`` (``round_at``: when the round ran,
        None if it did not finish); False when it was no longer ``holder``'s."""
        values: dict[str, object] = {
            "holder": None,
            "lease_expires_at": None,
            "next_due_at": next_due_at,
        }
        if round_at is not None:
            values["last_round_at"] = round_at
        result = self._session.execute(
            update(WorkLeaseRow)
            .where(WorkLeaseRow.portfolio_id == portfolio_id, WorkLeaseRow.holder == holder)
            .values(**values)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    def all(self) -> list[WorkLease]:
        rows = self._session.scalars(select(WorkLeaseRow).order_by(WorkLeaseRow.portfolio_id))
        return [_lease(row) for row in rows]

    def earliest_claimable(self, portfolio_ids: Iterable[int] | None = None) -> datetime | None:
        """The first moment a lease of an active portfolio can be claimed: when it falls due,
        or, while another worker holds it, when that hold expires (None: no lease)."""
        statement = (
            select(WorkLeaseRow)
            .join(PortfolioRow, PortfolioRow.id == WorkLeaseRow.portfolio_id)
            .where(PortfolioRow.status == "active")
        )
        if portfolio_ids is not None:
            statement = statement.where(WorkLeaseRow.portfolio_id.in_(list(portfolio_ids)))
        moments = [
            max(row.next_due_at, row.lease_expires_at)
            if row.holder is not None and row.lease_expires_at is not None
            else row.next_due_at
            for row in self._session.scalars(statement)
        ]
        return min(moments, default=None)

    @property
    def _dialect(self) -> str:
        return self._session.get_bind().dialect.name


def _lease(row: WorkLeaseRow) -> WorkLease:
    return WorkLease(
        row.portfolio_id, row.holder, row.lease_expires_at, row.last_round_at, row.next_due_at
    )
