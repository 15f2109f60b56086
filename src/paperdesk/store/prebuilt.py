"""The order path's statements compiled once per dialect and sent as driver-level SQL through
the session's connection (store-only).

A Core statement run by ``session.execute`` costs far more than SQLite's own work: the ORM's
execution layer, the statement's cache key (walked again at every run, although the compiled
form is cached), the execution context's set-up and the result's metadata. The order path
sends the same few statements at every order and cancel (the order upsert, the audit and
outbox rows, the totals, the revisions, the outbox counter), so each ``Prebuilt`` compiles its
statement once per dialect and set of parameter names, exactly as SQLAlchemy compiles it for
``session.execute``, and at each run converts the parameters as SQLAlchemy's execution context
does (``construct_params``, then the types' bind processors in the compiled order) and sends
the compiled text with ``Connection.exec_driver_sql``: the same SQL, the same values, on the
session's connection inside its transaction, with SQLAlchemy's events (statement counters) and
error translation (a unique key's ``IntegrityError``) as before.

On SQLite, when nothing listens to the engine's or the connection's statement or error events
and statements are not echoed (the server as run), the text goes to the driver's cursor directly
(``_DriverRows``): what ``exec_driver_sql`` adds around the same ``cursor.execute`` (its
execution context, the events' and the echo's checks, the cursor result's metadata) is about
30 us a statement. A driver error still goes through the connection's
``_handle_dbapi_exception``, as in ``exec_driver_sql`` (the same ``IntegrityError`` for a
unique key, a lost connection invalidated); with a listener (the statement counters of the
tests and benchmarks) or on PostgreSQL, ``exec_driver_sql`` runs it as before.

A statement that SQLAlchemy would run differently than plain text with converted values
(Python-side column defaults computed at execution, expanding or literal-execute parameters,
a multi-row INSERT that SQLAlchemy batches into one ``VALUES`` list) is run by
``session.execute`` as before. ``ENABLED`` set to False runs every statement that way (the
old path: the equivalence tests compare the rows both paths write).
"""

from __future__ import annotations

import weakref
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

from sqlalchemy import CursorResult, util
from sqlalchemy.engine import Connection, Dialect
from sqlalchemy.exc import MultipleResultsFound, NoResultFound
from sqlalchemy.sql import ClauseElement, Executable
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.util.typing import TupleAny

if TYPE_CHECKING:  # the ORM loads only where a session is made (not for the bar store)
    from sqlalchemy.orm import Session

ENABLED = True  # False: every statement through ``session.execute`` (the old path)
DRIVER = True  # False: the compiled text through ``exec_driver_sql`` only (not the cursor)


@dataclass(slots=True)
class _Compiled:
    compiled: SQLCompiler
    text: str
    positions: tuple[str, ...] | None  # the bind names in order (positional paramstyles)
    processors: Mapping[str, Any]
    escaped: Mapping[str, str]
    # the result columns' converters, taken from the cursor's description at the first fetch
    results: list[Any] | None = None
    # each parameter the driver receives, in its order: (the bind's key, its compiled name,
    # its type's processor or None, its own value or _OWN when only SQLAlchemy may give it)
    plan: tuple[tuple[str, str, Any, Any], ...] | None = None
    names: tuple[str, ...] = ()  # the parameters' names, for a named paramstyle


_OWN = object()  # a bind that is required or computed at execution (``construct_params``)


