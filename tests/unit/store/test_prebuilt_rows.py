"""The order path's statements sent as driver-level SQL (``store.prebuilt``) write the same rows
as SQLAlchemy's ``session.execute`` of the same statements: a scripted sequence of placements
(with and without client order ids), cancels, a modify, a market order filled by a tick, a
bracket placed and canceled, and a refused duplicate client id, run once on each
path on two fresh databases, leaves every table the same, byte for byte (SQLite's stored
values, PostgreSQL's rows as text). And the path is taken: a placement's and a cancel's writes
reach the driver without a compiled statement. SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Column, Integer, MetaData, Table, event, insert, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ledger_support import spy_slice
from ledger_templates import SchemaPool, SqliteTemplate
from paperdesk.config import RunConfig, SourceConfig
from paperdesk.domain import OrderType, Side
from paperdesk.domain.records import PortfolioRecord
from paperdesk.live import runner
from paperdesk.routing.pretrade import OrderRefusedError
from paperdesk.service import portfolios as portfolio_module
from paperdesk.service.portfolios import OrderRequest, PortfolioService
from paperdesk.store import Database, prebuilt
from paperdesk.store.models import Base, PortfolioRow
from paperdesk.store.tables import PORTFOLIOS

START = datetime(2026, 1, 5, 14, 30, tzinfo=UTC)


class _Clock:
    """``datetime`` for the modules that stamp rows with the wall clock: a second later at
    each reading, from ``START``."""

    readings = 0

    @classmethod
    def now(cls, tz: Any = None) -> datetime:
        cls.readings += 1
        return START + timedelta(seconds=cls.readings)


def _limit(price: str, client_order_id: str | None = None) -> OrderRequest:
    return OrderRequest(
        "SPY",
        Side.BUY,
        Decimal(1),
        OrderType.LIMIT,
        limit_price=Decimal(price),
        client_order_id=client_order_id,
    )


def _script(database: Database, bars: Path) -> None:
    """Every kind of order unit the API's routes make, and a tick that fills."""
    settings = RunConfig(
        symbols=("SPY",),
        source=SourceConfig("replay", files={"SPY": str(bars)}, replay_from=date(2019, 2, 1)),
    )
    service = PortfolioService(database)
    pid = service.create_portfolio("rows", Decimal(100000), settings=settings)
    service.tick(pid, "SPY")
    placed = [
        service.place_order(pid, _limit(price, client_id))[0].order_id
        for price, client_id in (("200", None), ("201.5", "mine-1"), ("199.25", None))
    ]
    service.cancel_order(pid, placed[1])
    service.modify_order(pid, placed[2], limit_price=Decimal("198.75"))
    service.place_order(pid, OrderRequest("SPY", Side.BUY, Decimal(3)))
    service.tick(pid, "SPY")  # the market order fills
    (parent, *legs) = service.place_order(
        pid,
        OrderRequest(
            "SPY",
            Side.BUY,
            Decimal(2),
            OrderType.LIMIT,
            limit_price=Decimal(200),
            stop_loss=Decimal(190),
            take_profit=Decimal(300),
        ),
    )
    assert len(legs) == 2
    service.cancel_order(pid, parent.order_id)
    with pytest.raises(OrderRefusedError, match="mine-1"):  # a finished order's id: the unique key
        service.place_order(pid, _limit("200", "mine-1"))
    service.place_order(pid, _limit("200.5", "mine-2"))
    service.cancel_order(pid, placed[0])


def _every_table(database: Database) -> dict[str, list[str]]:
    """Every table's rows as the database stores them, in primary key order."""
    postgresql = database.dialect == "postgresql"
    found: dict[str, list[str]] = {}
    with database.engine.connect() as connection:
        for table in Base.metadata.sorted_tables:
            order = ", ".join(f'"{column.name}"' for column in table.primary_key.columns)
            shown = "CAST(t AS TEXT)" if postgresql else "*"
            rows = connection.execute(
                text(f'SELECT {shown} FROM "{table.name}" AS t ORDER BY {order}')
            )
            found[table.name] = [repr(tuple(row)) for row in rows]
    return found


@contextmanager
def _fresh_database(
    database_url: str, folder: Path, request: pytest.FixtureRequest
) -> Iterator[Database]:
    """Another new database of the same kind as ``database_url``."""
    if database_url.startswith("sqlite"):
        template: SqliteTemplate = request.getfixturevalue("sqlite_template")
        folder.mkdir()
        template.copy_to(folder / "ledger.db")
        database = Database(f"sqlite:///{folder / 'ledger.db'}")
        try:
            yield database
        finally:
            database.close()
        return
    pool: SchemaPool = request.getfixturevalue("postgres_schemas")
    schema = pool.take()
    database = Database(pool.url(schema))
    try:
        yield database
    finally:
        database.close()
        pool.give_back(schema)


