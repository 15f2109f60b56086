"""Export (seed 002's audit files, state.json valid against the schema) and import back."""

from __future__ import annotations

import csv
import json
import shutil
from decimal import Decimal
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator
from paper_service_fixtures import ledger_counts, traded_portfolio

from export_support import reseal
from paperdesk.domain import DataError, InvalidInputError, UnknownNameError
from paperdesk.service.exports import FILES, export_portfolio
from paperdesk.service.imports import import_portfolio
from paperdesk.service.ledger_files import (
    FILL_COLUMNS,
    ORDER_COLUMNS,
    PNL_COLUMNS,
    POSITION_COLUMNS,
)
from paperdesk.service.portfolios import PortfolioService
from paperdesk.service.state_schema import state_schema, validate_state
from paperdesk.store import Database


def read_rows(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    with path.open(newline="") as handle:
        reader = csv.DictReader(handle)
        return list(reader.fieldnames or []), list(reader)


def test_the_schema_is_a_valid_draft_2020_12_schema() -> None:
    schema = state_schema()
    Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"


def test_export_writes_the_five_files_with_exact_decimals(
    database: Database, tmp_path: Path
) -> None:
    service, pid = traded_portfolio(database)
    report = export_portfolio(database, pid, tmp_path / "out")
    names = sorted(p.name for p in report.files)
    assert names == ["fills.csv", "orders.csv", "pnl_ledger.csv", "positions.csv", "state.json"]
    header, fills = read_rows(tmp_path / "out" / "fills.csv")
    assert tuple(header) == FILL_COLUMNS
    stored = service.fills(pid)
    assert [Decimal(f["price"]) for f in fills] == [f.price for f in stored]
    assert [Decimal(f["fee"]) for f in fills] == [f.fee for f in stored]
    assert all(
        Decimal(f["notional"]) == Decimal(f["quantity"]) * Decimal(f["price"]) for f in fills
    )
    assert all("e" not in f["fee"].lower() for f in fills)
    header, orders = read_rows(tmp_path / "out" / "orders.csv")
    assert tuple(header) == ORDER_COLUMNS
    assert len(orders) == len(service.orders(pid)) == report.orders
    header, positions = read_rows(tmp_path / "out" / "positions.csv")
    assert tuple(header) == POSITION_COLUMNS
    detail = service.show(pid)
    assert [(p["symbol"], Decimal(p["quantity"])) for p in positions] == [
        (p.symbol, p.quantity) for p in detail.positions
    ]
    header, ledger = read_rows(tmp_path / "out" / "pnl_ledger.csv")
    assert tuple(header) == PNL_COLUMNS
    curve = service.equity_curve(pid)
    assert [Decimal(r["equity"]) for r in ledger] == [e.equity for e in curve]
    assert [Decimal(r["fees_paid"]) for r in ledger][-1] == detail.summary.fees_paid

    state = json.loads((tmp_path / "out" / "state.json").read_text())
    validate_state(state)
    assert Draft202012Validator(state_schema()).is_valid(state)
    assert state["schema_version"] == 1
    assert Decimal(state["cash"]) == detail.summary.cash
    assert Decimal(state["totals"]["equity"]) == detail.summary.equity
    assert Decimal(state["totals"]["unrealized_pnl"]) == detail.summary.unrealized_pnl
    assert Decimal(state["totals"]["fees_paid"]) == detail.summary.fees_paid > 0
    assert [o["order_id"] for o in state["open_orders"]] == [o.order_id for o in detail.open_orders]
    assert state["settings"]["strategies"][1] == {"name": "sma-cross", "params": {"fast": 5}}
    assert state["exported_at"].endswith("+00:00")


def test_export_of_an_unknown_portfolio_fails_and_writes_nothing(
    database: Database, tmp_path: Path
) -> None:
    with pytest.raises(UnknownNameError, match="no portfolio with id 42"):
        export_portfolio(database, 42, tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_import_round_trip_gives_the_same_books(database: Database, tmp_path: Path) -> None:
    service, pid = traded_portfolio(database)
    export_portfolio(database, pid, tmp_path / "out")
    report = import_portfolio(database, tmp_path / "out", name="restored")
    new = report.portfolio_id
    assert new != pid
    before, after = service.show(pid), service.show(new)
    assert after.summary.name == "restored"
    for field in ("cash", "equity", "realized_pnl", "unrealized_pnl", "fees_paid"):
        assert getattr(after.summary, field) == getattr(before.summary, field), field
    assert after.positions == before.positions
    assert after.open_orders == before.open_orders
    assert service.fills(new) == service.fills(pid)
    assert service.trades(new) == service.trades(pid)
    assert service.orders(new) == service.orders(pid)
    assert [e.equity for e in service.equity_curve(new)] == [
        e.equity for e in service.equity_curve(pid)
    ]
    assert service.audit(new)[-1].kind == "portfolio.imported"
    # both continue from the same bar and stay identical (no bar is traded twice)
    for _ in range(15):
        service.tick(pid, "SPY")
        service.tick(new, "SPY")
    assert service.show(new).summary.cash == service.show(pid).summary.cash
    assert service.fills(new) == service.fills(pid)


def corrupt(directory: Path, file: str, old: str, new: str) -> None:
    path = directory / file
    text = path.read_text()
    assert old in text, f"{old!r} not in {file}"
    path.write_text(text.replace(old, new, 1))


def edit_state(directory: Path, change: object) -> None:
    path = directory / "state.json"
    state = json.loads(path.read_text())
    change(state)  # type: ignore[operator]
    path.write_text(json.dumps(state))


def _set(key: str, value: object) -> object:
    return lambda state: state.__setitem__(key, value)


@pytest.fixture(scope="module")
def traded_export(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The export of a portfolio traded for 30 ticks on a SQLite ledger of its own, made once
    (the trading cost ~4 s a case on 2 cores): each case below breaks a copy of it."""
    folder = tmp_path_factory.mktemp("traded")
    database = Database(f"sqlite:///{folder / 'ledger.db'}")
    try:
        _, pid = traded_portfolio(database, ticks=30)
        export_portfolio(database, pid, folder / "out")
    finally:
        database.close()
    return folder / "out"


@pytest.mark.parametrize(
    ("breakage", "message"),
    [
        (lambda d: (d / "state.json").write_text("{not json"), "not valid JSON"),
        (lambda d: (d / "state.json").unlink(), "state.json is missing"),
        (lambda d: edit_state(d, _set("cash", 1234.5)), "at cash: 1234.5 is not of type 'string'"),
        (lambda d: edit_state(d, _set("cash", "1e3")), "at cash"),
        (lambda d: edit_state(d, _set("cash", "NaN")), "at cash"),
        (lambda d: edit_state(d, _set("schema_version", 2)), "schema_version"),
        (lambda d: edit_state(d, lambda s: s.pop("positions")), "'positions' is a required"),
        (lambda d: edit_state(d, _set("cash", "1.00")), "cash is 1.00 in state.json but the fills"),
        (lambda d: edit_state(d, lambda s: s["positions"].clear()), "positions are none"),
        (lambda d: (d / "fills.csv").unlink(), "fills.csv is missing"),
        (lambda d: corrupt(d, "fills.csv", ",SPY,buy,", ",SPY,sell,"), "fills"),
        (lambda d: corrupt(d, "fills.csv", "fill_id", "id"), "expected the header"),
        (lambda d: corrupt(d, "fills.csv", ",0.", ",1e-3."), "not an exact decimal"),
        (lambda d: corrupt(d, "orders.csv", ",market,", ",teleport,"), "orders.csv line 2"),
        (
            lambda d: edit_state(d, lambda s: s["settings"].update(strategies=[{"name": "nope"}])),
            "nope",
        ),
    ],
)
def test_a_malformed_export_is_refused_with_a_clear_error_and_nothing_written(
    database: Database, tmp_path: Path, traded_export: Path, breakage: object, message: str
) -> None:
    import_portfolio(database, traded_export, name="exported")  # the ledger holds a portfolio
    service = PortfolioService(database)
    folder = tmp_path / "out"
    shutil.copytree(traded_export, folder)
    breakage(folder)  # type: ignore[operator]
    if all((folder / name).exists() for name in FILES):
        reseal(folder)  # an edited file: past the manifest, the checks inside the files refuse it
    before = ledger_counts(service)
    with pytest.raises((DataError, InvalidInputError, UnknownNameError)) as caught:
        import_portfolio(database, folder)
    assert message in str(caught.value)
    assert "\n" not in str(caught.value)
    assert ledger_counts(service) == before
