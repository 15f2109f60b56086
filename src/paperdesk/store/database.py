"""Connections and migrations: how the ledger at a given URL is opened and kept current.

``Database(url)`` opens the ledger at ``url`` (``postgresql://...`` uses psycopg 3; a SQLite file
is opened in WAL mode); ``paperdesk.settings`` says which URL is configured. Every write
transaction on SQLite begins ``IMMEDIATE`` (it takes the write lock up front, so two processes
never both read a state and then both write), and on PostgreSQL the repository locks the
portfolio row it changes; a fresh database is migrated to the newest schema on first use.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, ExitStack, contextmanager, nullcontext
from contextvars import ContextVar
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import (
    ArgumentError,
    DatabaseError,
    IntegrityError,
    InterfaceError,
    InternalError,
    OperationalError,
)

from paperdesk.domain import DataError, InvalidInputError, LedgerUnavailableError, PaperdeskError
from paperdesk.domain.records import OutboxEntry
from paperdesk.store.durability import WalSync
from paperdesk.store.pool_checks import ping_after_idle
from paperdesk.store.prebuilt import send
from paperdesk.store.sqlite_ledger import (
    SQLITE_BUSY_TIMEOUT_MS,
    SQLITE_PRAGMAS,
    connection_problem,
    head_revision,
    known_revisions,
    storage_problem,
)
from paperdesk.store.unit_connections import KeptConnections
from paperdesk.store.write_lock import WriterQueue

if TYPE_CHECKING:
    from alembic.config import Config
    from sqlalchemy.orm import Session, sessionmaker

    from paperdesk.store.repository import LedgerRepository

log = logging.getLogger(__name__)

_MIGRATIONS = Path(__file__).parent / "migrations"


_MIGRATION_LOCK = 7_301_955  # PostgreSQL advisory lock key held while migrating


POSTGRES_NAMES = ("postgresql", "postgres")  # postgres:// is what Heroku and others hand out
_PASSWORD = re.compile(r"(://[^:/@\s]*:)[^@\s]*@")


def masked_url(url: str) -> str:
    """``url`` with any password replaced by ``***`` (also in a URL too malformed to parse)."""
    return _PASSWORD.sub(r"\1***@", url)


def normalise_url(url: str) -> str:
    """Use psycopg 3 for ``postgresql://`` (and Heroku-style ``postgres://``) URLs; refuse
    databases paperdesk does not run on."""
    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError):
        raise InvalidInputError(
            f"DATABASE_URL {masked_url(url)!r} is not a database URL (expected "
            "sqlite:///path/to/file.db or postgresql://user:password@host/database)"
        ) from None
    backend = parsed.get_backend_name()
    if backend in POSTGRES_NAMES:
        return parsed.set(drivername="postgresql+psycopg").render_as_string(hide_password=False)
    if backend == "sqlite":
        return url
    raise InvalidInputError(f"DATABASE_URL: paperdesk runs on sqlite or postgresql, not {backend}")


def sqlite_file(url: str) -> Path | None:
    """The file of a SQLite URL (None for PostgreSQL and in-memory databases)."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return Path(parsed.database).expanduser()


# Connections per process: the API serves 8 requests at once (api/app.py), each holding at most
# two (its transaction and a bar read), so a burst never starves the pool.
POOL_SIZE = 4
OVERFLOW = 16


def make_engine(url: str) -> Engine:
    if make_url(url).get_backend_name() != "sqlite":
        # a connection idle for a while is pinged before use, not every one: a round trip less
        # per checkout (store/pool_checks.py)
        engine = create_engine(url, pool_size=POOL_SIZE, max_overflow=OVERFLOW)
        ping_after_idle(engine)
        return engine
    # Pooled connections: opening one (and its pragmas) cost more than a whole order placement.
    # A connection serves one thread at a time (the pool hands it out), so sharing is safe.
    engine = create_engine(
        url,
        pool_size=POOL_SIZE,
        max_overflow=OVERFLOW,
        connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000, "check_same_thread": False},
    )
    event.listen(engine, "connect", _configure_sqlite)
    event.listen(engine, "begin", _begin_immediate)
    return engine