class Prebuilt:
    """A Core statement compiled once per (dialect, parameter names, one row or many) and run
    as driver-level SQL (see the module docstring)."""

    __slots__ = ("_compiled", "statement")

    def __init__(self, statement: Executable) -> None:
        self.statement = statement
        self._compiled: dict[tuple[str, tuple[str, ...], bool], _Compiled | None] = {}

    def execute(
        self, session: Session, parameters: Mapping[str, Any] | Sequence[Mapping[str, Any]]
    ) -> CursorResult[*TupleAny] | _DriverRows:
        """Run the statement in the session's transaction with one row of parameters (a
        mapping) or several (``executemany``); returns the cursor's result."""
        return self._run(session, parameters)[0]

    def fetch(self, session: Session, parameters: Mapping[str, Any]) -> list[tuple[Any, ...]]:
        """Run a SELECT (or a statement with RETURNING) and return its rows, each value
        converted by its column's type as SQLAlchemy's result converts it."""
        result, compiled = self._run(session, parameters)
        if compiled is None:  # SQLAlchemy's result: converted already
            return [tuple(row) for row in result.fetchall()]
        processors = compiled.results
        if processors is None:
            if isinstance(result, _DriverRows):
                description = result.description
            else:
                description = result.cursor.description if result.cursor is not None else None
            dialect = session.get_bind().dialect
            processors = compiled.results = [
                column[3]._cached_result_processor(dialect, about[1])
                for column, about in zip(
                    compiled.compiled._result_columns, description or (), strict=True
                )
            ]
        rows = result.fetchall()
        return [
            tuple(
                value if process is None else process(value)
                for process, value in zip(processors, row, strict=True)
            )
            for row in rows
        ]

    def _run(
        self, session: Session, parameters: Mapping[str, Any] | Sequence[Mapping[str, Any]]
    ) -> tuple[CursorResult[*TupleAny] | _DriverRows, _Compiled | None]:
        rows: Sequence[Mapping[str, Any]]
        rows = [parameters] if isinstance(parameters, Mapping) else parameters
        connection = unit_connection(session)
        compiled = None
        if ENABLED and rows:
            compiled = self._compile(connection.dialect, tuple(rows[0]), len(rows) > 1)
        if compiled is None:
            return session.execute(self.statement, parameters), None  # type: ignore[return-value]
        converted = [_converted(compiled, row) for row in rows]
        if DRIVER and _driver_ready(connection):
            return _DriverRows.run(connection, compiled.text, converted), compiled
        if len(converted) == 1:
            return connection.exec_driver_sql(compiled.text, converted[0]), compiled
        return connection.exec_driver_sql(compiled.text, converted), compiled

    def _compile(self, dialect: Dialect, keys: tuple[str, ...], many: bool) -> _Compiled | None:
        key = (dialect.name, keys, many)
        try:
            return self._compiled[key]
        except KeyError:
            pass
        compiled = cast(ClauseElement, self.statement).compile(
            dialect=dialect, column_keys=list(keys), for_executemany=many
        )
        found = None
        if isinstance(compiled, SQLCompiler) and not (
            compiled.insert_prefetch
            or compiled.update_prefetch
            or compiled.literal_execute_params
            or compiled.post_compile_params
            or compiled.schema_translate_map
            or (many and compiled._insertmanyvalues is not None)
        ):
            found = _Compiled(
                compiled,
                compiled.string,
                tuple(compiled.positiontup or ()) if compiled.positional else None,
                compiled._bind_processors,
                dict(compiled.escaped_bind_names or {}),
            )
            _plan(found)
        self._compiled[key] = found
        return found


_UNIT_CONNECTION = "paperdesk.unit_connection"  # the session's ``info`` key


def unit_connection(session: Session) -> Connection:
    """``session.connection()``, asked of the session once a transaction: its answer is kept
    in the session's ``info`` with the transaction it was given for (a weak reference), and
    given again while that transaction is the session's current one and active. A unit of
    work sends six prebuilt statements, and the session's bookkeeping of each ask (its state
    checks, the bind's lookup) cost about as much as converting a statement's parameters. A
    SAVEPOINT, a new transaction or one no longer active (a failed flush) asks the session
    again, which begins the savepoint, the transaction, or raises as before."""
    transaction = session._transaction
    held = session.info.get(_UNIT_CONNECTION)
    if (
        held is not None
        and transaction is not None
        and held[0]() is transaction
        and transaction.is_active
    ):
        connection: Connection = held[1]
        return connection
    connection = session.connection()
    current = session._transaction
    if current is not None:
        session.info[_UNIT_CONNECTION] = (weakref.ref(current), connection)
    return connection


def _plan(compiled: _Compiled) -> None:
    """What ``construct_params`` does for every row of this statement, decided once: for each
    parameter, in the driver's order, the row's key (or the bind's compiled name) it takes,
    its processor, and the statement's own value when the row has neither (``_OWN`` for a
    required bind or one computed at execution: ``construct_params`` then, and its error).
    No plan (``construct_params`` for every row) for a compiled form holding parameters of
    its own to merge (collected while compiling) or rendering them at execution."""
    sql = compiled.compiled
    if getattr(sql, "_collected_params", None) or getattr(sql, "_render_postcompile", False):
        return
    binds = {name: bind for bind, name in sql.bind_names.items()}  # the last one wins, as there
    names = compiled.positions if compiled.positions is not None else tuple(binds)
    processors = compiled.processors
    plan = []
    for name in names:
        bind = binds[name]
        own = _OWN if bind.required or bind.callable else bind.value
        plan.append((bind.key, name, processors.get(name), own))
    compiled.plan = tuple(plan)
    compiled.names = tuple(compiled.escaped.get(name, name) for name in names)


