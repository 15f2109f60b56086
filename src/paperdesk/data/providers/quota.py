"""Per-provider call budgets (a UTC day and a calendar minute), persisted through a QuotaStore.

Every request sent counts, whatever its outcome, because that is how the providers count. The
day rolls over at 00:00 UTC and the minute window at each whole UTC minute. A provider that says
its daily quota is spent (Alpha Vantage's "25 requests per day" message) is marked exhausted
until the next UTC day even if our own count is lower.
"""

from __future__ import annotations

import json
import os
import tempfile
import threading
from collections.abc import Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol

from filelock import FileLock

from paperdesk.data.providers.settings import Limits
from paperdesk.domain import InvalidInputError


@dataclass(frozen=True)
class Usage:
    """Calls made by one provider on ``day`` (ISO date, UTC) and in ``minute`` (ISO, UTC)."""

    day: str = ""
    day_count: int = 0
    minute: str = ""
    minute_count: int = 0
    day_exhausted: bool = False

    def rolled(self, now: datetime) -> Usage:
        """This usage as seen at ``now``: counters of a past day or minute start again at 0."""
        day, minute = _day_key(now), _minute_key(now)
        usage = self
        if usage.day != day:
            usage = replace(usage, day=day, day_count=0, day_exhausted=False)
        if usage.minute != minute:
            usage = replace(usage, minute=minute, minute_count=0)
        return usage


class QuotaStore(Protocol):
    """Where usage lives between runs. ``locked()`` holds off every other process and thread
    between a read and the write that follows it, so no count is lost."""

    def get(self, provider: str) -> Usage | None: ...

    def put(self, provider: str, usage: Usage) -> None: ...

    def locked(self) -> AbstractContextManager[None]: ...


class InMemoryQuotaStore:
    def __init__(self) -> None:
        self._usage: dict[str, Usage] = {}

    def get(self, provider: str) -> Usage | None:
        return self._usage.get(provider)

    def put(self, provider: str, usage: Usage) -> None:
        self._usage[provider] = usage

    def locked(self) -> AbstractContextManager[None]:
        return nullcontext()  # one process; the tracker's thread lock suffices


class JsonFileQuotaStore:
    """Usage in one JSON file (default ``$PAPERDESK_HOME/provider_quotas.json``), rewritten
    atomically (temporary file in the same directory, then ``os.replace``) on every change."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()  # threads of this process, around the file lock
        self._write_lock = threading.Lock()

    @contextmanager
    def locked(self) -> Iterator[None]:
        """An exclusive lock on ``<file>.lock`` (``filelock``: flock on POSIX, msvcrt on
        Windows): processes sharing the file queue."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        lock_path = self.path.with_name(self.path.name + ".lock")
        with self._lock, FileLock(lock_path):
            yield

    def _read(self) -> dict[str, dict[str, object]]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError):
            return {}  # a damaged file must not stop data fetching; it is rewritten on next put
        return data if isinstance(data, dict) else {}

    def get(self, provider: str) -> Usage | None:
        record = self._read().get(provider)
        if not isinstance(record, dict):
            return None
        fields = {key: record[key] for key in Usage.__dataclass_fields__ if key in record}
        try:
            return Usage(**fields)  # type: ignore[arg-type]
        except TypeError:
            return None

    def put(self, provider: str, usage: Usage) -> None:
        with self._write_lock:
            data = self._read()
            data[provider] = asdict(usage)
            self.path.parent.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(
                prefix=f".{self.path.name}.", suffix=".tmp", dir=self.path.parent
            )
            try:
                with os.fdopen(handle, "w", encoding="utf-8") as stream:
                    json.dump(data, stream, indent=2, sort_keys=True)
                    stream.flush()
                    os.fsync(stream.fileno())
                os.replace(temporary, self.path)
            except BaseException:
                Path(temporary).unlink(missing_ok=True)
                raise


class QuotaTracker:
    """Checks and counts calls against each provider's ``Limits``."""

    def __init__(self, store: QuotaStore, limits: Mapping[str, Limits]) -> None:
        self.store = store
        self.limits = dict(limits)
        self._lock = threading.Lock()

    def limits_for(self, provider: str) -> Limits:
        return self.limits.get(provider, Limits())

    def usage(self, provider: str, now: datetime) -> Usage:
        return (self.store.get(provider) or Usage()).rolled(now)

    def blocked_reason(self, provider: str, now: datetime) -> str | None:
        """Why ``provider`` may not be called at ``now``, or None."""
        usage = self.usage(provider, now)
        limits = self.limits_for(provider)
        if usage.day_exhausted:
            return "daily quota reported spent by the provider; resets 00:00 UTC"
        if limits.per_day is not None and usage.day_count >= limits.per_day:
            return f"daily quota used ({usage.day_count}/{limits.per_day}); resets 00:00 UTC"
        if limits.per_minute is not None and usage.minute_count >= limits.per_minute:
            return f"per-minute limit reached ({usage.minute_count}/{limits.per_minute})"
        return None

    def try_acquire(self, provider: str, now: datetime) -> str | None:
        """Count one call if the budget allows; else return why not (nothing counted)."""
        with self._lock, self.store.locked():
            reason = self.blocked_reason(provider, now)
            if reason is None:
                usage = self.usage(provider, now)
                self.store.put(
                    provider,
                    replace(
                        usage, day_count=usage.day_count + 1, minute_count=usage.minute_count + 1
                    ),
                )
            return reason

    def exhaust_day(self, provider: str, now: datetime) -> None:
        with self._lock, self.store.locked():
            self.store.put(provider, replace(self.usage(provider, now), day_exhausted=True))


def _day_key(now: datetime) -> str:
    return _utc(now).date().isoformat()


def _minute_key(now: datetime) -> str:
    return _utc(now).strftime("%Y-%m-%dT%H:%M")


def _utc(now: datetime) -> datetime:
    if now.tzinfo is None:
        raise InvalidInputError("the quota clock must return timezone-aware datetimes")
    return now.astimezone(UTC)