def test_both_paths_write_the_same_rows(
    database_url: str,
    tmp_path: Path,
    request: pytest.FixtureRequest,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    bars = spy_slice(tmp_path, "2019-01-02", 60)
    monkeypatch.setattr(portfolio_module, "datetime", _Clock)
    monkeypatch.setattr(runner, "datetime", _Clock)
    tables: dict[bool, dict[str, list[str]]] = {}
    for number, enabled in enumerate((False, True)):
        monkeypatch.setattr(prebuilt, "ENABLED", enabled)
        _Clock.readings = 0
        with _fresh_database(database_url, tmp_path / f"ledger-{number}", request) as database:
            _script(database, bars)
            tables[enabled] = _every_table(database)
    assert tables[True]["orders"]  # the script wrote rows
    assert tables[True]["fills"]
    assert len(tables[True]["outbox"]) > 10
    assert tables[True] == tables[False]


def test_an_order_and_its_cancel_write_without_a_compiled_statement(
    database: Database, tmp_path: Path
) -> None:
    settings = RunConfig(
        symbols=("SPY",),
        source=SourceConfig(
            "replay",
            files={"SPY": str(spy_slice(tmp_path, "2019-01-02", 60))},
            replay_from=date(2019, 2, 1),
        ),
    )
    service = PortfolioService(database)
    pid = service.create_portfolio("sent", Decimal(100000), settings=settings)
    service.tick(pid, "SPY")
    service.cancel_order(pid, service.place_order(pid, _limit("200"))[0].order_id)  # warm
    sent: list[tuple[str, bool]] = []

    def seen(
        _c: object, _cursor: object, statement: str, _p: object, context: Any, _m: object
    ) -> None:
        sent.append((statement.split()[0].upper(), context.compiled is not None))

    event.listen(database.engine, "before_cursor_execute", seen)
    try:
        service.cancel_order(pid, service.place_order(pid, _limit("200"))[0].order_id)
    finally:
        event.remove(database.engine, "before_cursor_execute", seen)
    assert len(sent) >= 9  # the locks, the order, audit and outbox rows, the counter...
    # each sent as the driver-level text compiled once (a replay's reference price reads no
    # series token)
    assert not any(was_compiled for _, was_compiled in sent), sent


def test_the_locked_read_gives_the_portfolio_the_orm_read_gives(
    database: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    service = PortfolioService(database)
    pid = service.create_portfolio(
        "locked", Decimal("1234.5"), settings=RunConfig(symbols=("SPY", "AAPL"))
    )
    service.rename_portfolio(pid, "locked again")
    read: list[PortfolioRecord] = []
    for enabled in (True, False):
        monkeypatch.setattr(prebuilt, "ENABLED", enabled)
        with database.transaction() as repository:
            read.append(repository.portfolio(pid, lock=True))
    with database.reading() as repository:
        read.append(repository.portfolio(pid))  # an ORM object's values
    assert read[0].cash == Decimal("1234.5")
    assert read[0].settings["symbols"] == ["SPY", "AAPL"]
    assert repr(read[0]) == repr(read[1]) == repr(read[2])


def test_the_locked_read_sees_what_the_session_held_and_refreshes_its_copy(
    database: Database,
) -> None:
    service = PortfolioService(database)
    pid = service.create_portfolio("held", Decimal(1000), settings=RunConfig(symbols=("SPY",)))
    with database.transaction() as repository:
        session = repository._session
        row = session.get(PortfolioRow, pid)
        assert row is not None
        row.name = "pending"  # held by the session, not yet flushed
        assert repository.portfolio(pid, lock=True).name == "pending"
        session.execute(update(PORTFOLIOS).where(PORTFOLIOS.c.id == pid).values(cash=Decimal(5)))
        assert repository.portfolio(pid, lock=True).cash == Decimal(5)
        assert row.cash == Decimal(5)  # the copy held is read again


def test_the_driver_cursor_writes_the_same_rows(
    database_url: str,
    tmp_path: Path,
    request: pytest.FixtureRequest,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """On SQLite without statement listeners the compiled text goes to the driver's cursor
    (``prebuilt.DRIVER``): the same rows as through ``exec_driver_sql`` and as through
    ``session.execute``, byte for byte."""
    bars = spy_slice(tmp_path, "2019-01-02", 60)
    monkeypatch.setattr(portfolio_module, "datetime", _Clock)
    monkeypatch.setattr(runner, "datetime", _Clock)
    runs: list[int] = []
    real = prebuilt._DriverRows.run

    def counted(*arguments: Any) -> Any:
        runs.append(1)
        return real(*arguments)

    monkeypatch.setattr(prebuilt._DriverRows, "run", counted)
    tables: list[dict[str, list[str]]] = []
    for number, (enabled, driver) in enumerate(((False, False), (True, False), (True, True))):
        monkeypatch.setattr(prebuilt, "ENABLED", enabled)
        monkeypatch.setattr(prebuilt, "DRIVER", driver)
        _Clock.readings = 0
        with _fresh_database(database_url, tmp_path / f"ledger-{number}", request) as database:
            _script(database, bars)
            tables.append(_every_table(database))
    assert tables[2]["orders"]
    assert len(tables[2]["outbox"]) > 10
    assert tables[0] == tables[1] == tables[2]
    if database_url.startswith("sqlite"):
        assert len(runs) > 20  # the cursor path was taken (PostgreSQL: exec_driver_sql)
    else:
        assert runs == []


def test_a_unique_key_refused_on_the_driver_cursor_is_sqlalchemys_integrity_error(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The driver's error goes through SQLAlchemy's translation as ``exec_driver_sql`` sends
    it: the same ``IntegrityError`` (the client order id's refusal relies on it), and the
    transaction goes on."""
    metadata = MetaData()
    keyed = Table("prebuilt_keyed", metadata, Column("id", Integer, primary_key=True))
    metadata.create_all(database.engine)
    statement = prebuilt.Prebuilt(insert(keyed))
    refusals: list[tuple[type, str, type]] = []
    try:
        for number, driver in enumerate((False, True)):
            monkeypatch.setattr(prebuilt, "DRIVER", driver)
            with Session(database.engine) as session, session.begin():
                statement.execute(session, {"id": 10 + number})
                with pytest.raises(IntegrityError) as refused:
                    statement.execute(session, {"id": 10 + number})
                refusals.append((type(refused.value), str(refused.value), type(refused.value.orig)))
                if database.dialect == "sqlite":  # PostgreSQL aborts the transaction
                    statement.execute(session, [{"id": 20 + number}, {"id": 30 + number}])
            if database.dialect == "sqlite":
                with database.engine.connect() as connection:
                    count = connection.execute(text("SELECT count(*) FROM prebuilt_keyed"))
                    assert count.scalar() == 3 * (number + 1)
    finally:
        metadata.drop_all(database.engine)
    assert refusals[0] == (refusals[1][0], refusals[1][1].replace("11", "10"), refusals[1][2])


def test_the_planned_parameters_are_those_sqlalchemy_constructs(
    database_url: str,
    tmp_path: Path,
    request: pytest.FixtureRequest,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Every row's parameters converted by the statement's plan (``prebuilt._plan``) are the
    values and order ``construct_params`` with the bind processors gives, for every statement
    of the scripted sequence (its literals, its named and positional forms)."""
    bars = spy_slice(tmp_path, "2019-01-02", 60)
    planned: list[int] = []
    real = prebuilt._converted

    def comparable(parameters: Any) -> Any:
        """psycopg's ``Json`` wrappers (equal only to themselves) as what they send."""
        if isinstance(parameters, dict):
            return {key: comparable(value) for key, value in parameters.items()}
        if isinstance(parameters, tuple):
            return tuple(comparable(value) for value in parameters)
        if type(parameters).__name__ in ("Json", "Jsonb"):
            return (type(parameters).__name__, parameters.obj, parameters.dumps)
        return parameters

    def compared(compiled: Any, row: Any) -> Any:
        converted = real(compiled, row)
        constructed = prebuilt._constructed(compiled, row)
        assert type(converted) is type(constructed)
        assert comparable(converted) == comparable(constructed)
        if isinstance(converted, dict):
            assert list(converted) == list(constructed)
        if compiled.plan is not None:
            planned.append(len(compiled.plan))
        return converted

    monkeypatch.setattr(prebuilt, "_converted", compared)
    with _fresh_database(database_url, tmp_path / "ledger", request) as database:
        _script(database, bars)
    assert len(planned) > 20
    assert max(planned) > 10  # the order's upsert among them
