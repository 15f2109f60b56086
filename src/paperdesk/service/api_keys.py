"""API keys of the service API: created (the token shown once), listed, revoked, checked.

A token is 32 random bytes (``secrets.token_urlsafe``) behind a ``pd_`` prefix; only its SHA-256
is stored. A slow password hash (bcrypt, scrypt) is not needed: it protects low-entropy secrets
people choose, while a 256-bit random token cannot be guessed from its hash, and a fast hash keeps
every request's check cheap (as GitHub's and Stripe's tokens are checked).

A verified key is kept in this process for ``KEY_CACHE_SECONDS`` (the row read once, not on
every request). A key revoked through this process is refused at once; one revoked by another
process (the CLI, another API process) is refused within ``KEY_CACHE_SECONDS``. Unknown tokens
are never kept: a key created elsewhere works at once.
"""

from __future__ import annotations

import hashlib
import secrets
import threading
import time
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import UTC, datetime

from paperdesk.domain import InvalidInputError
from paperdesk.domain import parsing as values
from paperdesk.domain.api_keys import ApiKeyRecord, IdempotentResponse, Scope
from paperdesk.domain.fields import field_mark
from paperdesk.store import Database, LedgerRepository
from paperdesk.store.database import HeldUnit

TOKEN_PREFIX = "pd_"
MAX_NAME_LENGTH = 200
MAX_IDEMPOTENCY_KEY_LENGTH = 200
KEY_CACHE_SECONDS = 2.0  # how long a verified key is trusted without reading its row again


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@dataclass(frozen=True, slots=True)
class CreatedKey:
    record: ApiKeyRecord
    token: str  # shown once, never stored


class ApiKeyService:
    """Keys and idempotency records on the ledger database."""

    def __init__(
        self,
        database: Database,
        *,
        cache_seconds: float = KEY_CACHE_SECONDS,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.database = database
        self.cache_seconds = cache_seconds
        self._monotonic = monotonic
        self._verified: dict[str, tuple[float, ApiKeyRecord]] = {}  # token hash -> read at
        self._verified_lock = threading.Lock()

    def create(
        self, name: str, scope: str, portfolio_ids: Sequence[int] | None = None
    ) -> CreatedKey:
        name = name.strip()
        if not name or len(name) > MAX_NAME_LENGTH or not name.isprintable():
            raise InvalidInputError(
                f"API key name must be 1 to {MAX_NAME_LENGTH} printable characters, got {name!r}"
            )
        chosen = values.choice_value(scope, field_mark("scope"), Scope)
        limited = None if not portfolio_ids else tuple(sorted(set(portfolio_ids)))
        token = TOKEN_PREFIX + secrets.token_urlsafe(32)
        with self.database.transaction() as repository:
            for portfolio_id in limited or ():
                repository.portfolio(portfolio_id)  # an unknown portfolio is named
            key_id = repository.api_keys.add(
                name=name,
                scope=chosen,
                portfolio_ids=limited,
                token_hash=token_hash(token),
                prefix=token[:10],
                created_at=_now(),
            )
            return CreatedKey(repository.api_keys.get(key_id), token)

    def list_keys(self) -> list[ApiKeyRecord]:
        with self.database.reading() as repository:
            return repository.api_keys.all()

    def revoke(self, key_id: int) -> ApiKeyRecord:
        with self.database.transaction() as repository:
            record = repository.api_keys.get(key_id)
            if record.is_revoked:
                raise InvalidInputError(f"API key {key_id} is already revoked")
            repository.api_keys.revoke(key_id, _now())
            revoked = repository.api_keys.get(key_id)
        with self._verified_lock:  # refused by this process at once
            for digest in [h for h, (_, r) in self._verified.items() if r.id == key_id]:
                del self._verified[digest]
        return revoked

    def remembered(self, token: str) -> ApiKeyRecord | None:
        """The key of ``token`` when it was verified less than ``cache_seconds`` ago (from
        memory, no I/O: what an event loop may call itself), else None (``authenticate``)."""
        digest = token_hash(token)
        with self._verified_lock:
            kept = self._verified.get(digest)
        if kept is not None and self._monotonic() - kept[0] < self.cache_seconds:
            return kept[1]
        return None

    def authenticate(self, token: str) -> ApiKeyRecord | None:
        """The key whose token this is (revoked or not), None for an unknown token; a key
        read less than ``cache_seconds`` ago is answered from memory (see the module
        docstring)."""
        remembered = self.remembered(token)
        if remembered is not None:
            return remembered
        digest = token_hash(token)
        now = self._monotonic()
        with self.database.reading() as repository:
            record = repository.api_keys.by_hash(digest)
        with self._verified_lock:
            if record is None or record.is_revoked:
                self._verified.pop(digest, None)
            else:
                self._verified[digest] = (now, record)
        return record

    # ----------------------------------------------------------------- idempotent requests
    # (``paperdesk.api.idempotency.run_once``: the claim, the write and the stored response
    # commit in one transaction)

    def stored(self, key_id: int, key: str) -> IdempotentResponse | None:
        """What is stored for idempotency key ``key`` (None: nothing yet), read in one
        statement; a malformed key is refused."""
        check_idempotency_key(key)
        with self.database.reading(one_statement=True) as repository:
            return repository.api_keys.idempotent(key_id, key)

    def claimer(
        self, key_id: int, key: str, request_hash: str
    ) -> Callable[[LedgerRepository], None]:
        """What a held unit of work (``Database.held``) runs first when it opens: claim
        ``key`` in the unit's transaction, or raise ``KeyAnswered`` with what another
        transaction stored for it first (on PostgreSQL a concurrent claim of the same key
        waits on the unique key for the first one's transaction to end, then finds its row)."""
        check_idempotency_key(key)

        def claim(repository: LedgerRepository) -> None:
            found = repository.api_keys.reserve(key_id, key, request_hash, _now())
            if found is not None:
                raise KeyAnswered(found)

        return claim

    def claiming(
        self, key_id: int, key: str, request_hash: str
    ) -> AbstractContextManager[HeldUnit]:
        """One unit of work for an idempotent request (``Database.held``): the claim of ``key``
        first, the action's transactions joined, the answer stored (``complete``) before the
        one commit; ``KeyAnswered`` when another request answered the key first."""
        return self.database.held(self.claimer(key_id, key, request_hash))

    def complete(self, key_id: int, key: str, status_code: int, body: str) -> None:
        """Store the response to ``key`` (in the held unit that claimed it: ``run_once``)."""
        with self.database.transaction() as repository:
            repository.api_keys.complete(key_id, key, status_code, body)


class KeyAnswered(BaseException):
    """The claim found the idempotency key answered by another request first (raised from
    the held unit's opening, through the action, whose unit then rolls back). A
    BaseException: an action's ``except Exception`` must not take it for its own failure."""

    def __init__(self, stored: IdempotentResponse) -> None:
        super().__init__("the idempotency key was answered by another request")
        self.stored = stored


def check_idempotency_key(key: str) -> None:
    if not key or len(key) > MAX_IDEMPOTENCY_KEY_LENGTH or not key.isprintable():
        raise InvalidInputError(
            f"Idempotency-Key must be 1 to {MAX_IDEMPOTENCY_KEY_LENGTH} printable "
            f"characters, got {key[:40]!r}"
        )


def _now() -> datetime:
    return datetime.now(UTC)
