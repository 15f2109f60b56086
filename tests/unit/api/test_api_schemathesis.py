"""Schemathesis against the application's own OpenAPI document: every operation it lists
(read from the document, so endpoints added later are covered without editing this file) gets
generated requests with a valid admin key, on a seeded portfolio with an order, valid and
invalid, and must answer without a 5xx, with the documented content type and a body matching
its documented schema.

Bounded for CI: ``EXAMPLES`` generated cases per operation and pass (``PASSES``: valid requests
on the seeded ids and on ids drawn freely, and invalid requests, which must be refused with a
documented error body, never a 5xx); ``PAPERDESK_SCHEMATHESIS_EXAMPLES=200``
explores longer on demand.
"""

from __future__ import annotations

import json
import os
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from api_fixtures import API
from fastapi.responses import JSONResponse
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
)

from answer_words import options_named
from paperdesk.api import create_app
from paperdesk.api.schemas import HealthOut
from paperdesk.domain import OrderType, Side
from paperdesk.service import Services
from paperdesk.service.order_requests import OrderRequest
from paperdesk.store import Database

EXAMPLES = int(os.environ.get("PAPERDESK_SCHEMATHESIS_EXAMPLES", "5"))


@schemathesis.check
def speaks_the_api(ctx: Any, response: Any, case: Any) -> bool | None:
    """An error answer names the request's JSON fields, never a command-line option
    (``--stop-loss``): ``domain.fields``, checked by ``answer_words``."""
    if response.status_code >= 400 and (found := options_named(response.text)):
        raise AssertionError(f"an error answer names the CLI's options {found}: {response.text}")
    return None


CHECKS = [not_a_server_error, content_type_conformance, response_schema_conformance, speaks_the_api]
# (name, path ids fixed to the seeded ones, generation mode): valid requests on the seeded
# portfolio, order and key; valid requests on ids drawn freely (mostly unknown: 404s); and
# invalid requests (a wrong type, a missing field, a value out of range: 422s naming it)
PASSES = (
    ("seeded ids", True, GenerationMode.POSITIVE),
    ("free ids", False, GenerationMode.POSITIVE),
    ("invalid input", False, GenerationMode.NEGATIVE),
)


def seeded(services: Services) -> dict[str, Any]:
    """A portfolio with a resting order, and a key an operation may revoke (never the admin's
    own: revoking it would turn every later case into a 401)."""
    portfolio = services.portfolios.create_portfolio("seeded", Decimal(10000))
    services.portfolios.place_order(
        portfolio,
        OrderRequest(
            symbol="SPY",
            side=Side.BUY,
            quantity=Decimal(1),
            order_type=OrderType.LIMIT,
            limit_price=Decimal(300),
        ),
    )
    spare = services.api_keys.create("spare", "read").record.id
    return {"portfolio_id": portfolio, "order_id": "O1", "key_id": spare}


def negative_shape(operation: Any) -> str | None:
    """What the invalid pass of ``operation`` can draw from, as text, when that is its
    parameters alone (no body): two operations of the same shape draw from the same space.

    An operation whose only parameters are the key headers (``/me``, ``/worker``...) has nothing
    schemathesis can make invalid: hypothesis then rejects ~460 drawn cases before it gives up
    (``Unsatisfiable``), which cost about half of this test's time while sending no request.
    The test proves that once for each shape and skips the operations that share it."""
    if operation.body:
        return None
    parameters = sorted(
        json.dumps(p.definition, sort_keys=True) for p in operation.iter_parameters()
    )
    security = json.dumps(operation.definition.raw.get("security"), sort_keys=True)
    return "\n".join([security, *parameters])


def messages(error: BaseException) -> str:
    """The text of an error and, for a group (several failures at once), of each member."""
    inner = getattr(error, "exceptions", ())
    return "\n".join([str(error), *(messages(member) for member in inner)])


def exercise(
    operation: Any,
    token: str,
    known: dict[str, Any],
    *,
    fixed: bool,
    statuses: list[int],
    mode: GenerationMode = GenerationMode.POSITIVE,
) -> None:
    names = {p.name for p in operation.path_parameters}
    path_parameters = {n: v for n, v in known.items() if n in names and (fixed or n == "key_id")}
    strategy = operation.as_strategy(
        mode,
        path_parameters=path_parameters or None,
        headers={"Authorization": f"Bearer {token}"},
    )

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=strategy)
    def run(case: Any) -> None:
        statuses.append(case.call_and_validate(checks=CHECKS).status_code)

    run()


