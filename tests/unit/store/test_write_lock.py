"""The queue for a SQLite ledger's writer across processes (``store/write_lock.py``): a writer
that finds another process's transaction open waits on the sidecar's lock, not in SQLite's
busy handler. With the busy handler turned off (``busy_timeout`` 0) SQLite refuses such a
writer at once (``database is locked``): these tests turn it off, so a writer that reached
SQLite while another held its lock fails them."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import text

from paperdesk.store import Database, database, write_lock
from paperdesk.store.write_lock import WriterQueue, sidecar

WAIT_SECONDS = 30  # the longest a test waits for a thread or process to get where it must be


@pytest.fixture
def ledger(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A migrated SQLite ledger with a ``probe`` table, opened with no busy handler."""
    url = f"sqlite:///{tmp_path / 'ledger.db'}"
    first = Database(url)
    with first.writing_connection() as connection:
        connection.execute(text("CREATE TABLE probe (id INTEGER PRIMARY KEY, who TEXT)"))
    first.close()
    monkeypatch.setattr(database, "SQLITE_BUSY_TIMEOUT_MS", 0)
    return url


def _queue(db: Database) -> WriterQueue:
    queue = db._writers
    assert isinstance(queue, WriterQueue)
    return queue


def _probe(db: Database) -> list[str]:
    with db.engine.connect() as connection:
        rows = connection.execute(text("SELECT who FROM probe ORDER BY id")).all()
    return [row[0] for row in rows]


def test_a_second_writer_waits_on_the_sidecar_not_in_sqlite(ledger: str) -> None:
    # two Database objects on one file are two writers, as two processes are
    first, second = Database(ledger), Database(ledger)
    errors: list[BaseException] = []

    def write_second() -> None:
        try:
            with second.writing_connection() as connection:
                connection.execute(text("INSERT INTO probe (who) VALUES ('second')"))
        except BaseException as error:  # pragma: no cover - what the test fails on
            errors.append(error)

    writer = threading.Thread(target=write_second)
    with first.writing_connection() as connection:
        connection.execute(text("INSERT INTO probe (who) VALUES ('first')"))
        writer.start()
        deadline = time.monotonic() + WAIT_SECONDS
        while _queue(second).waits == 0 and not errors and time.monotonic() < deadline:
            time.sleep(0.001)
        assert errors == []
        assert _queue(second).waits == 1  # it is waiting for the sidecar, SQLite untouched
    writer.join(WAIT_SECONDS)
    assert errors == []
    assert _probe(first) == ["first", "second"]  # in the order the sidecar handed it over
    assert sidecar(Path(ledger.removeprefix("sqlite:///"))).exists()
    first.close()
    second.close()


def test_a_nested_unit_keeps_the_sidecar_until_the_outer_one_ends(ledger: str) -> None:
    first, second = Database(ledger), Database(ledger)
    queue = _queue(first)
    with queue:
        with queue:
            pass
        # still held by the outer unit: another writer cannot take it
        with pytest.raises(BlockingIOError):
            _try_sidecar(second)
    _try_sidecar(second)  # free once the outer unit ended
    first.close()
    second.close()


def test_a_second_database_written_inside_a_unit_of_the_first_fails_instead_of_hanging(
    ledger: str,
) -> None:
    """One thread writing through a second ``Database`` on the file while inside a unit of the
    first would wait on the sidecar forever (its own first queue holds it): it leaves the
    waiting to SQLite's busy handler, which refuses it in time, as before the sidecar."""
    first, second = Database(ledger), Database(ledger)
    outcome: list[BaseException | None] = []

    def nested() -> None:
        try:
            with first.writing_connection() as connection:
                connection.execute(text("INSERT INTO probe (who) VALUES ('outer')"))
                with second.writing_connection() as inner:
                    inner.execute(text("INSERT INTO probe (who) VALUES ('inner')"))
        except BaseException as error:
            outcome.append(error)
        else:  # pragma: no cover - what the test fails on
            outcome.append(None)

    worker = threading.Thread(target=nested, daemon=True)
    worker.start()
    worker.join(WAIT_SECONDS)
    assert not worker.is_alive(), "the nested writer hangs on the sidecar"
    assert len(outcome) == 1
    assert outcome[0] is not None
    assert "database is locked" in str(outcome[0])
    assert _probe(first) == []  # the outer unit rolled back with the refusal
    with second.writing_connection() as connection:  # the file is free again for anyone
        connection.execute(text("INSERT INTO probe (who) VALUES ('after')"))
    assert _probe(first) == ["after"]
    first.close()
    second.close()


