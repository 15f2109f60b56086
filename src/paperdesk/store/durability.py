"""Group commit for a SQLite ledger: one fsync of the write-ahead log for every commit that
waits on it, before any of those transactions returns.

With ``PRAGMA synchronous=FULL`` SQLite syncs the WAL inside every COMMIT, while the write lock
is held: on this machine's disk that is 4 ms (15 ms at p99) of every order during which no
other transaction may write, so concurrent orders queue behind each other's fsync. paperdesk
runs SQLite at ``synchronous=NORMAL`` (the WAL is written at COMMIT, synced at checkpoints)
and syncs the WAL itself after the COMMIT, outside the write lock: ``Database.transaction``
returns only once a sync that began after its COMMIT has finished, so every transaction that
returned (an answered request, a tick, an event told to a listener, a Redis wake-up) is on
disk exactly as with ``FULL``. Commits that finish while one sync runs share the next one.

Crash safety: WAL mode at ``NORMAL`` is crash-consistent (frames are checksummed; recovery
keeps the last complete commit), so a crash, a power loss or an OS crash can only lose commits
whose sync had not finished, that is transactions that had not returned. What ``FULL`` also
gave is that no other connection could read a commit before it was synced; here another
connection may read it during the one sync that makes it durable (4 ms here). In this process,
readers that hand data on (the outbox tailers of the streams, webhooks) wait for the pending
sync first (``Database.reading(durable=True)``); another process (a second ``serve`` or the
worker) could stream an event of a commit that a power loss in those milliseconds then undoes.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from pathlib import Path

Sync = Callable[[int], None]


def _data_sync(descriptor: int) -> None:
    """``fdatasync`` where the platform has it (what SQLite uses on Linux), else ``fsync``."""
    sync = getattr(os, "fdatasync", os.fsync)
    sync(descriptor)


class WalSync:
    """Counts the commits of one SQLite file and syncs its WAL for all that wait at once."""

    def __init__(self, database_file: Path, sync: Sync = _data_sync) -> None:
        self.wal = database_file.with_name(database_file.name + "-wal")
        self._sync = sync
        self._condition = threading.Condition()
        self._committed = 0  # commits counted so far (the ticket of the latest)
        self._synced = 0  # every commit up to this ticket is on disk
        self._syncing = False
        self.syncs = 0  # fsync calls made (for tests and benchmarks)

    def committed(self) -> int:
        """Count a commit that just finished (call it under the write lock, right after the
        COMMIT, so tickets follow the order of the commits in the WAL); its ticket."""
        with self._condition:
            self._committed += 1
            return self._committed

    def latest(self) -> int:
        with self._condition:
            return self._committed

    def wait(self, ticket: int) -> None:
        """Return once the commit of ``ticket`` (and every one before it) is on disk: sync
        the WAL, or wait for a sync that began after that commit. A failed sync raises here
        (the transaction committed but is not known to be durable)."""
        with self._condition:
            while self._synced < ticket:
                if self._syncing:
                    self._condition.wait()
                    continue
                self._syncing = True
                target = self._committed  # a sync now covers every commit counted so far
                self._condition.release()
                try:
                    self._sync_wal()
                finally:
                    self._condition.acquire()
                    self._syncing = False
                    self._condition.notify_all()
                self._synced = max(self._synced, target)

    def _sync_wal(self) -> None:
        try:
            descriptor = os.open(self.wal, os.O_RDONLY)
        except FileNotFoundError:
            # no WAL: the last connection checkpointed it into the database file, which
            # SQLite synced before deleting the log, so every commit in it is on disk
            return
        try:
            self.syncs += 1
            self._sync(descriptor)
        finally:
            os.close(descriptor)
