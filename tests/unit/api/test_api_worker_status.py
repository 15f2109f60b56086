"""GET /worker: each active portfolio the key sees with the worker's lease (held now, last
round, next due) and the last tick recorded, as the ledger holds them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from api_fixtures import Harness, api, assert_refused

from paperdesk.data.clock import FixedClock
from paperdesk.service.worker import Worker
from paperdesk.store import Database

__all__ = ["api"]

REPLAY = {
    "strategies": ["macd-cross"],
    "settings": {"source": "replay", "replay_from": "2020-01-02"},
}


def by_id(body: dict[str, object], portfolio_id: int) -> dict[str, object]:
    portfolios = body["portfolios"]
    assert isinstance(portfolios, list)
    found = [p for p in portfolios if p["portfolio_id"] == portfolio_id]
    assert len(found) == 1, portfolios
    return found[0]


def test_a_worker_round_shows_as_the_last_round_and_the_last_tick(api: Harness) -> None:
    portfolio = api.create_portfolio(name="watched", **REPLAY)
    before = by_id(api.get("/worker", api.reader).json(), portfolio)
    assert before["next_due_at"] is None  # no worker has seen it yet
    assert (before["last_tick"], before["ticks"], before["held"]) == (None, 0, False)

    round_at = datetime.now(UTC).replace(microsecond=0)
    worker = Worker(api.services.portfolios, clock=FixedClock(round_at), holder="test-worker")
    report = worker.run_round()
    assert [r.portfolio_id for r in report.portfolios] == [portfolio]

    runs = api.services.portfolios.tick_runs(portfolio)
    assert len(runs) == 1  # a manual replay serves one bar per round: 2020-01-02
    after = by_id(api.get("/worker", api.reader).json(), portfolio)
    assert after["name"] == "watched"
    assert datetime.fromisoformat(after["last_round_at"]) == round_at
    assert datetime.fromisoformat(after["next_due_at"]) > round_at
    assert (after["held"], after["holder"]) == (False, None)  # handed back after the round
    assert after["ticks"] == 1
    tick = after["last_tick"]
    assert tick["symbol"] == "SPY"
    assert tick["strategy"] == "macd-cross"
    assert tick["ts_bar"].startswith("2020-01-02")
    assert (tick["outcome"], tick["summary"]) == (runs[-1].outcome, runs[-1].summary)


def test_a_held_lease_names_its_worker_until_it_expires(api: Harness, database: Database) -> None:
    portfolio = api.create_portfolio(**REPLAY)
    now = datetime.now(UTC)
    with database.transaction() as repository:
        repository.leases.enrol(now - timedelta(minutes=1), [portfolio])
        assert repository.leases.claim("host:1:abc", now, now + timedelta(minutes=10), [portfolio])
    work = by_id(api.get("/worker", api.reader).json(), portfolio)
    assert (work["held"], work["holder"]) == (True, "host:1:abc")
    with database.transaction() as repository:  # expired: a dead worker's lease is not "held"
        repository.leases.renew(portfolio, "host:1:abc", now - timedelta(seconds=1))
    work = by_id(api.get("/worker", api.reader).json(), portfolio)
    assert (work["held"], work["holder"]) == (False, None)


def test_only_the_keys_active_portfolios_are_listed(api: Harness) -> None:
    mine = api.create_portfolio(name="mine")
    other = api.create_portfolio(name="other")
    archived = api.create_portfolio(name="gone")
    assert api.post(f"/portfolios/{archived}/archive").status_code == 200
    limited = api.services.api_keys.create("limited", "read", portfolio_ids=[mine]).token
    listed = [p["portfolio_id"] for p in api.get("/worker", limited).json()["portfolios"]]
    assert listed == [mine]
    everyone = [p["portfolio_id"] for p in api.get("/worker", api.reader).json()["portfolios"]]
    assert everyone == [mine, other]


def test_without_a_key_it_is_refused(api: Harness) -> None:
    before = api.dump()
    response = api.client.get("/api/v1/worker")
    assert_refused(api, response, 401, "missing_api_key", before=before)
