"""The bare path reads the placement's and the cancel's path and header parameters by a plan
made when the application is built (``bare_routes._planned``), not by FastAPI's
``request_params_to_args`` on every request: the same values, the same refusals (FastAPI's
own path answers a value that does not validate), the same answers and rows (SQLite and
PostgreSQL)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from api_fixtures import Harness, api
from fastapi.dependencies.utils import request_params_to_args
from order_sequence import LIMIT, play
from starlette.datastructures import Headers

from answer_words import FieldWordsClient
from paperdesk.api import bare_routes, create_app
from paperdesk.api.routers import orders
from paperdesk.service import Services
from paperdesk.store import Database

__all__ = ["api"]

PATHS: list[dict[str, str]] = [
    {"portfolio_id": pid, "order_id": oid}
    for pid in ("1", "42", "0", "-1", "abc", "1.0", "O1", "%2B1", "9" * 30, " 1", "", "\u0661")
    for oid in ("O1", "", "x" * 64, "x" * 65, "a\x00b", "é")
]
HEADERS: list[list[tuple[bytes, bytes]]] = [
    [],
    [(b"idempotency-key", b"k-1")],
    [(b"Idempotency-Key", b"")],
    [(b"idempotency-key", b"x" * 300)],
    [(b"idempotency-key", b"first"), (b"idempotency-key", b"second")],
    [(b"idempotency-key", "é".encode())],
    [(b"idempotency_key", b"underscored")],
]


def _bare_routes() -> list[bare_routes.BareRoute]:
    found = [
        route
        for route in orders.placing_and_cancelling().routes
        if isinstance(route, bare_routes.BareRoute)
    ]
    assert len(found) == 2
    return found


def test_the_plan_reads_what_request_params_to_args_reads() -> None:
    for route in _bare_routes():
        dependant = route.dependant
        assert route.path_plan is not None
        assert route.header_plan is not None
        cases: list[tuple[Any, list[Any], Any]] = [
            (route.path_plan, dependant.path_params, path) for path in PATHS
        ]
        cases += [(route.header_plan, dependant.header_params, Headers(raw=h)) for h in HEADERS]
        refused = 0
        for plan, fields, received in cases:
            values, errors = request_params_to_args(fields, received)
            if errors:
                refused += 1
                with pytest.raises(bare_routes.NotBareError):
                    bare_routes._parameters(plan, fields, received)
                continue
            planned = bare_routes._parameters(plan, fields, received)
            assert planned == values
            assert [type(v) for v in planned.values()] == [type(v) for v in values.values()]
        assert 0 < refused < len(cases)


@pytest.fixture
def read_by_fastapi(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The bare path's calls of FastAPI's ``request_params_to_args``."""
    calls: list[int] = []

    def counted(fields: Any, received: Any) -> Any:
        calls.append(len(fields))
        return request_params_to_args(fields, received)

    monkeypatch.setattr(bare_routes, "request_params_to_args", counted)
    return calls


def test_placing_and_cancelling_read_their_parameters_by_the_plan(
    api: Harness, read_by_fastapi: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    planned: list[bool] = []
    real = bare_routes._parameters

    def recorded(plan: Any, fields: Any, received: Any) -> Any:
        planned.append(plan is not None)
        return real(plan, fields, received)

    monkeypatch.setattr(bare_routes, "_parameters", recorded)
    portfolio = api.create_portfolio(cash="10000")
    path = f"/portfolios/{portfolio}/orders"
    placed = api.post(path, LIMIT)
    keyed = api.post(path, LIMIT, **{"Idempotency-Key": "plan-1"})
    assert (placed.status_code, keyed.status_code) == (201, 201), keyed.text
    for answer in (placed, keyed):
        canceled = api.delete(f"{path}/{answer.json()['orders'][0]['order_id']}")
        assert canceled.status_code == 200, canceled.text
    assert read_by_fastapi == []
    assert planned == [True] * 8  # path and headers, four requests


@pytest.fixture(params=["sqlite", "postgresql"])
def fresh_ledgers(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Callable[[], str]]:
    """Makes the URLs of new migrated ledgers of one database."""
    taken: list[str] = []

    def make() -> str:
        if request.param == "sqlite":
            folder = tmp_path / f"ledger-{len(taken)}"
            folder.mkdir()
            request.getfixturevalue("sqlite_template").copy_to(folder / "ledger.db")
            taken.append(str(folder))
            return f"sqlite:///{folder / 'ledger.db'}"
        pool = request.getfixturevalue("postgres_schemas")
        taken.append(pool.take())
        return str(pool.url(taken[-1]))

    yield make
    if request.param == "postgresql":
        pool = request.getfixturevalue("postgres_schemas")
        for schema in taken:
            pool.give_back(schema)


def _played(url: str) -> tuple[str, int, int]:
    database = Database(url)
    services = Services(database=database)
    try:
        keys = services.api_keys
        harness = Harness(
            client=FieldWordsClient(create_app(services)),
            services=services,
            url=url,
            admin=keys.create("admin", "admin").token,
            trader=keys.create("trader", "trade").token,
            reader=keys.create("reader", "read").token,
        )
        with harness.client:
            return play(harness)
    finally:
        services.close()
        database.close()


def test_the_scripted_sequence_answers_and_writes_the_same_by_the_plan(
    fresh_ledgers: Callable[[], str], monkeypatch: pytest.MonkeyPatch
) -> None:
    planned = _played(fresh_ledgers())
    # FastAPI's own reading of the parameters on the same bare path
    monkeypatch.setattr(bare_routes, "_planned", lambda fields: None)
    read = _played(fresh_ledgers())
    assert planned == read
    assert planned[1] == 50
    assert planned[2] > 100
