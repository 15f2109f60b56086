"""Rows of several tables inserted in one PostgreSQL statement (store-only).

A unit of work with fills writes fill, signal, round trip and audit rows: one INSERT each is a
round trip each to the server. Here they are one statement whose text depends only on which
tables have rows (so psycopg prepares it like the others): each table's rows are passed as one
array per column, ``unnest``-ed ``WITH ORDINALITY`` and inserted in the order given (ids
ascending in that order), each table a data-modifying CTE, the last table the main INSERT,
whose ids are returned. A table with no rows is left out. One more table keyed by its own
columns (positions) may be upserted in the same statement (``ON CONFLICT`` on its key, setting
the columns given), at most one row a key. The values go through the columns' own types
(``ExactDecimal`` refuses floats and keeps the Decimal; ``UtcDateTime`` refuses naive times;
JSON is the ``json.dumps`` text SQLAlchemy's JSON type writes on psycopg), so the rows are
those a Core INSERT of the same values writes. No table here refers to another's new rows.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from functools import cache
from typing import Any

from sqlalchemy import JSON, Column, Table, TextClause, text
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Session
from sqlalchemy.types import TypeDecorator


def _columns(table: Table) -> list[Column[Any]]:
    """The columns a row gives: all but a generated id."""
    return [column for column in table.columns if column is not table.autoincrement_column]


def _array_type(column: Column[Any], dialect: Dialect) -> str:
    """The PostgreSQL type of an array of the column's values (JSON goes as text)."""
    if isinstance(column.type, JSON):
        return "TEXT"
    return dialect.type_compiler_instance.process(column.type.dialect_impl(dialect))


def _element(column: Column[Any]) -> str:
    return f"CAST(r.{column.name} AS JSON)" if isinstance(column.type, JSON) else f"r.{column.name}"


def _insert(table: Table, dialect: Dialect, changed: tuple[str, ...] = ()) -> str:
    """The INSERT of ``table``'s rows from its arrays; with ``changed``, an upsert on its
    primary key that sets those columns of a stored row."""
    columns = _columns(table)
    names = ", ".join(column.name for column in columns)
    arrays = ", ".join(
        f"CAST(:{table.name}__{column.name} AS {_array_type(column, dialect)}[])"
        for column in columns
    )
    statement = (
        f"INSERT INTO {table.name} ({names}) "
        f"SELECT {', '.join(_element(column) for column in columns)} "
        f"FROM unnest({arrays}) WITH ORDINALITY AS r({names}, ordinal) ORDER BY r.ordinal"
    )
    if changed:
        key = ", ".join(column.name for column in table.primary_key.columns)
        sets = ", ".join(f"{name} = EXCLUDED.{name}" for name in changed)
        statement += f" ON CONFLICT ({key}) DO UPDATE SET {sets}"
    return statement


@cache
def _statement(
    tables: tuple[Table, ...], dialect: Dialect, upserted: tuple[Table, tuple[str, ...]] | None
) -> TextClause:
    *written, last = tables
    ctes = [f"written_{table.name} AS ({_insert(table, dialect)})" for table in written]
    if upserted is not None:
        table, changed = upserted
        ctes.insert(0, f"written_{table.name} AS ({_insert(table, dialect, changed)})")
    (key,) = last.primary_key.columns
    main = f"{_insert(last, dialect)} RETURNING {key.name}"
    return text(f"WITH {', '.join(ctes)} {main}" if ctes else main)


@cache
def _converters(table: Table, dialect: Dialect) -> tuple[tuple[str, Callable[[Any], Any]], ...]:
    """Each column's name and what turns a value into what its array holds."""
    converters: list[tuple[str, Callable[[Any], Any]]] = []
    for column in _columns(table):
        kind = column.type
        if isinstance(kind, JSON):
            converters.append((column.name, _json))
        elif isinstance(kind, TypeDecorator):
            converters.append((column.name, _decorated(kind, dialect)))
        else:
            converters.append((column.name, _same))
    return tuple(converters)


def _json(value: Any) -> Any:
    return None if value is None else json.dumps(value)


def _same(value: Any) -> Any:
    return value


def _decorated(kind: TypeDecorator[Any], dialect: Dialect) -> Callable[[Any], Any]:
    def convert(value: Any) -> Any:
        return kind.process_bind_param(value, dialect)

    return convert


def insert_together(
    session: Session,
    rows: Sequence[tuple[Table, Sequence[Mapping[str, Any]]]],
    upsert: tuple[Table, tuple[str, ...], Sequence[Mapping[str, Any]]] | None = None,
) -> list[int]:
    """Insert each table's rows (every column but the id, in the order given) in one
    statement; the ids of the last table's rows, ascending (the order given). ``upsert``:
    a table keyed by its columns (no id), its columns to set on a stored row and its rows (at
    most one per key), written in the same statement."""
    dialect = session.get_bind().dialect
    tables = tuple(table for table, _ in rows)
    parameters: dict[str, list[Any]] = {}
    given = [*rows, (upsert[0], upsert[2])] if upsert is not None else rows
    for table, table_rows in given:
        for name, convert in _converters(table, dialect):
            parameters[f"{table.name}__{name}"] = [convert(row[name]) for row in table_rows]
    upserted = (upsert[0], upsert[1]) if upsert is not None else None
    inserted = session.execute(_statement(tables, dialect, upserted), parameters)
    return sorted(int(identity) for identity in inserted.scalars())
