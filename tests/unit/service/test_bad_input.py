"""Bad input gives a clear error that names the problem, and leaves the database unchanged."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import update

from ledger_support import dump
from paperdesk.config import RunConfig, SourceConfig
from paperdesk.domain import (
    DataError,
    InvalidInputError,
    OrderError,
    OrderType,
    PaperdeskError,
    Side,
    UnknownNameError,
)
from paperdesk.live import FixedClock
from paperdesk.service.portfolios import OrderRequest, PortfolioService
from paperdesk.store import Database
from paperdesk.store.models import PortfolioRow

NOW = datetime(2020, 3, 3, 12, tzinfo=UTC)


@pytest.fixture
def service(database: Database) -> PortfolioService:
    return PortfolioService(database, clock=FixedClock(NOW))


def _portfolio(service: PortfolioService, **settings: object) -> int:
    chosen = RunConfig(symbols=("SPY",), **settings)  # type: ignore[arg-type]
    return service.create_portfolio("bad input", Decimal(1000), settings=chosen)


def _refused(
    database: Database, error: type[PaperdeskError], match: str, action: Callable[[], object]
) -> None:
    before = dump(database)
    with pytest.raises(error, match=match):
        action()
    assert dump(database) == before


def _buy(quantity: str, symbol: str = "SPY", **fields: object) -> OrderRequest:
    return OrderRequest(symbol, Side.BUY, Decimal(quantity), **fields)  # type: ignore[arg-type]


def test_an_unknown_portfolio_is_named(database: Database, service: PortfolioService) -> None:
    _portfolio(service)
    for action in (
        lambda: service.tick(999, "SPY"),
        lambda: service.place_order(999, _buy("1")),
        lambda: service.close_position(999, "SPY"),
        lambda: service.mark_to_market(999),
        lambda: service.show(999),
    ):
        _refused(database, UnknownNameError, "no portfolio with id 999", action)


def test_an_unknown_symbol_is_named(database: Database, service: PortfolioService) -> None:
    watching = _portfolio(service)
    _refused(
        database, InvalidInputError, "does not watch NOPE", lambda: service.tick(watching, "NOPE")
    )
    _refused(
        database,
        InvalidInputError,
        "does not trade NOPE",
        lambda: service.place_order(watching, _buy("1", "NOPE")),
    )
    anything = service.create_portfolio("any symbol", Decimal(1000))
    _refused(database, PaperdeskError, "NOPE", lambda: service.tick(anything, "NOPE"))
    _refused(
        database, PaperdeskError, "NOPE", lambda: service.place_order(anything, _buy("1", "NOPE"))
    )
    with pytest.raises(PaperdeskError, match="NOPE"):
        service.create_portfolio("no data", Decimal(1000), settings=RunConfig(symbols=("NOPE",)))


@pytest.mark.parametrize("quantity", ["0", "-5", "NaN", "Infinity"])
def test_a_quantity_must_be_positive(
    database: Database, service: PortfolioService, quantity: str
) -> None:
    pid = _portfolio(service)
    _refused(
        database,
        InvalidInputError,
        "quantity must be positive",
        lambda: service.place_order(pid, _buy(quantity)),
    )


def test_an_order_needs_the_cash(database: Database, service: PortfolioService) -> None:
    pid = _portfolio(service)  # 1000 USD buys 3 SPY at about 300, not 10
    _refused(
        database,
        InvalidInputError,
        "insufficient cash: .*; at most 3 SPY would fit, not 10$",  # refused, not trimmed
        lambda: service.place_order(pid, _buy("10")),
    )
    _refused(
        database,
        InvalidInputError,
        "insufficient cash",
        lambda: service.place_order(pid, _buy("2", order_type="limit", limit_price=Decimal(600))),
    )
    assert service.place_order(pid, _buy("2"))  # what fits is accepted


def test_a_bracket_leg_on_the_wrong_side_of_its_entry_is_refused(
    database: Database, service: PortfolioService
) -> None:
    pid = _portfolio(service)  # SPY is about 300 on NOW: the market order's entry
    limit = {"order_type": OrderType.LIMIT, "limit_price": Decimal(250)}
    for fields, match in (
        ({"stop_loss": Decimal(500)}, "stop_loss 500 must be below the last price"),
        ({"take_profit": Decimal(100)}, "take_profit 100 must be above the last price"),
        ({**limit, "stop_loss": Decimal(260)}, "stop_loss 260 must be below its entry price 250"),
        ({**limit, "take_profit": Decimal(250)}, "take_profit 250 must be above its entry price"),
    ):
        _refused(
            database,
            InvalidInputError,
            match,
            lambda fields=fields: service.place_order(pid, _buy("1", **fields)),
        )
    sell = OrderRequest("SPY", Side.SELL, Decimal(1), stop_loss=Decimal(100))
    _refused(database, InvalidInputError, "above the last price .* for a sell bracket",
             lambda: service.place_order(pid, sell))  # fmt: skip
    placed = service.place_order(pid, _buy("1", **limit, stop_loss=Decimal(240)))
    assert placed  # the same legs on the right side are accepted


def test_orders_and_positions_must_exist(database: Database, service: PortfolioService) -> None:
    pid = _portfolio(service)
    _refused(
        database,
        InvalidInputError,
        "holds no SPY position",
        lambda: service.close_position(pid, "SPY"),
    )
    _refused(database, PaperdeskError, "O99", lambda: service.cancel_order(pid, "O99"))
    _refused(
        database,
        InvalidInputError,
        "cannot sell 1 SPY: the portfolio holds 0",
        lambda: service.place_order(pid, OrderRequest("SPY", Side.SELL, Decimal(1))),
    )
    (order,) = service.place_order(pid, _buy("1", client_order_id="mine"))
    _refused(
        database,
        InvalidInputError,
        "'mine' is already used",
        lambda: service.place_order(pid, _buy("1", client_order_id="mine")),
    )
    service.cancel_order(pid, order.order_id)
    finished = f"order {order.order_id} is canceled: only a working order can be"
    _refused(
        database,
        OrderError,
        f"{finished} canceled",
        lambda: service.cancel_order(pid, order.order_id),
    )
    _refused(
        database,
        OrderError,
        f"{finished} modified",
        lambda: service.modify_order(pid, order.order_id, quantity=Decimal(2)),
    )
    _refused(  # a finished order's client order id stays its own (the ledger's unique key)
        database,
        InvalidInputError,
        rf"'mine' is already used by order {order.order_id} \(canceled\)",
        lambda: service.place_order(pid, _buy("1", client_order_id="mine")),
    )


def test_an_archived_portfolio_cannot_trade(database: Database, service: PortfolioService) -> None:
    pid = _portfolio(service)
    service.archive_portfolio(pid)
    for action in (
        lambda: service.tick(pid, "SPY"),
        lambda: service.place_order(pid, _buy("1")),
        lambda: service.mark_to_market(pid),
    ):
        _refused(database, InvalidInputError, f"portfolio {pid} is archived", action)
    _refused(
        database, InvalidInputError, "already archived", lambda: service.archive_portfolio(pid)
    )


def test_nan_prices_in_a_data_file_are_refused(
    database: Database, service: PortfolioService, tmp_path: Path
) -> None:
    path = tmp_path / "xyz.csv"
    rows = [f"2020-01-{day:02d}T00:00:00Z,10,11,9,{10 + day},1000" for day in range(2, 9)]
    rows[3] = "2020-01-05T00:00:00Z,10,11,9,NaN,1000"
    path.write_text("timestamp,open,high,low,close,volume\n" + "\n".join(rows) + "\n")
    source = SourceConfig(files={"XYZ": str(path)}, asset_classes={"XYZ": "equity"})
    _refused(
        database,
        DataError,
        r"line 5: close is missing or NaN",
        lambda: service.create_portfolio(
            "nan", Decimal(1000), settings=RunConfig(symbols=("XYZ",), source=source)
        ),
    )
    pid = service.create_portfolio("nan later", Decimal(1000), settings=RunConfig(source=source))
    _refused(database, DataError, "close is missing or NaN", lambda: service.tick(pid, "XYZ"))
    _refused(
        database,
        DataError,
        "close is missing or NaN",
        lambda: service.place_order(pid, _buy("1", "XYZ")),
    )


def test_malformed_stored_settings_are_reported(
    database: Database, service: PortfolioService
) -> None:
    pid = _portfolio(service)
    with database.transaction() as repository:
        repository._session.execute(  # the database was edited behind paperdesk's back
            update(PortfolioRow).where(PortfolioRow.id == pid).values(settings={"symbols": 7})
        )
    _refused(
        database,
        InvalidInputError,
        "malformed portfolio settings",
        lambda: service.tick(pid, "SPY"),
    )
