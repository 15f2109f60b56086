"""A ledger that takes no writes (a read-only disk, a standby server) is the service's trouble,
not the request's: 503 ``ledger_unavailable`` naming the ledger, and nothing written."""

from __future__ import annotations

from api_fixtures import Harness, api

from ledger_faults import refuse_writes

__all__ = ["api"]


def test_the_api_answers_503_when_the_ledger_takes_no_writes(api: Harness) -> None:
    before = api.dump()
    refuse_writes(api.services.database)
    response = api.post("/portfolios", {"name": "desk", "cash": "1000", "symbols": ["SPY"]})
    assert response.status_code == 503, response.text
    body = response.json()
    assert body["code"] == "ledger_unavailable"
    assert body["message"].startswith("cannot write the ledger ")
    assert api.dump() == before