def _configure_sqlite(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.isolation_level = None  # transactions are begun by _begin_immediate
    cursor = dbapi_connection.cursor()
    for pragma in SQLITE_PRAGMAS:  # WAL at synchronous=NORMAL, synced by the Database
        cursor.execute(pragma)
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.close()


def _begin_immediate(connection: Any) -> None:
    """SQLite's BEGIN of every transaction (``IMMEDIATE``: a writer takes the write lock now),
    on the driver's cursor when nothing listens to the statements (``prebuilt.send``: about
    50 us of SQLAlchemy's execution context a transaction less, docs/live-speed.md, "Orders
    over HTTP, tenth pass")."""
    mode = connection.get_execution_options().get("sqlite_begin", "IMMEDIATE")
    send(connection, f"BEGIN {mode}")


def check_sqlite_file(file: Path, engine: Engine) -> None:
    """A SQLite ledger file must hold a database: not zero bytes (a file that was truncated, or
    made by something else, is never taken as a new ledger), and ``PRAGMA quick_check`` must
    find it intact."""
    if file.is_dir():
        raise DataError(f"the SQLite ledger {file} is a folder, not a database file")
    if file.stat().st_size == 0:
        raise DataError(
            f"the SQLite ledger {file} is an empty file (0 bytes), not a paperdesk database; "
            "move it away or delete it to start a new ledger there"
        )
    try:
        with engine.connect() as connection:
            findings = [row[0] for row in connection.exec_driver_sql("PRAGMA quick_check")]
    except DatabaseError as error:
        reason = str(error.orig or error).strip().splitlines()[0]
        raise DataError(f"the SQLite ledger {file} cannot be read: {reason}") from None
    if findings != ["ok"]:
        raise DataError(
            f"the SQLite ledger {file} is corrupt (PRAGMA quick_check: {findings[0]}); "
            "restore it from a backup"
        )


class DuplicateTickError(PaperdeskError):
    """Another transaction recorded the same (portfolio, strategy, symbol, bar) tick first."""


class DuplicateClientOrderIdError(PaperdeskError):
    """An order row took a client order id the portfolio already used (its unique key): a
    unit of work placing a client's id does not read first, the key refuses the second use."""


# the unique keys whose violation is a paperdesk error: PostgreSQL names the constraint, SQLite
# the columns
_UNIQUE_KEYS: tuple[tuple[tuple[str, str], type[PaperdeskError]], ...] = (
    (("uq_tick_runs_key", "tick_runs.portfolio_id"), DuplicateTickError),
    (
        ("uq_orders_client_order_id", "orders.portfolio_id, orders.client_order_id"),
        DuplicateClientOrderIdError,
    ),
)


def _unique_key_error(error: IntegrityError) -> PaperdeskError | None:
    """The paperdesk error of a violated unique key it knows, else None."""
    text_of_error = str(error.orig)
    for names, kind in _UNIQUE_KEYS:
        if any(name in text_of_error for name in names):
            return kind(text_of_error)
    return None


def _is_connection_problem(error: OperationalError | InterfaceError) -> bool:
    """A server that is down or refuses us, or a SQLite file that cannot be opened — not a
    lock timeout or a bad statement, which stay errors of their own."""
    if isinstance(error, InterfaceError) or getattr(error, "connection_invalidated", False):
        return True
    return connection_problem(str(error.orig))


def _storage_problem(error: OperationalError | InternalError) -> str | None:
    """What to check when the disk under the ledger refused a write, else None."""
    return storage_problem(str(error.orig))


def _repository(session: Session, unit: HeldUnit | None = None) -> LedgerRepository:
    """A repository on ``session``. The repository and the ORM load with the first session:
    a command that only writes or reads bars (Core, ``SqlBarStore``) never loads them."""
    from paperdesk.store.repository import LedgerRepository

    return LedgerRepository(session, unit)


class HeldUnit:
    """The transactions of one block (``Database.held``) made one unit of work: the first
    ``transaction`` opens its session (and takes SQLite's writer slot), every later
    ``transaction``, ``dry_transaction``, ``writing_connection`` and ``reading`` in the same
    context joins it, and the whole commits once when the block ends, or rolls back whole if
    it raised. Each joined transaction runs in a SAVEPOINT, so one that raises leaves the
    unit as it was before it (what a separate transaction that rolled back leaves)."""

    def __init__(self, database: Database, on_open: Callable[[LedgerRepository], None] | None):
        self.database = database
        self.on_open = on_open
        self.session: Session | None = None
        self._resources = ExitStack()
        self.repositories: list[LedgerRepository] = []  # every joined transaction's
        self.kept: list[LedgerRepository] = []  # the joined transactions that ended well
        self.committed: list[OutboxEntry] = []  # their numbered outbox entries

    @property
    def opened(self) -> bool:
        return self.session is not None

    def _open(self) -> Session:
        """The unit's session, opened on first use: the writer slot taken, the transaction
        begun, and ``on_open`` run as its first statements."""
        if self.session is None:
            database = self.database
            self._resources.enter_context(database._writers)
            session = database._sessions()
            self._resources.callback(session.close)
            self.session = session
            with database._translated_errors():
                session.begin()
                if self.on_open is not None:
                    self.on_open(_repository(session, self))
        return self.session

    @contextmanager
    def joined(self, *, dry: bool = False) -> Iterator[LedgerRepository]:
        """One transaction of the unit, in a SAVEPOINT: released when the block ends (its
        outbox entries numbered), rolled back when it raises or when ``dry``."""
        session = self._open()
        repository = _repository(session, self)
        self.repositories.append(repository)
        # what transactions joined inside this one keep, forgotten if this one rolls back
        kept, committed = len(self.kept), len(self.committed)
        with self.database._translated_errors():
            savepoint = session.begin_nested()
            try:
                yield repository
                entries = repository.finish()
            except BaseException:
                savepoint.rollback()
                del self.kept[kept:], self.committed[committed:]
                raise
            if dry:
                savepoint.rollback()
                del self.kept[kept:], self.committed[committed:]
                return
            savepoint.commit()
        self.kept.append(repository)
        self.committed.extend(entries)

    @contextmanager
    def connection(self) -> Iterator[Connection]:
        """The unit's Core connection, in a SAVEPOINT (``writing_connection`` in a unit)."""
        session = self._open()
        with self.database._translated_errors(), session.begin_nested():
            yield session.connection()

    def reader(self) -> LedgerRepository:
        """A repository on the unit's session (reads see the unit's own writes)."""
        assert self.session is not None
        return _repository(self.session, self)


def _after_commit(repositories: Sequence[LedgerRepository]) -> None:
    """The after-commit callbacks of committed units of work (the state cache keeps what they
    left); one that raises is logged and skipped: the commit stands."""
    for repository in repositories:
        for callback in repository.on_committed:
            try:
                callback(repository)
            except Exception:
                log.exception("an after-commit callback failed (the transaction stands)")


def _end_of_unit(repositories: Sequence[LedgerRepository]) -> None:
    """The end-of-unit callbacks, committed or rolled back (the state cache's release)."""
    for repository in repositories:
        for finished in repository.on_finished:
            try:
                finished()
            except Exception:
                log.exception("an end-of-unit callback failed")


# the held unit of the running request (per thread and per async task: a context variable)
_HELD: ContextVar[HeldUnit | None] = ContextVar("paperdesk_held_unit", default=None)


class Database:
    """One ledger database: an engine, its migrations and its transactions."""

    def __init__(self, url: str, *, migrate: bool = True) -> None:
        self.url = normalise_url(url)
        self._commit_listeners: list[Callable[[Sequence[OutboxEntry]], None]] = []
        self.engine = make_engine(self.url)
        # SQLite has one writer: threads of this process queue here for it, handed over at
        # once, instead of in SQLite's busy handler, which sleeps up to 100 ms between tries
        # (a burst of 4 concurrent orders had a p99 of 560 ms); other processes on the same
        # file queue with them on a sidecar's flock (store/write_lock.py). PostgreSQL locks
        # rows, so its writers run side by side.
        file = self.file if self.dialect == "sqlite" else None
        self._writers: AbstractContextManager[object] = (
            WriterQueue(file)
            if file is not None
            else threading.RLock()
            if self.dialect == "sqlite"
            else nullcontext()
        )
        # a SQLite file's group commit (PostgreSQL syncs its own WAL at every commit)
        self.wal_sync: WalSync | None = WalSync(file) if file is not None else None
        self._idle = threading.local()  # each thread's closed unit sessions (_unit_session)
        # a SQLite file's units run one at a time: on a connection kept between them
        self._kept: KeptConnections | None = (
            KeptConnections(self.engine, self._bound_session) if file is not None else None
        )
        if migrate:
            self.prepare()

    # The sessions' makers, made at the first session: the ORM loads only then (a command that
    # only writes or reads bars uses Core connections and never loads it).
    @cached_property
    def _sessions(self) -> sessionmaker[Session]:
        from sqlalchemy.orm import sessionmaker

        return sessionmaker(self.engine, expire_on_commit=False, autoflush=True)

    def _bound_session(self, connection: Connection) -> Session:
        return self._sessions(bind=connection)

    @contextmanager
    def _unit_session(self) -> Iterator[Session]:
        """``sessionmaker.begin()`` of ``_sessions`` (a session in one transaction, committed
        when the block ends, rolled back if it raises, then closed), on a session this thread
        closed after an earlier unit when there is one: a closed session holds nothing of its
        unit (no object, no transaction, no connection) and is begun again, and a new one cost
        about 17 us a unit (its constructor, its event dispatch, the sessions' registry;
        docs/live-speed.md, "fifteenth pass"). A session is idle only between its units, so a
        unit opened inside another one in the same thread gets another session; one whose
        close failed is not kept. On a SQLite file, a session bound to a connection kept between
        units instead (``store/unit_connections.py``)."""
        if self._kept is not None:
            with self._kept.unit() as kept:
                yield kept
            return
        idle: list[Session] = self._idle.__dict__.setdefault("sessions", [])
        session = idle.pop() if idle else self._sessions()
        try:
            with session.begin():
                yield session
        finally:
            session.close()
            idle.append(session)

    @cached_property
    def _readers(self) -> sessionmaker[Session]:
        """Read-only work sees one snapshot, and on SQLite need not queue for the write
        lock."""
        from sqlalchemy.orm import sessionmaker

        readers = (
            self.engine.execution_options(isolation_level="REPEATABLE READ")  # one snapshot
            if self.dialect == "postgresql"
            else self.engine.execution_options(sqlite_begin="DEFERRED")
        )
        return sessionmaker(readers, expire_on_commit=False, autoflush=False)

    @cached_property
    def _glancers(self) -> sessionmaker[Session]:
        """A read of one statement on PostgreSQL: no BEGIN and ROLLBACK round trips (a single
        statement sees one snapshot by itself); SQLite's BEGIN costs no round trip."""
        if self.dialect != "postgresql":
            return self._readers
        from sqlalchemy.orm import sessionmaker

        return sessionmaker(
            self.engine.execution_options(isolation_level="AUTOCOMMIT"),
            expire_on_commit=False,
            autoflush=False,
        )

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def describe(self) -> str:
        return make_url(self.url).render_as_string(hide_password=True)

    def close(self) -> None:
        if self._kept is not None:
            self._kept.close()
        self.engine.dispose()
        if isinstance(self._writers, WriterQueue):
            self._writers.close()

    def ping(self) -> None:
        """Ask the server one trivial question (``SELECT 1``); raises DataError naming the
        database when it does not answer (what a readiness check needs)."""
        with self._translated_errors(), self.engine.connect() as connection:
            connection.execute(text("SELECT 1"))

    # --------------------------------------------------------------------------- migrations

    def _alembic_config(self) -> Config:
        from alembic.config import Config  # only migrating needs Alembic (a slow import)

        config = Config()
        config.set_main_option("script_location", str(_MIGRATIONS))
        return config

    def head_revision(self) -> str | None:
        """The newest schema revision this paperdesk knows."""
        return head_revision()

    def current_revision(self) -> str | None:
        """The schema revision the database is at (None when it has no schema yet).

        Read with plain SQL from Alembic's ``alembic_version`` table, so that every command's
        check does not pay for importing Alembic."""
        with self.engine.connect() as connection:
            if not self.engine.dialect.has_table(connection, "alembic_version"):
                return None
            rows = connection.execute(text("SELECT version_num FROM alembic_version")).all()
        return rows[0][0] if rows else None

    def is_current(self) -> bool:
        return self.current_revision() == self.head_revision()

    @property
    def file(self) -> Path | None:
        """The SQLite file (None for PostgreSQL and in-memory databases)."""
        return sqlite_file(self.url)

    def exists(self) -> bool:
        """Whether the database is there (a SQLite file is only created on first use)."""
        return self.file is None or self.file.exists()

    def check(self) -> None:
        """Refuse a ledger that is not usable as it is, before anything reads or migrates it:
        an empty (zero-length) or corrupt SQLite file, or a schema revision newer than this
        paperdesk knows. A SQLite file that does not exist yet is fine (it is created)."""
        file = self.file
        if file is not None and file.exists():
            check_sqlite_file(file, self.engine)
        current = self.current_revision()
        if current is not None and not self.knows_revision(current):
            raise DataError(
                f"the database {self.describe()} is at schema revision {current!r}, which this "
                f"paperdesk does not know (its newest is {self.head_revision()!r}): it was "
                "written by a newer paperdesk; upgrade paperdesk to use it"
            )

    def prepare(self) -> None:
        """Make the ledger ready for use: checked (``check``), created if it is a SQLite file
        not there yet, and migrated to the newest schema."""
        self._make_folder()
        self.check()
        if not self.is_current():
            self.upgrade()

    def _make_folder(self) -> None:
        """The SQLite ledger's folder, made if missing, or an error naming the ledger (its
        folder is PAPERDESK_HOME's, unless DATABASE_URL names another file)."""
        if self.file is None:
            return
        try:
            self.file.parent.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            folder = self.file.parent
            there = next((path for path in (folder, *folder.parents) if path.exists()), folder)
            reason = (
                f"{there} is a file, not a folder"
                if there.exists() and not there.is_dir()
                else f"{error.strerror or error} ({error.filename or folder})"
            )
            raise LedgerUnavailableError(
                f"cannot make the folder {self.file.parent} of the SQLite ledger {self.file}: "
                f"{reason}; check PAPERDESK_HOME (or DATABASE_URL)"
            ) from None

    def knows_revision(self, revision: str) -> bool:
        return revision in known_revisions()

    def upgrade(self, *, from_snapshot: bool = True) -> tuple[str | None, str | None]:
        """Apply every pending migration; return the revisions before and after. A SQLite
        file with no schema yet is made from the newest schema's snapshot instead
        (``schema_snapshot``: the same tables and rows, without Alembic's 0.2 s) unless
        ``from_snapshot`` is False."""
        self._make_folder()
        self.check()
        before = self.current_revision()
        if from_snapshot and before is None and self.dialect == "sqlite":
            from paperdesk.store import schema_snapshot

            with self.engine.begin() as connection:
                driver: Any = connection.connection.driver_connection  # this transaction
                made = schema_snapshot.apply(driver, self.head_revision())
            if made:
                self._made_durable()
                return before, self.current_revision()
        from alembic import command

        config = self._alembic_config()
        with self.engine.begin() as connection:
            if self.dialect == "postgresql":
                connection.execute(
                    text("SELECT pg_advisory_xact_lock(:key)"), {"key": _MIGRATION_LOCK}
                )
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
        self._made_durable()
        return before, self.current_revision()

    # ------------------------------------------------------------------------- transactions

    @contextmanager
    def _translated_errors(self) -> Iterator[None]:
        """A duplicate tick or client order id and an unreachable database become paperdesk
        errors."""
        try:
            yield
        except IntegrityError as error:
            known = _unique_key_error(error)
            if known is not None:
                raise known from error
            raise
        except (OperationalError, InterfaceError, InternalError) as error:
            reason = str(error.orig or error).strip().splitlines()[0]
            storage = None if isinstance(error, InterfaceError) else _storage_problem(error)
            if storage is not None:
                raise LedgerUnavailableError(
                    f"cannot write the ledger {self.describe()}: {reason} ({storage}); "
                    "nothing was written"
                ) from error
            if isinstance(error, InternalError) or not _is_connection_problem(error):
                raise
            raise LedgerUnavailableError(
                f"cannot use the database {self.describe()}: {reason}"
            ) from error

    def _held(self) -> HeldUnit | None:
        held = _HELD.get()
        return held if held is not None and held.database is self else None

    @contextmanager
    def held(self, on_open: Callable[[LedgerRepository], None] | None = None) -> Iterator[HeldUnit]:
        """Make every transaction of this block (in this thread or async context) one unit of
        work (``HeldUnit``), committed once when the block ends, or not at all if it raises.
        ``on_open`` runs first in the unit's session when its first transaction opens it (an
        Idempotency-Key's claim). The commit's after-effects are those of ``transaction``, once
        and in its order: the after-commit callbacks of every joined transaction, the end-of-unit
        callbacks, the durability wait, then the listeners told of every outbox entry."""
        if _HELD.get() is not None:
            raise RuntimeError("a held unit of work is open already in this context")
        unit = HeldUnit(self, on_open)
        token = _HELD.set(unit)
        ticket: int | None = None
        try:
            try:
                yield unit
            finally:
                _HELD.reset(token)
            if unit.session is not None:
                with self._translated_errors():
                    unit.session.commit()
                ticket = self._count_commit()
                _after_commit(unit.kept)
        finally:
            try:
                if unit.session is not None and ticket is None:
                    unit.session.rollback()
                _end_of_unit(unit.repositories)
            finally:
                unit._resources.close()  # the session closed, then the writer slot freed
        if ticket is not None:
            self._wait_durable(ticket)
            if unit.committed:
                self._tell_committed(unit.committed)

    @contextmanager
    def transaction(self) -> Iterator[LedgerRepository]:
        """One unit of work: committed when the block ends, rolled back if it raises. The
        outbox entries of the unit are numbered just before the commit (see ``LedgerWriter``).
        Inside ``held``, one joined transaction of the held unit instead."""
        held = _HELD.get()
        if held is not None and held.database is self:
            with held.joined() as joined:
                yield joined
            return
        with self._writers:
            repository: LedgerRepository | None = None
            try:
                with self._translated_errors(), self._unit_session() as session:
                    repository = _repository(session)
                    yield repository
                    committed = repository.finish()
                ticket = self._count_commit()
                # still under SQLite's write queue: the next unit of work of this process finds
                # what the callbacks keep (the state cache) instead of restoring from the rows
                _after_commit((repository,))
            finally:
                _end_of_unit((repository,) if repository is not None else ())
        self._wait_durable(ticket)  # on disk before anything is told of it
        if committed:
            self._tell_committed(committed)

    @contextmanager
    def writing_connection(self) -> Iterator[Connection]:
        """A Core connection in one write transaction (bulk writes the ORM would slow down,
        such as a bar import), committed when the block ends, on disk when it returns (the
        same queue for SQLite's write lock and the same group commit as ``transaction``).
        Inside ``held``, the held unit's connection."""
        held = self._held()
        if held is not None:
            with held.connection() as connection:
                yield connection
            return
        with self._writers:
            with self._translated_errors(), self.engine.begin() as connection:
                yield connection
            ticket = self._count_commit()
        self._wait_durable(ticket)

    def _count_commit(self) -> int:
        return self.wal_sync.committed() if self.wal_sync is not None else 0

    def _wait_durable(self, ticket: int) -> None:
        if self.wal_sync is not None:
            self.wal_sync.wait(ticket)

    def _made_durable(self) -> None:
        """Sync whatever was committed outside ``transaction`` (a migration)."""
        if self.wal_sync is not None:
            self.wal_sync.wait(self.wal_sync.committed())

    def on_commit(self, listener: Callable[[Sequence[OutboxEntry]], None]) -> None:
        """Call ``listener`` with the outbox entries of every transaction that commits with
        some, after the commit (so whatever it counts or announces is durable). A listener that
        raises is logged and skipped: the commit already happened and stands."""
        if listener not in self._commit_listeners:  # two containers on one database: once
            self._commit_listeners.append(listener)

    def _tell_committed(self, committed: Sequence[OutboxEntry]) -> None:
        for listener in self._commit_listeners:
            try:
                listener(committed)
            except Exception:
                log.exception("a commit listener failed (the transaction stands)")

    def after_commit(self, listener: Callable[[int], None]) -> None:
        """Call ``listener(last sequence)`` after every transaction that committed outbox
        entries: how the service wakes the API processes' stream tailers through Redis. The
        same hook as ``on_commit``, told only the newest sequence number."""

        def tell_last(entries: Sequence[OutboxEntry]) -> None:
            listener(entries[-1].sequence)

        self._commit_listeners.append(tell_last)

    @contextmanager
    def reading(
        self, *, durable: bool = False, one_statement: bool = False
    ) -> Iterator[LedgerRepository]:
        """A read-only unit of work (a consistent snapshot; anything written is rolled back).
        ``durable``: for readers that hand what they read on (the outbox's tailers), first
        wait until every commit this process made is on disk (``store/durability.py``).
        ``one_statement``: the block sends a single SELECT, which is its own snapshot, so
        PostgreSQL runs it outside a transaction (no BEGIN and ROLLBACK round trips); more
        than one statement would each see their own snapshot there."""
        held = self._held()
        if held is not None and held.opened:  # the held unit's own writes are seen
            yield held.reader()
            return
        if durable and self.wal_sync is not None:
            self.wal_sync.wait(self.wal_sync.latest())
        session: Session = (self._glancers if one_statement else self._readers)()
        try:
            with self._translated_errors():
                session.begin()
                yield _repository(session)
        finally:
            session.close()  # ends the transaction; rows read stay readable (not expired)

    @contextmanager
    def dry_transaction(self) -> Iterator[LedgerRepository]:
        """A unit of work that is always rolled back (dry runs write nothing); it queues for
        SQLite's write lock as a real unit does (it takes the lock with ``BEGIN IMMEDIATE``).
        Inside ``held``, a SAVEPOINT of the held unit, rolled back."""
        held = self._held()
        if held is not None:
            with held.joined(dry=True) as repository:
                yield repository
            return
        with self._writers:
            session: Session = self._sessions()
            try:
                with self._translated_errors():
                    session.begin()
                    repository = _repository(session)
                    yield repository
                    repository.finish()  # as a real unit would, then rolled back with the rest
            finally:
                session.rollback()
                session.close()
