"""The command line starts light: its help imports none of the heavy libraries, and the root
help's command list (written without importing the commands) matches the commands' own help."""

from __future__ import annotations

import inspect
import json
import os
import subprocess
import sys
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from paperdesk.cli import app
from paperdesk.cli.lazy import COMMANDS
from paperdesk.store import Database

HEAVY = (
    "pandas", "sqlalchemy", "alembic", "httpx", "exchange_calendars", "jsonschema", "numpy",
    "talib", "pyarrow", "redis", "ccxt", "prometheus_client",
    "sqlalchemy.dialects.postgresql",  # a SQLite ledger never loads PostgreSQL's dialect
)  # fmt: skip

PROBE = """
import json, sys
from typer.testing import CliRunner
from paperdesk.cli import app
result = CliRunner().invoke(app, sys.argv[1:])
heavy = [name for name in json.loads(sys.stdin.read()) if name in sys.modules]
print(json.dumps({"code": result.exit_code, "output": result.stdout, "heavy": heavy}))
"""


def in_a_fresh_interpreter(
    script: str,
    *args: str,
    env: dict[str, str] | None = None,
    watched: Sequence[str] = HEAVY,
) -> dict[str, object]:
    """Run ``script`` in a new Python, handing it the ``watched`` names; its JSON answer."""
    done = subprocess.run(
        [sys.executable, "-c", script, *args],
        input=json.dumps(list(watched)),
        capture_output=True,
        text=True,
        check=False,
        env=env,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)  # type: ignore[no-any-return]


def help_in_a_fresh_interpreter(*args: str) -> dict[str, object]:
    return in_a_fresh_interpreter(PROBE, *args)


@pytest.mark.parametrize("args", [("--help",), ("backtest", "--help")])
def test_help_imports_no_heavy_library(args: tuple[str, ...]) -> None:
    outcome = help_in_a_fresh_interpreter(*args)
    assert outcome["code"] == 0
    assert "Usage" in str(outcome["output"])
    assert outcome["heavy"] == []


EVERY_HELP = """
import json, sys
from typer.testing import CliRunner
from paperdesk.cli import app
from paperdesk.cli.lazy import COMMANDS
watched = json.loads(sys.stdin.read())
loaded = {}
def note(cause):
    for name in watched:
        if name in sys.modules and name not in loaded:
            loaded[name] = cause
paths = []
for entry in COMMANDS:  # loading a command's module is what its help costs
    command = entry.load()
    note(f"loading {entry.name}")
    if hasattr(command, "list_commands"):  # a group: each subcommand's help too
        paths += [(entry.name, sub) for sub in command.list_commands(None)]
    paths.append((entry.name,))
for path in paths:
    result = CliRunner().invoke(app, [*path, "--help"])
    assert result.exit_code == 0, (path, result.stdout)
    note(" ".join(path) + " --help")
print(json.dumps({"helps": len(paths), "loaded": loaded}))
"""


def test_no_command_help_imports_a_heavy_library() -> None:
    """Every command's and subcommand's --help, one after another in one interpreter: none
    of them loads a heavy library (the first help that does is named)."""
    outcome = in_a_fresh_interpreter(EVERY_HELP)
    assert int(str(outcome["helps"])) > 30
    assert outcome["loaded"] == {}


def test_root_help_lists_every_command() -> None:
    result = CliRunner().invoke(app, ["--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0
    for command in COMMANDS:
        assert f" {command.name} " in result.stdout


@pytest.mark.parametrize("entry", COMMANDS, ids=lambda entry: entry.name)
def test_listed_help_line_is_the_commands_own(entry) -> None:  # type: ignore[no-untyped-def]
    loaded = entry.load()
    assert loaded.name == entry.name
    listed = entry.placeholder()
    assert listed.name == entry.name
    assert inspect.cleandoc(listed.help or "") == inspect.cleandoc(loaded.help or "")


SETTINGS = ["pydantic_settings", "paperdesk.settings"]


@pytest.mark.parametrize(
    ("args", "absent"),
    [
        (("--help",), [*SETTINGS, "paperdesk.service"]),
        (("backtest", "--help"), SETTINGS),
        (("portfolio", "list", "--help"), SETTINGS),
        (("-v", "data", "import", "--help"), SETTINGS),
    ],
)
def test_a_help_reads_no_settings(args: tuple[str, ...], absent: list[str]) -> None:
    """No help reads the settings: pydantic-settings (and the settings model) load only when a
    command runs; the root help does not even load the service layer. (A command's ``--help``
    runs the root callback, whose log level then comes from the flags alone.)"""
    done = subprocess.run(
        [sys.executable, "-c", PROBE, *args],
        input=json.dumps(absent),
        capture_output=True,
        text=True,
        check=True,
    )
    outcome = json.loads(done.stdout)
    assert outcome["code"] == 0
    assert "Usage" in str(outcome["output"])
    assert outcome["heavy"] == []


READ_COMMAND = """
import json, sys
from typer.testing import CliRunner
from paperdesk.cli import app
result = CliRunner().invoke(app, ["portfolio", "list", "--json"])
heavy = [name for name in json.loads(sys.stdin.read()) if name in sys.modules]
print(json.dumps({"code": result.exit_code, "output": result.stdout, "heavy": heavy}))
"""


def test_a_read_command_loads_only_the_database_layer(tmp_path: Path) -> None:
    """`portfolio list` on a ledger that exists reads it with SQLAlchemy alone: no pandas,
    no market data, no Alembic (the schema check reads the revision with plain SQL)."""
    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "REDIS_URL"} and not key.startswith("PAPERDESK_")
    }
    environment.update(PAPERDESK_HOME=str(tmp_path), PAPERDESK_ENV_FILE="none")
    # the first run creates the SQLite ledger (from the schema's snapshot: no Alembic either)
    outcomes = [in_a_fresh_interpreter(READ_COMMAND, env=environment) for _ in range(2)]
    assert [outcome["code"] for outcome in outcomes] == [0, 0]
    assert json.loads(str(outcomes[1]["output"])) == json.loads(str(outcomes[0]["output"]))
    assert outcomes[0]["heavy"] == outcomes[1]["heavy"] == ["sqlalchemy"]


