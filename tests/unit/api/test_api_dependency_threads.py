"""A request's key check runs on the event loop when it needs no I/O (a key verified within
the cache time, an in-process rate limit) and in a worker thread when it reads the key's row
or asks Redis (SQLite and PostgreSQL)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from api_fixtures import Harness, api

import paperdesk.api.dependencies as dependencies
from paperdesk.api.rate_limit import Decision, InProcessLimiter, Limit

__all__ = ["api"]


def test_the_key_is_read_in_a_thread_once_then_checked_on_the_loop(
    api: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    hopped: list[str] = []
    hop = dependencies.run_in_threadpool

    async def recorded(function: Callable[..., Any], *arguments: Any) -> Any:
        hopped.append(function.__name__)
        return await hop(function, *arguments)

    monkeypatch.setattr(dependencies, "run_in_threadpool", recorded)
    # this process's own limit (with REDIS_URL set, as in CI, the app would use Redis's, whose
    # hit goes to a thread: the last part of this test)
    api.client.app.state.rate_limiter = InProcessLimiter(Limit(600, 100))  # type: ignore[attr-defined]
    api.services.api_keys.cache_seconds = 3600.0  # no expiry between the two requests
    token = api.services.api_keys.create("fresh", "read").token
    first = api.client.get("/api/v1/me", headers=api.headers(token))
    assert first.status_code == 200, first.text
    assert hopped == ["authenticate"]
    second = api.client.get("/api/v1/me", headers=api.headers(token))
    assert second.json() == first.json()
    assert hopped == ["authenticate"]  # remembered: no thread

    class Blocking:
        """A limiter doing I/O (as Redis's): its hit goes to a thread."""

        in_memory = False

        def hit(self, key_id: int) -> Decision:
            return Decision(True)

    api.client.app.state.rate_limiter = Blocking()  # type: ignore[attr-defined]
    third = api.client.get("/api/v1/me", headers=api.headers(token))
    assert third.status_code == 200, third.text
    assert hopped == ["authenticate", "hit"]