def _try_sidecar(db: Database) -> None:
    import fcntl

    descriptor = os.open(_queue(db).path, os.O_RDWR)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
    finally:
        os.close(descriptor)


def test_a_folder_without_a_sidecar_leaves_the_waiting_to_sqlite(
    ledger: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(database, "SQLITE_BUSY_TIMEOUT_MS", 60_000)
    db = Database(ledger)
    queue = _queue(db)
    queue.path = queue.path.parent / "missing-folder" / queue.path.name  # cannot be opened
    with db.writing_connection() as connection:
        connection.execute(text("INSERT INTO probe (who) VALUES ('alone')"))
    assert _probe(db) == ["alone"]
    db.close()


WRITER = """
import sys
from sqlalchemy import text
from paperdesk.store import Database, database, write_lock
database.SQLITE_BUSY_TIMEOUT_MS = 0  # no busy handler: reaching a locked SQLite fails
url, who, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
db = Database(url)
print("ready", flush=True)
sys.stdin.readline()
for number in range(count):
    with db.writing_connection() as connection:
        connection.execute(text("INSERT INTO probe (who) VALUES (:who)"), {"who": f"{who}{number}"})
db.close()
"""


def test_two_processes_write_at_once_and_nothing_is_refused_lost_or_doubled(ledger: str) -> None:
    count = 150
    writers = []
    for who in ("a", "b"):  # opened one after the other: opening the ledger is no unit
        writer = subprocess.Popen(
            [sys.executable, "-c", WRITER, ledger, who, str(count)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        assert writer.stdout is not None
        assert writer.stdout.readline().strip() == "ready", writer.communicate()[1]
        writers.append(writer)
    for writer in writers:  # both start at once
        assert writer.stdin is not None
        writer.stdin.write("go\n")
        writer.stdin.flush()
    for writer in writers:
        _, errors = writer.communicate(timeout=WAIT_SECONDS * 4)
        assert writer.returncode == 0, errors  # never "database is locked"
    db = Database(ledger)
    written = _probe(db)
    db.close()
    assert sorted(written) == sorted(f"{who}{n}" for who in "ab" for n in range(count))
    for who in "ab":  # each process's rows in the order it wrote them
        assert [w for w in written if w[0] == who] == [f"{who}{n}" for n in range(count)]


def _hand_over(queue: WriterQueue) -> int:
    """Hold ``queue`` in this thread while another thread of the process comes to wait for it,
    then leave: the run count the other thread found on entering (1: it was handed the
    sidecar's lock; 0: it took the lock again)."""
    found: list[int] = []

    def second_unit() -> None:
        with queue:
            found.append(queue._run)

    waiter = threading.Thread(target=second_unit)
    with queue:
        waiter.start()
        deadline = time.monotonic() + WAIT_SECONDS
        while queue._wanting < 2 and time.monotonic() < deadline:
            time.sleep(0.001)
        assert queue._wanting == 2
    waiter.join(WAIT_SECONDS)
    return found[0]


def test_a_waiting_thread_of_the_process_is_handed_the_sidecar(ledger: str) -> None:
    db = Database(ledger)
    assert _hand_over(_queue(db)) == 1  # the same run: the other processes wait a unit more
    _try_sidecar(Database(ledger))  # and released once nobody of this process waits


def test_a_run_ends_after_run_units_so_other_processes_get_their_turn(
    ledger: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(write_lock, "RUN", 1)
    db = Database(ledger)
    assert _hand_over(_queue(db)) == 0  # released after one unit, taken again
