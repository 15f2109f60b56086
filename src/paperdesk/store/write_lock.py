"""The queue for a SQLite ledger's one writer, across threads and processes.

SQLite lets one transaction write at a time. Every paperdesk write transaction begins
``IMMEDIATE`` (it takes SQLite's write lock up front), and a connection that finds the lock
taken waits in SQLite's busy handler: it sleeps 1, 2, 5, 10, 15, 20, 25, 25, 25, 50, 50 and then
100 ms between tries, whether the lock was freed a microsecond into the sleep or not. Inside one
process the threads already queue on a lock of their own (``Database.transaction``), handed
over at once; two processes on one file (``paperdesk serve --workers 2``, a ``serve`` and a
``worker``) met only in the busy handler, so a process that found the file taken slept while the
other, whose threads queue without sleeping, kept taking it back: 119 orders/s with a p99 of
141 ms for two server processes against 249 orders/s and 16 ms for one.

``WriterQueue`` adds an exclusive ``flock`` on a sidecar file (``<ledger>-writer``) to that
in-process lock: a writer of another process blocks in the kernel and is woken when the lock is
released, with no sleep. The lock is taken before ``BEGIN IMMEDIATE`` and released after the
COMMIT (or the rollback), so SQLite's own lock is free whenever a paperdesk writer holds the
sidecar's, and the busy handler only still serves writers that do not use the sidecar (the
migrations, the ``sqlite3`` shell, an older paperdesk). Nothing changes in what is written or
when it is durable: SQLite's write lock is still what keeps two writers apart, the sidecar only
orders who asks for it.

A process keeps the sidecar's lock from one of its units to the next while another of its
threads waits, up to ``RUN`` units in a row, then lets it go: the units of one process in a row
find the portfolios in its state cache (``live/state_cache.py``), where a unit after another
process's write on the same portfolio restores it from the rows. The kernel releases a
``flock`` when its process ends, a crash included.

A ``flock`` belongs to an open file description: the queue opens the sidecar once per process
(and again in a forked child, which must not share its parent's), and two ``Database`` objects on
one file in one process each open their own, so they exclude each other as two processes do. A
sidecar that cannot be opened (a read-only folder) leaves the busy handler to do the waiting,
as before.
"""

from __future__ import annotations

import logging
import os
import sys
import threading
from pathlib import Path
from types import TracebackType

if sys.platform != "win32":  # no flock on Windows: SQLite's busy handler waits there, as before
    import fcntl

log = logging.getLogger(__name__)

SUFFIX = "-writer"
RUN = 8  # units of one process in a row while its other threads wait, at most
_OWNED = threading.local()  # the sidecars whose queues the current thread is inside, counted


def _owned_here() -> dict[Path, int]:
    owned: dict[Path, int] | None = getattr(_OWNED, "paths", None)
    if owned is None:
        owned = _OWNED.paths = {}
    return owned


def sidecar(database_file: Path) -> Path:
    """The file whose ``flock`` queues the writers of ``database_file``."""
    return database_file.with_name(database_file.name + SUFFIX)


class WriterQueue:
    """A re-entrant lock for one SQLite file's write transactions: the threads of this process
    queue on a ``threading.Lock``, the holder then queues with other processes on an exclusive
    ``flock`` of the sidecar file (taken once, however deeply the holder re-enters). A thread
    that leaves while another of this process waits hands it the sidecar's lock along with the
    thread lock, up to ``RUN`` units in a row."""

    def __init__(self, database_file: Path) -> None:
        self.path = sidecar(database_file)
        self._threads = threading.Lock()
        self._owner: int | None = None  # the thread holding the queue
        self._depth = 0  # the holder's re-entries
        self._counting = threading.Lock()
        self._wanting = 0  # threads of this process holding or waiting for the queue
        self._held = False  # this process holds the sidecar's lock (or has no sidecar)
        self._run = 0  # units served in a row since the sidecar was taken
        self._descriptor: int | None = None
        self._opened_by: int | None = None  # the process that opened the descriptor
        self._unusable = False
        self.waits = 0  # times the sidecar was held by another (for tests and benchmarks)

    def __enter__(self) -> WriterQueue:
        me = threading.get_ident()
        if self._owner == me:  # a unit inside the holder's own: nothing to queue for
            self._depth += 1
            return self
        with self._counting:
            self._wanting += 1
        self._threads.acquire()
        try:
            if not self._held or self._opened_by != os.getpid():
                self._held, self._run = self._lock_file(), 0
        except BaseException:
            with self._counting:
                self._wanting -= 1
            self._threads.release()
            raise
        self._owner, self._depth = me, 1
        owned = _owned_here()
        owned[self.path] = owned.get(self.path, 0) + 1
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._depth -= 1
        if self._depth > 0:
            return
        self._owner = None
        owned = _owned_here()
        owned[self.path] -= 1
        if not owned[self.path]:
            del owned[self.path]
        try:
            self._run += 1
            with self._counting:
                self._wanting -= 1
                waiting = self._wanting
            # another thread of this process waits: it gets the file with the thread lock (its
            # unit finds the state this one left), up to RUN units in a row; then the file is
            # released so that the other processes' writers get their turn
            if self._held and (waiting == 0 or self._run >= RUN):
                self._held = False
                if self._descriptor is not None:
                    fcntl.flock(self._descriptor, fcntl.LOCK_UN)
        finally:
            self._threads.release()

    def _lock_file(self) -> bool:
        """Whether the queue now stands as held: the sidecar locked, or none to lock."""
        descriptor = self._opened()
        if descriptor is None:
            return True
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            self.waits += 1
            if self.path in _owned_here():
                # this thread is inside another queue of the same file (a second Database on
                # it, in a unit of the first): waiting here would never end; SQLite's busy
                # handler answers, as before the sidecar ("database is locked" in time)
                return False
            fcntl.flock(descriptor, fcntl.LOCK_EX)  # woken by the holder's release, no sleep
        return True

    def _opened(self) -> int | None:
        if self._unusable or sys.platform == "win32":
            return None
        pid = os.getpid()
        if self._descriptor is not None and self._opened_by == pid:
            return self._descriptor
        if self._descriptor is not None:  # a forked child: its own description, not the parent's
            os.close(self._descriptor)
            self._descriptor = None
        try:
            self._descriptor = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o666)
        except OSError as error:
            self._unusable = True
            log.warning(
                "cannot open %s (%s): writers of other processes wait in SQLite's busy handler",
                self.path,
                error.strerror,
            )
            return None
        self._opened_by = pid
        return self._descriptor

    def close(self) -> None:
        """Close the sidecar's descriptor (it is opened again if a writer comes later)."""
        with self._threads:
            if self._descriptor is not None and self._opened_by == os.getpid():
                os.close(self._descriptor)  # releases the sidecar's lock if held
            self._descriptor, self._held = None, False