def _converted(compiled: _Compiled, row: Mapping[str, Any]) -> Any:
    """One row's parameters as the DBAPI receives them from SQLAlchemy's execution context
    (``_constructed``), by the statement's plan: the same values, without walking the
    compiled form's binds again for every row (docs/live-speed.md, "Orders over HTTP, tenth
    pass")."""
    plan = compiled.plan
    if plan is None:
        return _constructed(compiled, row)
    values = []
    for key, name, process, own in plan:
        if key in row:
            value = row[key]
        elif name in row:
            value = row[name]
        elif own is _OWN:
            return _constructed(compiled, row)
        else:
            value = own
        values.append(value if process is None else process(value))
    if compiled.positions is not None:
        return tuple(values)
    return dict(zip(compiled.names, values, strict=True))


def _constructed(compiled: _Compiled, row: Mapping[str, Any]) -> Any:
    """One row's parameters as the DBAPI receives them from SQLAlchemy's execution context:
    every bind's value (the statement's own literals too), through its type's processor, in
    the compiled order (a tuple) or by the compiled names (a dict)."""
    values = compiled.compiled.construct_params(row, escape_names=False)
    assert values is not None
    processors = compiled.processors
    if compiled.positions is not None:
        return tuple(
            processors[name](values[name]) if name in processors else values[name]
            for name in compiled.positions
        )
    escaped = compiled.escaped
    return {
        escaped.get(name, name): (processors[name](value) if name in processors else value)
        for name, value in values.items()
    }


def send(connection: Connection, text: str) -> None:
    """Send a statement without parameters or rows (``BEGIN IMMEDIATE``) on ``connection``: on
    the driver's cursor when ``_driver_ready`` allows it, else by ``exec_driver_sql``."""
    if DRIVER and _driver_ready(connection):
        _DriverRows.run(connection, text, [()])
    else:
        connection.exec_driver_sql(text)


def _driver_ready(connection: Connection) -> bool:
    """Whether the cursor may be used directly: SQLite, nothing listening to the statements
    (the engine's own ``connect`` and ``begin`` listeners do not; ``handle_error`` listens on
    the dialect), no echo."""
    engine = connection.engine
    return (
        connection.dialect.name == "sqlite"
        and not connection._echo
        and not connection.dialect._has_events
        and not engine.dispatch.before_cursor_execute
        and not engine.dispatch.after_cursor_execute
        and not (
            connection._has_events
            and (
                connection.dispatch.before_cursor_execute
                or connection.dispatch.after_cursor_execute
            )
        )
    )


class _DriverRows:
    """A statement run on the driver's cursor, its rows fetched at once: what the order path
    reads of a ``CursorResult`` (``rowcount``, ``all``, ``fetchall``, ``scalar_one``, the
    rows in turn, the cursor's ``description``), with the driver's raw values, as
    ``exec_driver_sql``'s result gives them (driver-level SQL has no result types)."""

    __slots__ = ("_rows", "description", "rowcount")

    def __init__(self, rows: list[Any], description: Any, rowcount: int) -> None:
        self._rows = rows
        self.description = description
        self.rowcount = rowcount

    @classmethod
    def run(cls, connection: Connection, text: str, converted: list[Any]) -> _DriverRows:
        parameters: Any = converted[0] if len(converted) == 1 else converted
        cursor = connection.connection.cursor()
        try:
            if len(converted) == 1:
                cursor.execute(text, parameters)
            else:
                cursor.executemany(text, parameters)
            description = cursor.description
            rows = list(cursor.fetchall()) if description is not None else []
            done = cls(rows, description, cursor.rowcount)
        except BaseException as error:
            if isinstance(error, connection.dialect.loaded_dbapi.Error) or (
                util.is_exit_exception(error)
            ):
                # SQLAlchemy's own translation (and a lost connection's invalidation), as
                # exec_driver_sql calls it; it raises and closes the cursor
                connection._handle_dbapi_exception(error, text, parameters, cursor, None)
            cursor.close()
            raise
        cursor.close()
        return done

    def all(self) -> list[Any]:
        return list(self._rows)

    fetchall = all

    def __iter__(self) -> Any:
        return iter(self._rows)

    def scalar_one(self) -> Any:
        if not self._rows:
            raise NoResultFound("No row was found when one was required")
        if len(self._rows) > 1:
            raise MultipleResultsFound("Multiple rows were found when exactly one was required")
        return self._rows[0][0]
