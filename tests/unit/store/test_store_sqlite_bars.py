"""A CSV import's writes through the standard library's ``sqlite3`` (``store/sqlite_bars.py``)
store what ``SqlBarStore`` stores: the same ``bars`` rows, ``bar_blocks`` (payloads byte for
byte) and ``bar_series``, and the same refusals, for the import corpus (the bundled files, the
tests' and examples' reference files, the bad-input corpus's data files, edge cases of rows,
blocks, quotes and provenance), each imported four ways in a row (as it is, ``--sort
--drop-duplicates``, ``--adjusted``, and again over what is stored). Ledgers the writer does
not take (a PostgreSQL one, another revision, a corrupt file, a URL with options) are left to
``Database``; a disk that refuses the write is named as ``Database`` names it."""

from __future__ import annotations

import itertools
import sqlite3
import tomllib
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any

import pytest

from paperdesk.data.bar_store import BarStore
from paperdesk.data.importer import import_csv, import_quotes
from paperdesk.domain import LedgerUnavailableError
from paperdesk.service.container import Services
from paperdesk.settings import Settings
from paperdesk.store import Database, SqlBarStore
from paperdesk.store.sqlite_bars import SqliteBarWriter, open_current
from paperdesk.store.sqlite_ledger import plain_sqlite_file

ROOT = Path(__file__).resolve().parents[3]
BUNDLED = ROOT / "src" / "paperdesk" / "data" / "bundled"
FETCHED = datetime(2025, 1, 2, 3, 4, 5, 678901, tzinfo=UTC)
TABLES = {
    "bars": "symbol, timeframe, ts",
    "bar_blocks": "symbol, timeframe, month",
    "bar_series": "symbol, timeframe",
}
# (symbol, timeframe, asset class) of each bundled file's bars
KNOWN = {
    "bt_2006-day-001_1d.csv": ("TESTX", "1d", "equity"),
    "btpy_EURUSD_1h.csv": ("EURUSD", "1h", None),
    "btpy_GOOG_1d.csv": ("GOOG", "1d", None),
    "lean_SPY_1d.csv": ("SPY", "1d", None),
    "lean_SPY_1m.csv": ("SPY", "1m", None),
}  # not AAPL's 1d (as SPY's) nor the four of 12,000-74,000 bars: the suite stays quick
WAYS: tuple[dict[str, bool], ...] = (
    {},
    {"sort": True, "drop_duplicates": True},
    {"adjusted": True},
    {},  # the same file again, over the bars it stored
)


def _edge_cases(folder: Path) -> list[tuple[Path, str, str, str | None]]:
    """Files of the shapes the stores write differently: a row write, a block write over its
    month, a row write into a block's range, per-row providers, whole numbers, adjusted
    closes, repeated and unsorted labels, a bar at a month's last microsecond."""
    first = datetime(2024, 1, 31, 20, tzinfo=UTC)

    def minutes(count: int, start: datetime = first, step: int = 1) -> list[str]:
        return [f"{start + timedelta(minutes=step * at):%Y-%m-%dT%H:%M:%SZ}" for at in range(count)]

    header = "timestamp,open,high,low,close,volume\n"
    files = {
        "rows.csv": header + "".join(f"{t},10,11,9,10.25,100\n" for t in minutes(300)),
        "blocks.csv": header
        + "".join(
            f"{t},{10 + i % 7},{12 + i % 7},9,{10.5 + i % 7},{i}\n"
            for i, t in enumerate(minutes(6_000))
        ),
        "into_block.csv": header
        + "".join(f"{t},20,21,19,20.5,5\n" for t in minutes(30, first + timedelta(hours=3))),
        "providers.csv": "timestamp,open,high,low,close,volume,provider\n"
        + "".join(
            f"{t},1,2,0.5,1.5,7,{'alpha' if i % 3 else 'beta'}\n"
            for i, t in enumerate(minutes(400, step=7))
        ),
        "adjusted.csv": "timestamp,open,high,low,close,adj close,volume\n"
        + "".join(f"{t},10,11,9,10,{5 + i % 4},1\n" for i, t in enumerate(minutes(50))),
        "repeats.csv": header
        + "".join(f"{t},3,4,2,3.5,1\n" for t in [*minutes(20)[::-1], *minutes(5)]),
        "month_end.csv": header
        + "2024-01-31T23:59:59.999999Z,1,1,1,1,1\n2024-02-01T00:00:00Z,2,2,2,2,2\n",
        "noisy.csv": header + "".join(f"{t},10.0000000000000001,11,9,10,1\n" for t in minutes(3)),
    }
    cases = []
    for name, body in files.items():
        path = folder / name
        path.write_text(body)
        cases.append((path, "EDGE", "1m", "crypto"))
    return cases


