"""A verified API key is kept in the process for ``KEY_CACHE_SECONDS``: revoked through this
process it is refused at once, revoked by another process (another container on the ledger)
within that time; an unknown token is never kept, so a key created elsewhere works at once."""

from __future__ import annotations

from datetime import UTC, datetime

from paperdesk.domain.api_keys import Scope
from paperdesk.service.api_keys import KEY_CACHE_SECONDS, ApiKeyService, token_hash
from paperdesk.store import Database


class Ticks:
    """A monotonic clock the test moves."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_key_revoked_elsewhere_is_refused_within_the_cache_time(database: Database) -> None:
    ticks = Ticks()
    server = ApiKeyService(database, monotonic=ticks)
    elsewhere = ApiKeyService(database)  # the CLI, or another API process
    created = elsewhere.create("bot", "trade")
    first = server.authenticate(created.token)
    assert first is not None
    assert not first.is_revoked
    elsewhere.revoke(created.record.id)
    ticks.now += KEY_CACHE_SECONDS / 2
    kept = server.authenticate(created.token)  # within the cache time: not read again
    assert kept is not None
    assert not kept.is_revoked
    ticks.now += KEY_CACHE_SECONDS / 2
    refused = server.authenticate(created.token)
    assert refused is not None
    assert refused.is_revoked
    assert server.authenticate(created.token) == refused  # and never kept as valid


def test_a_key_revoked_through_this_process_is_refused_at_once(database: Database) -> None:
    ticks = Ticks()
    keys = ApiKeyService(database, monotonic=ticks)
    created = keys.create("bot", "trade")
    assert keys.authenticate(created.token) is not None
    keys.revoke(created.record.id)
    refused = keys.authenticate(created.token)
    assert refused is not None
    assert refused.is_revoked


def test_an_unknown_token_is_not_kept(database: Database) -> None:
    ticks = Ticks()
    server = ApiKeyService(database, monotonic=ticks)
    token = "pd_made-elsewhere-after-a-miss"
    assert server.authenticate(token) is None
    with database.transaction() as repository:  # the key is stored by another process now
        key_id = repository.api_keys.add(
            name="late",
            scope=Scope.READ,
            portfolio_ids=None,
            token_hash=token_hash(token),
            prefix=token[:10],
            created_at=datetime.now(UTC),
        )
    found = server.authenticate(token)  # the same clock time: read again, not remembered
    assert found is not None
    assert found.id == key_id


def test_remembered_answers_only_a_key_verified_within_the_cache_time(
    database: Database,
) -> None:
    """What the API's event loop asks without a thread: never a read, never an unknown token."""
    ticks = Ticks()
    server = ApiKeyService(database, monotonic=ticks)
    created = server.create("bot", "trade")
    assert server.remembered(created.token) is None  # not verified yet
    assert server.remembered("pd_unknown") is None
    verified = server.authenticate(created.token)
    assert server.remembered(created.token) == verified
    ticks.now += KEY_CACHE_SECONDS
    assert server.remembered(created.token) is None
    server.authenticate(created.token)
    server.revoke(created.record.id)
    assert server.remembered(created.token) is None  # revoked here: forgotten at once
