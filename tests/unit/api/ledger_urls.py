"""New migrated ledgers of one database, for fixtures that want more than one ledger or one that
outlives a test (the function-scoped ``database_url`` gives a test exactly one)."""

from __future__ import annotations

from pathlib import Path

import pytest

from ledger_templates import SchemaPool


class FreshLedgers:
    """Makes the URLs of new migrated ledgers on ``database`` ("sqlite": copies of the session's
    template file in ``folder``; "postgresql": schemas of the session's pool, given back by
    ``close``)."""

    def __init__(self, request: pytest.FixtureRequest, database: str, folder: Path) -> None:
        self.request = request
        self.folder = folder
        self.pool: SchemaPool | None = (
            None if database == "sqlite" else request.getfixturevalue("postgres_schemas")
        )
        self.taken: list[str] = []

    def make(self) -> str:
        if self.pool is None:
            folder = self.folder / f"ledger-{len(self.taken)}"
            folder.mkdir()
            self.request.getfixturevalue("sqlite_template").copy_to(folder / "ledger.db")
            self.taken.append(str(folder))
            return f"sqlite:///{folder / 'ledger.db'}"
        self.taken.append(self.pool.take())
        return self.pool.url(self.taken[-1])

    def close(self) -> None:
        if self.pool is not None:
            for schema in self.taken:
                self.pool.give_back(schema)
        self.taken.clear()