def _corpus(folder: Path) -> list[tuple[Path, str, str, str | None]]:
    """Every file of the corpus with the series it is imported as."""
    cases = [(BUNDLED / name, *series) for name, series in KNOWN.items()]
    references = sorted({*ROOT.glob("tests/fixtures/reference/**/*.csv"),
                         *ROOT.glob("examples/**/*.csv")})  # fmt: skip
    cases += [(path, "REFX", "1d", "equity") for path in references]
    bad = tomllib.loads((ROOT / "tests/fixtures/bad_inputs/data_import.toml").read_text())
    for number, case in enumerate(bad["case"]):
        for name, body in case.get("files", {}).items():
            if name.endswith(".csv") and not body.startswith("hex:"):
                path = folder / f"bad{number}_{name}"
                path.write_text(body)
                cases.append((path, "BADX", "1d", "equity"))
    return [*cases, *_edge_cases(folder)]


def _dump(file: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of the bar store's tables, with each value's SQLite type."""
    connection = sqlite3.connect(file)
    try:
        dumped = {}
        for table, key in TABLES.items():
            columns = [row[1] for row in connection.execute(f"PRAGMA table_info({table})")]
            typed = ", ".join(f"{name}, typeof({name})" for name in columns)
            dumped[table] = connection.execute(
                f"SELECT {typed} FROM {table} ORDER BY {key}"
            ).fetchall()
        return dumped
    finally:
        connection.close()


def _outcomes(stores: tuple[BarStore, ...], action: Callable[[BarStore], object]) -> list[object]:
    """What ``action`` gave on each store: its report, or the refusal's kind and words."""
    outcomes: list[object] = []
    for store in stores:
        try:
            outcomes.append(action(store))
        except Exception as error:
            outcomes.append((type(error).__name__, str(error)))
    return outcomes


@pytest.fixture
def ledgers(
    tmp_path: Path, sqlite_template: Any
) -> Iterator[tuple[tuple[Path, BarStore], tuple[Path, BarStore]]]:
    """The same migrated SQLite ledger twice: ``SqlBarStore`` on one, the writer on the
    other."""
    old_file, new_file = tmp_path / "old.db", tmp_path / "new.db"
    sqlite_template.copy_to(old_file)
    sqlite_template.copy_to(new_file)
    database = Database(f"sqlite:///{old_file}")
    writer = open_current(f"sqlite:///{new_file}")
    assert writer is not None
    try:
        yield (old_file, SqlBarStore(database)), (new_file, writer)
    finally:
        database.close()
        writer.close()


def test_the_corpus_imported_four_ways_stores_the_same_rows(
    ledgers: tuple[tuple[Path, BarStore], tuple[Path, BarStore]], tmp_path: Path
) -> None:
    (old_file, old), (new_file, new) = ledgers
    corpus = _corpus(tmp_path)
    assert len(corpus) > 50
    imported = refused = 0
    steps = itertools.count()  # each import at its own time (the same on both stores)
    for path, symbol, timeframe, kind in corpus:
        for way in WAYS:
            fetched = FETCHED + timedelta(seconds=next(steps))
            outcomes = _outcomes(
                (old, new),
                partial(
                    import_csv, path, cache=None, symbol=symbol, timeframe=timeframe,
                    fetched_at=fetched, asset_class=kind, **way,
                ),
            )  # fmt: skip
            assert outcomes[0] == outcomes[1], (path.name, way)
            if isinstance(outcomes[0], tuple):
                refused += 1
            else:
                imported += 1
        assert _dump(old_file) == _dump(new_file), path.name
    spy = BUNDLED / "lean_SPY_1m_quotes.csv"  # merged with SPY 1m's stored bars (blocks)
    testx = (BUNDLED / "bt_2006-day-001_1d.csv").read_text().splitlines()[1:6]
    rows = tmp_path / "quotes.csv"  # quotes for bars stored as rows
    rows.write_text(
        "timestamp,bid_open,bid_high,bid_low,bid_close,bid_size,"
        "ask_open,ask_high,ask_low,ask_close,ask_size\n"
        + "".join(f"{line.split(',')[0]},1,2,0.5,1.5,10,1.1,2.1,0.6,1.6,12\n" for line in testx)
    )
    for quotes, symbol, timeframe in ((spy, "SPY", "1m"), (rows, "TESTX", "1d")):
        outcomes = _outcomes(
            (old, new),
            partial(import_quotes, quotes, cache=None, symbol=symbol, timeframe=timeframe,
                    fetched_at=FETCHED),
        )  # fmt: skip
        assert outcomes[0] == outcomes[1]
        assert not isinstance(outcomes[0], tuple), outcomes[0]
    dumped = _dump(new_file)
    assert dumped == _dump(old_file)
    assert imported > 70  # both kinds were compared
    assert refused > 40
    assert len(dumped["bars"]) > 1_000
    assert len(dumped["bar_blocks"]) > 50
    assert any(row[-2] is not None for row in dumped["bars"])  # quotes in rows too


def test_a_new_ledger_is_made_from_the_snapshot_as_database_makes_it(tmp_path: Path) -> None:
    made = open_current(f"sqlite:///{tmp_path / 'folder' / 'new.db'}")
    assert made is not None
    made.close()
    reference = Database(f"sqlite:///{tmp_path / 'reference.db'}")
    reference.close()

    def schema(file: Path) -> list[tuple[Any, ...]]:
        connection = sqlite3.connect(file)
        try:
            found = connection.execute("SELECT type, name, sql FROM sqlite_master ORDER BY rowid")
            rows = connection.execute("SELECT * FROM alembic_version").fetchall()
            return [*found.fetchall(), *rows, connection.execute("PRAGMA journal_mode").fetchone()]
        finally:
            connection.close()

    assert schema(tmp_path / "folder" / "new.db") == schema(tmp_path / "reference.db")


def test_ledgers_it_does_not_take_are_left_to_the_database(tmp_path: Path) -> None:
    old = tmp_path / "old.db"
    connection = sqlite3.connect(old)
    connection.executescript(
        "CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL);"
        "INSERT INTO alembic_version VALUES ('0001');"
    )
    connection.close()
    (tmp_path / "empty.db").write_bytes(b"")
    (tmp_path / "corrupt.db").write_bytes(b"SQLite format 3\x00" + b"\x01" * 4000)
    urls = [
        f"sqlite:///{old}",  # another revision: Alembic migrates it
        f"sqlite:///{tmp_path / 'empty.db'}",  # refused by Database
        f"sqlite:///{tmp_path / 'corrupt.db'}",
        f"sqlite:///{tmp_path / 'opts.db'}?mode=ro",  # options: Database's URL parser
        "sqlite://",
        "sqlite:///:memory:",
        "postgresql://postgres@127.0.0.1:5432/test",
    ]
    assert [open_current(url) for url in urls] == [None] * len(urls)
    assert not (tmp_path / "opts.db").exists()
    assert old.read_bytes()[:16] == b"SQLite format 3\x00"
    assert (tmp_path / "empty.db").read_bytes() == b""
    assert plain_sqlite_file(f"sqlite:///{tmp_path / 'a.db'}") == tmp_path / "a.db"


def test_the_import_service_is_the_writer_only_on_a_current_sqlite_ledger(
    database_url: str, tmp_path: Path
) -> None:
    """On SQLite the container's import service writes through ``sqlite3``; on PostgreSQL (and
    in a container handed a database) it is the market-data service, with COPY as before."""
    settings = Settings(home=tmp_path / "home", database_url=database_url)
    services = Services(settings)
    try:
        service = services.bar_import
        store = service.manager.store
        on_sqlite = database_url.startswith("sqlite")
        assert isinstance(store, SqliteBarWriter) is on_sqlite
        assert (service is services.market_data) is not on_sqlite
        assert ("database" in services.__dict__) is not on_sqlite
    finally:
        services.close()
    database = Database(database_url)
    handed = Services(settings, database=database)
    try:
        assert handed.bar_import is handed.market_data
    finally:
        handed.close()
        database.close()


def test_a_disk_that_refuses_the_write_is_named_and_nothing_is_written(
    ledgers: tuple[tuple[Path, BarStore], tuple[Path, BarStore]], tmp_path: Path
) -> None:
    (_, _), (new_file, new) = ledgers
    path, symbol, timeframe, kind = _edge_cases(tmp_path)[0]
    before = _dump(new_file)
    assert isinstance(new, SqliteBarWriter)
    new._connection.execute("PRAGMA query_only=ON")  # SQLite refuses every write

    with pytest.raises(LedgerUnavailableError, match=r"cannot write the ledger sqlite:///.*"
                       r"readonly database.*nothing was written"):  # fmt: skip
        import_csv(path, new, None, symbol=symbol, timeframe=timeframe, asset_class=kind)
    new._connection.execute("PRAGMA query_only=OFF")
    assert _dump(new_file) == before
    assert not new._connection.in_transaction
