"""A full dump of every table of a database, found by reflection (not by the models), so a
table a migration adds, or one the models do not know, is compared too."""

from __future__ import annotations

from typing import Any

from sqlalchemy import MetaData, create_engine, select

TableDump = dict[str, list[tuple[Any, ...]]]


class TableDumper:
    """Reflects the tables of the database at ``url`` once; ``dump()`` reads every row."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.metadata = MetaData()
        engine = create_engine(url)
        try:
            self.metadata.reflect(engine)
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
                    rows = [tuple(row) for row in connection.execute(select(table))]
                    tables[table.name] = sorted(rows, key=repr)
                for name in sorted(present - set(self.metadata.tables)):
                    tables[name] = [("<new table>",)]
        finally:
            engine.dispose()
        return tables


def dump_all_tables(url: str) -> TableDump:
    """Every row of every table at ``url`` (reflected now)."""
    return TableDumper(url).dump()