COMMAND = """
import json, sys
from typer.testing import CliRunner
from paperdesk.cli import app
result = CliRunner().invoke(app, sys.argv[1:])
loaded = [name for name in json.loads(sys.stdin.read()) if name in sys.modules]
print(json.dumps({"code": result.exit_code, "output": result.output, "loaded": loaded}))
"""
PROVIDERS = (
    "httpx", "paperdesk.data.providers.aggregator", "paperdesk.data.backfill",
    "prometheus_client", "redis", "sqlalchemy.dialects.postgresql",
)  # fmt: skip


def ledger_environment(home: Path) -> dict[str, str]:
    """This environment with the SQLite ledger in ``home``: no database URL, Redis or other
    ``PAPERDESK_`` setting."""
    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "REDIS_URL"} and not key.startswith("PAPERDESK_")
    }
    environment.update(PAPERDESK_HOME=str(home), PAPERDESK_ENV_FILE="none")
    return environment


def run_loading(args: list[str], watched: tuple[str, ...], home: Path) -> dict[str, object]:
    """``paperdesk ARGS`` in a fresh interpreter on the SQLite ledger in ``home``: its exit
    code, output and which of ``watched`` it loaded."""
    return in_a_fresh_interpreter(COMMAND, *args, env=ledger_environment(home), watched=watched)


TWO_BARS = (
    "timestamp,open,high,low,close,volume\n2024-01-02,10,11,9,10.5,100\n"
    "2024-01-03,10.5,11,10,10.7,200\n"
)


def import_loading(path: Path, symbol: str, watched: tuple[str, ...], home: Path) -> object:
    """``paperdesk data import PATH`` (a crypto series ``symbol``) run by ``run_loading``,
    which must succeed: which of ``watched`` it loaded."""
    imported = run_loading(
        ["data", "import", str(path), "--symbol", symbol, "--asset-class", "crypto"],
        watched,
        home,
    )
    assert imported["code"] == 0, imported["output"]
    assert "Rows written" in str(imported["output"])
    return imported["loaded"]


def test_a_csv_import_loads_no_price_provider(tmp_path: Path) -> None:
    """`data import` and `data list` ask no provider: httpx, the aggregator (and its Prometheus
    counters) and the backfill stay unloaded (they load when a command asks the providers);
    on a SQLite ledger PostgreSQL's dialect is not loaded either."""
    bars = tmp_path / "two.csv"
    bars.write_text(TWO_BARS)
    created = run_loading(["data", "list"], (), tmp_path)  # creates the ledger (Alembic)
    assert created["code"] == 0, created["output"]
    assert import_loading(bars, "TWO", PROVIDERS, tmp_path) == []
    listed = run_loading(["data", "list", "--json"], PROVIDERS, tmp_path)
    assert listed["code"] == 0, listed["output"]
    assert "TWO" in str(listed["output"])
    assert listed["loaded"] == []
    status = run_loading(["data", "providers"], PROVIDERS, tmp_path)  # these do load them
    assert status["code"] == 0, status["output"]
    assert "httpx" in status["loaded"]  # type: ignore[operator]


ORM = ("sqlalchemy.orm", "paperdesk.store.models", "paperdesk.store.repository")


