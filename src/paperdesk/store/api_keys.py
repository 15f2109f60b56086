"""API keys and the idempotency records of the service API (reads and writes in one session)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from paperdesk.domain import UnknownNameError
from paperdesk.domain.api_keys import ApiKeyRecord, IdempotentResponse, Scope
from paperdesk.store.models import ApiKeyRow, IdempotencyRow


class ApiKeyRepository:
    """The ``api_keys`` and ``idempotency_keys`` tables, inside one transaction."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def add(
        self,
        *,
        name: str,
        scope: Scope,
        portfolio_ids: tuple[int, ...] | None,
        token_hash: str,
        prefix: str,
        created_at: datetime,
    ) -> int:
        row = ApiKeyRow(
            name=name,
            scope=str(scope),
            portfolio_ids=None if portfolio_ids is None else list(portfolio_ids),
            token_hash=token_hash,
            prefix=prefix,
            created_at=created_at,
        )
        self._session.add(row)
        self._session.flush()
        return row.id

    def all(self) -> list[ApiKeyRecord]:
        rows = self._session.scalars(select(ApiKeyRow).order_by(ApiKeyRow.id))
        return [_record(row) for row in rows]

    def get(self, key_id: int) -> ApiKeyRecord:
        row = self._session.get(ApiKeyRow, key_id)
        if row is None:
            raise UnknownNameError(f"no API key with id {key_id}")
        return _record(row)

    def by_hash(self, token_hash: str) -> ApiKeyRecord | None:
        statement = select(ApiKeyRow).where(ApiKeyRow.token_hash == token_hash)
        row = self._session.scalars(statement).one_or_none()
        return None if row is None else _record(row)

    def revoke(self, key_id: int, at: datetime) -> None:
        row = self._session.get(ApiKeyRow, key_id)
        if row is None:
            raise UnknownNameError(f"no API key with id {key_id}")
        row.revoked_at = at

    def idempotent(self, key_id: int, key: str) -> IdempotentResponse | None:
        row = self._session.get(IdempotencyRow, (key_id, key))
        if row is None:
            return None
        return IdempotentResponse(row.request_hash, row.status_code, row.response_body)

    def reserve(
        self, key_id: int, key: str, request_hash: str, at: datetime
    ) -> IdempotentResponse | None:
        """Claim ``key`` (None), or what another transaction stored for it first: on
        PostgreSQL a concurrent claim of the same key waits for the first and then finds it."""
        try:
            with self._session.begin_nested():
                self._session.add(
                    IdempotencyRow(
                        api_key_id=key_id, key=key, request_hash=request_hash, created_at=at
                    )
                )
        except IntegrityError:
            return self.idempotent(key_id, key)
        return None

    def complete(self, key_id: int, key: str, status_code: int, body: str) -> None:
        row = self._session.get(IdempotencyRow, (key_id, key))
        if row is not None:
            row.status_code = status_code
            row.response_body = body


def _record(row: ApiKeyRow) -> ApiKeyRecord:
    portfolios = None if row.portfolio_ids is None else tuple(int(i) for i in row.portfolio_ids)
    return ApiKeyRecord(
        id=row.id,
        name=row.name,
        scope=Scope(row.scope),
        portfolio_ids=portfolios,
        prefix=row.prefix,
        ts_created=row.created_at,
        ts_revoked=row.revoked_at,
    )
