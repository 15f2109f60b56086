"""Operations: whether the service can answer (database, Redis) and the outbox position that
``/metrics`` reports. Checks answer with what is down, never raise."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

import redis

from paperdesk.domain import PaperdeskError
from paperdesk.service.worker_status import PortfolioWork, worker_status
from paperdesk.store import Database

REDIS_TIMEOUT_SECONDS = 2.0


@dataclass(frozen=True, slots=True)
class Check:
    name: str
    ok: bool
    detail: str  # "ok", or why it is down (no password: URLs are shown masked)


class OperationsService:
    """Readiness and outbox position on one database (and Redis when configured)."""

    def __init__(
        self,
        database: Callable[[], Database],
        redis_url: str | None,
        describe_redis: Callable[[str], str],
    ) -> None:
        self._database = database
        self._redis_url = redis_url
        self._describe_redis = describe_redis

    def readiness(self) -> list[Check]:
        """The database's answer and, when ``REDIS_URL`` is set, Redis's."""
        checks = [self._check_database()]
        if self._redis_url is not None:
            checks.append(self._check_redis(self._redis_url))
        return checks

    def outbox_last_sequence(self) -> int:
        with self._database().reading() as repository:
            return repository.outbox_last_sequence()

    def worker_status(self, visible: Callable[[int], bool], now: datetime) -> list[PortfolioWork]:
        """Each active portfolio ``visible`` allows: its work lease and last tick."""
        return worker_status(self._database(), visible, now)

    def _check_database(self) -> Check:
        try:
            self._database().ping()
        except PaperdeskError as error:
            return Check("database", False, str(error))
        except Exception as error:  # a driver error the store did not translate: still "down"
            return Check("database", False, f"{type(error).__name__}: {error}".splitlines()[0])
        return Check("database", True, "ok")

    def _check_redis(self, url: str) -> Check:
        shown = self._describe_redis(url)
        try:
            client = redis.Redis.from_url(
                url,
                socket_connect_timeout=REDIS_TIMEOUT_SECONDS,
                socket_timeout=REDIS_TIMEOUT_SECONDS,
            )
            try:
                client.ping()
            finally:
                client.close()
        except (redis.RedisError, OSError) as error:
            reason = str(error).splitlines()[0] if str(error) else type(error).__name__
            return Check("redis", False, f"cannot reach Redis at {shown}: {reason}")
        return Check("redis", True, "ok")
