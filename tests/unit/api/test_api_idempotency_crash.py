"""An Idempotency-Key holds across a crash of the server process: the claim, the request's
writes and the stored answer commit in one transaction, so a process that dies at any point
leaves either nothing (the retry runs afresh) or the whole with its answer (the retry gets it),
never a claim without an answer (409 forever) nor a second order."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from collections import Counter

import pytest
from api_fixtures import API, Harness, api

from ledger_support import check_ledger

__all__ = ["api"]

ORDER = {"symbol": "SPY", "side": "buy", "quantity": "1", "client_order_id": "crash-1"}

# a server process (the app through a TestClient) on the test's ledger that dies (os._exit:
# no cleanup, no rollback, no flush) at the step named on its command line
SERVER = textwrap.dedent(
    """
    import json, os, sys
    from fastapi.testclient import TestClient
    from paperdesk.api import create_app
    from paperdesk.service import Services
    from paperdesk.service.api_keys import ApiKeyService
    from paperdesk.store import Database

    url, token, path, body, where = sys.argv[1:6]

    def crash(*args, **kwargs):
        os._exit(17)

    if where == "answer":  # the answer's storing, after the order's own work
        ApiKeyService.complete = crash
    else:  # after the commit, before anyone is told of it or the client answered
        Database._tell_committed = crash
    services = Services(database=Database(url))
    headers = {"Authorization": f"Bearer {token}", "Idempotency-Key": "crash"}
    with TestClient(create_app(services)) as client:
        response = client.post(path, json=json.loads(body), headers=headers)
    print("answered", response.status_code, response.text)
    """
)


def serve_and_crash(api: Harness, path: str, where: str) -> None:
    finished = subprocess.run(
        [sys.executable, "-c", SERVER, api.url, api.trader, API + path, json.dumps(ORDER), where],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert finished.returncode == 17, finished.stdout + finished.stderr


def outbox_kinds(api: Harness, portfolio: int) -> Counter[str]:
    entries = api.services.outbox.entries(after=0, limit=10_000, portfolio_id=portfolio)
    return Counter(entry.kind for entry in entries)


@pytest.mark.parametrize("where", ["answer", "commit"])
def test_a_retry_after_the_server_died_gets_the_one_order(api: Harness, where: str) -> None:
    control = api.create_portfolio()  # the same order placed once, nothing crashing
    assert api.post(f"/portfolios/{control}/orders", ORDER).status_code == 201
    portfolio = api.create_portfolio()
    path = f"/portfolios/{portfolio}/orders"

    serve_and_crash(api, path, where)
    retried = api.post(path, ORDER, **{"Idempotency-Key": "crash"})

    assert retried.status_code == 201, retried.text
    orders = retried.json()["orders"]
    assert [(o["order_id"], o["client_order_id"]) for o in orders] == [("O1", "crash-1")]
    # died before the commit: nothing stood, the retry placed it; after: the retry replays it
    replayed = retried.headers.get("Idempotent-Replayed")
    assert replayed == (None if where == "answer" else "true")
    assert [o["order_id"] for o in api.get(f"{path}").json()["items"]] == ["O1"]
    assert outbox_kinds(api, portfolio) == outbox_kinds(api, control)
    again = api.post(path, ORDER, **{"Idempotency-Key": "crash"})
    assert (again.status_code, again.json()) == (201, retried.json())
    check_ledger(api.services.database, portfolio)
