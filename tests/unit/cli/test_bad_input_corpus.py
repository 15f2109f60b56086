"""Every case of the bad-input corpus fails cleanly and changes nothing: a non-zero exit, one
``error:`` line naming the value, no traceback, and every table of the ledger as it was."""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from typer.testing import CliRunner

from bad_input_corpus import BadInput, load_corpus, run_case
from paperdesk.cli import app
from paperdesk.store import normalise_url
from table_dump import TableDump, TableDumper

CASES = load_corpus()
# the cases that reach the database, one in six, run on PostgreSQL too
DATABASE_CASES = [
    case for case in CASES if case.name.startswith(("orders_and_trading:", "listings:"))
][::6]


def _seed(home: Path, database_url: str | None = None) -> None:
    """A replay portfolio (id 1) that has traded three bars and holds a resting limit order."""
    runner = CliRunner()
    # the ledger in ``home`` unless a URL is given (a DATABASE_URL in the environment, as CI
    # sets it, must not redirect the seed)
    env: dict[str, str | None] = {"PAPERDESK_HOME": str(home), "DATABASE_URL": database_url}
    for args in (
        ["create-portfolio", "seed", "10000", "--symbol", "SPY", "--source", "replay",
         "--replay-from", "2020-01-02", "--strategy", "sma-cross", "--param", "fast=2",
         "--param", "slow=5"],
        ["trade", "1", "SPY", "LIVE"],
        ["trade", "1", "SPY", "LIVE"],
        ["trade", "1", "SPY", "LIVE"],
        ["order", "place", "1", "SPY", "buy", "1", "--type", "limit", "--limit", "100"],
    ):  # fmt: skip
        result = runner.invoke(app, args, env=env)
        assert result.exit_code == 0, (args, result.stdout, result.stderr)


@dataclass
class Ledger:
    """The seeded ledger every case runs against (restored from its copy if a case changed
    it), its table dumper and its dump."""

    home: Path
    copy: Path
    dumper: TableDumper
    seeded: TableDump

    def restore(self) -> None:
        shutil.rmtree(self.home)
        shutil.copytree(self.copy, self.home)


@pytest.fixture(scope="module")
def ledger(tmp_path_factory: pytest.TempPathFactory) -> Ledger:
    home = tmp_path_factory.mktemp("seeded") / "home"
    _seed(home)
    copy = home.parent / "copy"
    shutil.copytree(home, copy)
    dumper = TableDumper(f"sqlite:///{home / 'paperdesk.db'}")
    return Ledger(home, copy, dumper, dumper.dump())


def test_the_corpus_is_large_and_names_are_unique() -> None:
    names = [case.name for case in CASES]
    assert len(names) >= 200
    assert len(set(names)) == len(names)


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
def test_bad_input_is_refused_cleanly(
    case: BadInput, ledger: Ledger, tmp_path: Path, clean_environment: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "files"
    folder.mkdir()
    args, env = case.materialise(folder, ledger.home)

    result = run_case(args, {"PAPERDESK_HOME": str(ledger.home), **env})

    after = ledger.dumper.dump()
    if after != ledger.seeded:
        ledger.restore()

    output = result.stdout + result.stderr
    assert result.exception is None or isinstance(result.exception, SystemExit), output
    assert "Traceback" not in output
    assert result.exit_code == case.exit_code, output
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1, result.stderr
    assert case.message in result.stderr, result.stderr
    assert after == ledger.seeded


@dataclass
class PostgresLedger:
    """The seeded ledger in a schema of its own on the PostgreSQL server."""

    home: Path
    url: str
    dumper: TableDumper
    seeded: TableDump


@pytest.fixture(scope="module")
def postgres_ledger(
    postgres_server: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[PostgresLedger]:
    schema = f"corpus_{uuid.uuid4().hex[:12]}"
    admin = create_engine(normalise_url(postgres_server))
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = (
        make_url(normalise_url(postgres_server))
        .update_query_dict({"options": f"-csearch_path={schema}"})
        .render_as_string(hide_password=False)
    )
    try:
        home = tmp_path_factory.mktemp("postgres-home")
        _seed(home, url)
        dumper = TableDumper(url)
        yield PostgresLedger(home, url, dumper, dumper.dump())
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.mark.parametrize("case", DATABASE_CASES, ids=lambda case: case.name)
def test_bad_input_is_refused_cleanly_on_postgresql(
    case: BadInput,
    postgres_ledger: PostgresLedger,
    tmp_path: Path,
    clean_environment: pytest.MonkeyPatch,
) -> None:
    args, env = case.materialise(tmp_path, postgres_ledger.home)
    environment = {"PAPERDESK_HOME": str(postgres_ledger.home), "DATABASE_URL": postgres_ledger.url}

    result = run_case(args, {**environment, **env})

    output = result.stdout + result.stderr
    assert result.exception is None or isinstance(result.exception, SystemExit), output
    assert "Traceback" not in output
    assert result.exit_code == case.exit_code, output
    assert [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert case.message in result.stderr, result.stderr
    assert postgres_ledger.dumper.dump() == postgres_ledger.seeded