# One database: the fuzzing is of the API's inputs and answers (PostgreSQL's, the production
# database's, whose numeric and integer columns refuse more than SQLite's; the ledger's own
# behaviour on both databases is the subject of the other tests). The whole run took 83 s on
# SQLite and 65 s on PostgreSQL, on 2 cores.
@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_every_documented_operation_answers_within_its_schema(database: Database) -> None:
    services = Services(database=database)
    app = create_app(services)
    token = services.api_keys.create("admin", "admin").token
    known = seeded(services)
    schema = schemathesis.openapi.from_asgi(f"{API}/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 16  # the document lists every operation, ours and later ones
    failures: list[str] = []
    answered: dict[str, list[int]] = {}
    invalid: list[int] = []  # the statuses of the invalid requests
    unsatisfiable: set[str | None] = set()  # shapes proven to have nothing to make invalid
    for operation in operations:
        statuses: list[int] = []
        shape = negative_shape(operation)
        for name, fixed, mode in PASSES:
            kept = statuses if mode == GenerationMode.POSITIVE else invalid
            if mode == GenerationMode.NEGATIVE and shape is not None and shape in unsatisfiable:
                continue  # the same parameters, no body: proven unsatisfiable above
            try:
                exercise(operation, token, known, fixed=fixed, statuses=kept, mode=mode)
            except Unsatisfiable:  # nothing in this operation can be made invalid
                assert mode == GenerationMode.NEGATIVE, operation.label
                unsatisfiable.add(shape)
            except (Exception, BaseExceptionGroup) as error:  # schemathesis's FailureGroup too
                failures.append(f"{operation.label} ({name}): {error}")
        answered[operation.label] = statuses
    if failures:
        pytest.fail("\n\n".join(failures))
    # invalid requests were sent and refused as such (some pass: an unknown query parameter
    # is ignored, a number in a query string reads the same as its text)
    assert invalid.count(422) >= len(invalid) // 2, sorted(invalid)
    # the key passed authentication: each operation was reached, and many answered 2xx (random
    # orders, ticks and imports are mostly refused, with 4xx, which is right)
    assert all(401 not in statuses for statuses in answered.values()), answered
    succeeded = [label for label, statuses in answered.items() if any(s < 300 for s in statuses)]
    assert len(succeeded) >= len(operations) // 2, answered


def test_the_run_fails_on_a_server_error_or_an_answer_outside_its_schema(
    tmp_path: Path,
) -> None:
    """The checks can fail: an operation that breaks or answers off its schema is reported."""
    services = Services(database=Database(f"sqlite:///{tmp_path / 'ledger.db'}"))
    app = create_app(services)
    token = services.api_keys.create("admin", "admin").token

    @app.get(f"{API}/broken", response_model=HealthOut)
    def broken() -> HealthOut:
        raise RuntimeError("a bug")

    @app.get(f"{API}/off-schema", response_model=HealthOut)
    def off_schema() -> JSONResponse:
        return JSONResponse({"state": 3})

    @app.get(f"{API}/option-words", response_model=HealthOut, responses={422: {}})
    def option_words() -> JSONResponse:
        return JSONResponse({"code": "invalid_option", "message": "use --stop-loss"}, 422)

    schema = schemathesis.openapi.from_asgi(f"{API}/openapi.json", app)
    # over ASGI a bug propagates as itself (or is reported as a 500, were it answered)
    for path, expected in (
        ("/broken", r"a bug|500"),
        ("/off-schema", r"(?i)schema"),
        ("/option-words", r"--stop-loss"),
    ):
        operation = schema[f"{API}{path}"]["GET"]
        with pytest.raises((RuntimeError, BaseExceptionGroup)) as raised:
            exercise(operation, token, {}, fixed=True, statuses=[])
        assert re.search(expected, messages(raised.value)), messages(raised.value)
    services.close()
    services.database.close()
