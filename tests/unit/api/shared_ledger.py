"""One ledger shared by the refusal cases of a module, per database.

Each case of a refusal table proves it changed no table, so its cases may share one ledger, its
application and its portfolio: a fresh ledger, application, portfolio and "before" dump per case
cost most of such a file's time. A case that did not end by proving every table unchanged (it
changed one, or failed in any other way) leaves the next case a fresh ledger, so what it did
cannot decide the next verdict. Use: ``shared_ledger_fixture(...)`` as a module's fixture and the
``ledger`` fixture in its cases, each ending with ``ledger.proven_unchanged = True``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from typing import Any

import pytest
from api_fixtures import Harness, open_harness
from ledger_urls import FreshLedgers

from paperdesk.store import Database
from table_dump import TableDump


@dataclass
class Ledger:
    """A running application on its own ledger, holding what ``prepare`` made (``portfolio``:
    the id it answered, if any) and nothing else the cases may change; ``before`` is every
    table as it was then; ``proven_unchanged``: the last case ended by proving every table
    still is."""

    harness: Harness
    portfolio: int | None
    before: TableDump
    closing: ExitStack
    proven_unchanged: bool = False


def with_portfolio(harness: Harness) -> int:
    return harness.create_portfolio()


def empty(harness: Harness) -> None:
    return None


class SharedLedger:
    """One ``Ledger`` for the cases of one database, replaced after a case that did not prove
    it unchanged."""

    def __init__(
        self, ledgers: FreshLedgers, prepare: Callable[[Harness], int | None] = with_portfolio
    ) -> None:
        self.ledgers = ledgers
        self.prepare = prepare
        self.ledger: Ledger | None = None

    def current(self) -> Ledger:
        if self.ledger is None:
            closing = ExitStack()
            database = Database(self.ledgers.make())
            closing.callback(database.close)
            harness = closing.enter_context(open_harness(database))
            portfolio = self.prepare(harness)
            self.ledger = Ledger(harness, portfolio, harness.dump(), closing)
        return self.ledger

    def release(self, ledger: Ledger) -> None:
        """After a case: a ledger the case did not prove unchanged is discarded."""
        if not ledger.proven_unchanged:
            self.discard()

    def discard(self) -> None:
        """The current ledger is not the one the cases expect: the next case gets a new one."""
        if self.ledger is not None:
            self.ledger.closing.close()
            self.ledger = None


def shared_ledger_fixture(prepare: Callable[[Harness], int | None] = with_portfolio) -> Any:
    """A module-scoped ``shared_ledger`` fixture, once per database, whose ledgers hold what
    ``prepare`` makes."""

    @pytest.fixture(scope="module", params=["sqlite", "postgresql"])
    def shared_ledger(
        request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
    ) -> Iterator[SharedLedger]:
        ledgers = FreshLedgers(request, request.param, tmp_path_factory.mktemp("shared"))
        shared = SharedLedger(ledgers, prepare)
        yield shared
        shared.discard()
        ledgers.close()

    return shared_ledger


@pytest.fixture
def ledger(shared_ledger: SharedLedger) -> Iterator[Ledger]:
    """The shared ledger, replaced afterwards unless the test ended by proving every table
    unchanged (a failed case, whatever failed, leaves the next case a new ledger)."""
    current = shared_ledger.current()
    current.proven_unchanged = False
    yield current
    shared_ledger.release(current)
