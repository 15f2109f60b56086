"""A full dump of every table of a database, found by reflection (not by the models), so a
table a migration adds, or one the models do not know, is compared too."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, MetaData, Table, TextualSelect, create_engine, select, text

TableDump = dict[str, list[tuple[Any, ...]]]

# Reflecting every table cost more than reading them (the API tests dump twice per request):
# a reflection is reused wherever the database's definitions, read in one query, are the same.
# The key is the dialect and those definitions, not the URL: every test's ledger is a new copy
# of one migrated template (a new file, a new schema URL), so a key by URL reflected again in
# each test. A reflected table names no schema or file, so it reads any database alike.
_REFLECTED: dict[tuple[str, tuple[tuple[Any, ...], ...]], MetaData] = {}
_DEFINITIONS = {
    "sqlite": "SELECT type, name, tbl_name, sql FROM sqlite_master",
    "postgresql": (
        "SELECT table_name, column_name, ordinal_position, data_type, is_nullable, "
        "column_default FROM information_schema.columns WHERE table_schema = current_schema()"
    ),
}


# Compiling each table's SELECT again for every new engine (one a dump) cost half a dump: the
# statement is compiled once per reflected table and run as its text, its columns typed as the
# table's, so the rows read the same.
_READS: dict[Table, TextualSelect] = {}


def _read_all(table: Table, engine: Engine) -> TextualSelect:
    """``SELECT`` every column of ``table``, compiled once for the engine's dialect."""
    if table not in _READS:
        compiled = str(select(table).compile(dialect=engine.dialect))
        _READS[table] = text(compiled).columns(*table.columns)
    return _READS[table]


def _reflected(engine: Engine) -> MetaData:
    """The tables of the database as reflected now (or reflected before, from any database of
    the same dialect with the same definitions)."""
    with engine.connect() as connection:
        rows = connection.execute(text(_DEFINITIONS[engine.dialect.name]))
        definitions = tuple(sorted((tuple(row) for row in rows), key=repr))
    key = (engine.dialect.name, definitions)
    if key not in _REFLECTED:
        metadata = MetaData()
        metadata.reflect(engine)
        _REFLECTED[key] = metadata
    return _REFLECTED[key]


class TableDumper:
    """Reflects the tables of the database at ``url`` once; ``dump()`` reads every row."""

    def __init__(self, url: str) -> None:
        self.url = url
        engine = create_engine(url)
        try:
            self.metadata = _reflected(engine)
        finally:
            engine.dispose()

    def dump(self) -> TableDump:
        """Every row of every table, each table's rows sorted by their text; a table that
        has gone missing is reported as such."""
        engine = create_engine(self.url)
        tables: TableDump = {}
        try:
            with engine.connect() as connection:
                present = set(engine.dialect.get_table_names(connection))
                for table in self.metadata.sorted_tables:
                    if table.name not in present:
                        tables[table.name] = [("<missing>",)]
                        continue
                    rows = [tuple(row) for row in connection.execute(_read_all(table, engine))]
                    tables[table.name] = sorted(rows, key=repr)
                for name in sorted(present - set(self.metadata.tables)):
                    tables[name] = [("<new table>",)]
        finally:
            engine.dispose()
        return tables


def dump_all_tables(url: str) -> TableDump:
    """Every row of every table at ``url`` (reflected now)."""
    return TableDumper(url).dump()
