"""The Alpaca API's key check runs on the event loop, as ``/api/v1``'s: no dependency of a
request goes to a worker thread once the key was verified (the route itself still does), and
reading the key's row or a Redis rate limit goes to one (SQLite and PostgreSQL)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import fastapi.dependencies.utils as fastapi_dependencies
import pytest
from alpaca_fixtures import AlpacaHarness, alpaca

import paperdesk.api.alpaca.auth as auth
from paperdesk.api.rate_limit import Decision, InProcessLimiter, Limit

__all__ = ["alpaca"]

ORDER = {"symbol": "SPY", "qty": "1", "side": "buy", "type": "limit", "limit_price": "50"}


def test_the_key_is_read_in_a_thread_once_then_checked_on_the_loop(
    alpaca: AlpacaHarness, monkeypatch: pytest.MonkeyPatch
) -> None:
    hopped: list[str] = []

    def recording(hop: Callable[..., Any]) -> Callable[..., Any]:
        async def recorded(function: Callable[..., Any], *arguments: Any, **named: Any) -> Any:
            hopped.append(function.__name__)
            return await hop(function, *arguments, **named)

        return recorded

    hop = getattr(auth, "run_in_threadpool", fastapi_dependencies.run_in_threadpool)
    monkeypatch.setattr(auth, "run_in_threadpool", recording(hop), raising=False)
    monkeypatch.setattr(
        fastapi_dependencies,
        "run_in_threadpool",
        recording(fastapi_dependencies.run_in_threadpool),
    )
    mounted = next(
        route.app  # type: ignore[attr-defined]
        for route in alpaca.client.app.routes  # type: ignore[attr-defined]
        if getattr(route, "path", "") == "/alpaca"
    )
    # this process's own limit (with REDIS_URL set, as in CI, the app would use Redis's)
    mounted.state.rate_limiter = InProcessLimiter(Limit(600, 100))
    alpaca.services.api_keys.cache_seconds = 3600.0  # no expiry between the requests
    first = alpaca.post("/orders", {**ORDER, "time_in_force": "day"})
    assert first.status_code == 200, first.text
    assert hopped.count("authenticate") <= 1
    hopped.clear()
    second = alpaca.get("/account")
    assert second.status_code == 200, second.text
    assert hopped == []  # remembered key, in-process limit: every dependency on the loop

    class Blocking:
        """A limiter doing I/O (as Redis's): its hit goes to a thread."""

        in_memory = False

        def hit(self, key_id: int) -> Decision:
            return Decision(True)

    mounted.state.rate_limiter = Blocking()
    third = alpaca.get("/account")
    assert third.status_code == 200, third.text
    assert hopped == ["hit"]