def test_a_csv_import_and_a_bar_listing_load_no_orm(tmp_path: Path) -> None:
    """The bar store writes and reads its tables with SQLAlchemy Core: a large import (column
    blocks) into a fresh ledger (made from the schema's snapshot, so without Alembic either), a
    small one (rows) and `data list` load neither the ORM nor the ledger's models and
    repository."""
    small = tmp_path / "two.csv"
    small.write_text(TWO_BARS)
    large = tmp_path / "many.csv"  # BLOCK_ROWS bars or more: written as column blocks
    first = datetime(2024, 1, 2, tzinfo=UTC)
    large.write_text("timestamp,open,high,low,close,volume\n" + "".join(
        f"{first + timedelta(minutes=minute):%Y-%m-%dT%H:%M:%SZ},10,11,9,10.5,1\n"
        for minute in range(6_000)
    ))  # fmt: skip
    assert import_loading(large, "MANY", (*ORM, "alembic"), tmp_path) == []  # a new ledger
    assert import_loading(small, "TWO", ORM, tmp_path) == []
    listed = run_loading(["data", "list", "--json"], ORM, tmp_path)
    assert listed["code"] == 0, listed["output"]
    series = json.loads(str(listed["output"]))["series"]
    assert {"MANY", "TWO"} <= {row["symbol"] for row in series}
    assert listed["loaded"] == []


def test_a_csv_import_on_sqlite_loads_no_sqlalchemy(tmp_path: Path) -> None:
    """On a SQLite ledger at the newest schema `data import` writes through the standard
    library's sqlite3 (store/sqlite_bars.py): a large import (blocks) into a new ledger, a
    small one (rows), the large file again over its stored months, and a refused file load no
    SQLAlchemy; a ledger at an older revision is migrated through SQLAlchemy as before."""
    small = tmp_path / "two.csv"
    small.write_text(TWO_BARS)
    large = tmp_path / "many.csv"
    first = datetime(2024, 1, 2, tzinfo=UTC)
    large.write_text("timestamp,open,high,low,close,volume\n" + "".join(
        f"{first + timedelta(minutes=minute):%Y-%m-%dT%H:%M:%SZ},10,11,9,10.5,1\n"
        for minute in range(6_000)
    ))  # fmt: skip
    home = tmp_path / "home"
    assert import_loading(large, "MANY", ("sqlalchemy",), home) == []  # a new ledger
    assert import_loading(small, "TWO", ("sqlalchemy",), home) == []
    assert import_loading(large, "MANY", ("sqlalchemy",), home) == []  # over its blocks
    bad = tmp_path / "bad.csv"
    bad.write_text("timestamp,open,high,low,close,volume\n2024-01-02,10,9,11,10,1\n")
    refused = run_loading(["data", "import", str(bad), "--symbol", "TWO"], ("sqlalchemy",), home)
    assert refused["code"] == 1
    assert refused["loaded"] == []
    listed = run_loading(["data", "list", "--json"], (), home)
    rows = {row["symbol"]: row["rows"] for row in json.loads(str(listed["output"]))["series"]}
    assert rows["MANY"] == 6_000
    assert rows["TWO"] == 2

    from alembic import command

    older = tmp_path / "older"  # a ledger at an older revision: migrated, with SQLAlchemy
    older.mkdir()
    database = Database(f"sqlite:///{older / 'paperdesk.db'}", migrate=False)
    config = database._alembic_config()
    with database.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0010")
    database.close()
    assert import_loading(small, "TWO", ("sqlalchemy",), older) == ["sqlalchemy"]
    assert Database(f"sqlite:///{older / 'paperdesk.db'}", migrate=False).is_current()


FEED = ("paperdesk.service.live_feeds", "paperdesk.live.feed", "paperdesk.data.feed_age")
IN_TURN = """
import json, sys
from typer.testing import CliRunner
from paperdesk.cli import app
watched = json.loads(sys.stdin.read())
outcomes = []
for line in sys.argv[1:]:  # one command a line, in turn in this interpreter
    result = CliRunner().invoke(app, line.split())
    loaded = [name for name in watched if name in sys.modules]
    outcomes.append({"code": result.exit_code, "output": result.output, "loaded": loaded})
print(json.dumps({"outcomes": outcomes}))
"""


def test_the_small_commands_load_only_what_they_use(tmp_path: Path) -> None:
    """On a portfolio that is not fed live: `portfolio show` and `orders` read the ledger with
    SQLAlchemy alone (the detail's feed health, which a live portfolio alone has, loaded the
    live feed and with it pandas and the providers); then `trade ... DRY` loads pandas and the
    engine it runs, but no live feed, provider or httpx."""
    created = run_loading(["create-portfolio", "bot", "10000", "--symbol", "SPY"], (), tmp_path)
    assert created["code"] == 0, created["output"]
    lines = ["portfolio show 1 --json", "orders 1 --json", "trade 1 SPY DRY"]
    watched = (*HEAVY, *PROVIDERS, *FEED)
    answer = in_a_fresh_interpreter(
        IN_TURN, *lines, env=ledger_environment(tmp_path), watched=watched
    )
    show, orders, dry = answer["outcomes"]  # type: ignore[misc]
    assert [show["code"], orders["code"], dry["code"]] == [0, 0, 0], dry["output"]
    assert json.loads(show["output"])["portfolio"]["id"] == 1
    assert show["loaded"] == orders["loaded"] == ["sqlalchemy"]
    assert "DRY RUN (nothing written)" in dry["output"]
    assert not set(dry["loaded"]) & {*PROVIDERS, *FEED}
    assert "pandas" in dry["loaded"]
