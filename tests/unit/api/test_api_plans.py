"""Trade plans over the API (issue 13 item 8): filter, execute into a portfolio, reconcile, on
SQLite and PostgreSQL (the ``database`` fixture). Each happy path is checked against the
service (what the CLI calls) and the plan's own numbers; every bad plan is 422 naming each
row and field, with no table changed."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from api_fixtures import API, Harness, api, assert_refused

from paperdesk.config import RunConfig, SourceConfig
from paperdesk.domain import OrderRole, OrderType
from paperdesk.service.plans import ExecutionMode, PlanSettings
from quiet_strategy import QUIET

__all__ = ["api"]  # the fixture

# lean_SPY_1d.csv: 2021-03-01 close 389.58; lean_AAPL_1d.csv: 2021-03-01 close 127.79
PLAN = """ticker,side,qty,entry_price,take_profit,stop_loss,strength,etth_days,entry_datetime
SPY,buy,10,389.58,400,380,0.8,1.0,2021-03-02T14:30:00Z
AAPL,buy,20,127.79,135,120,0.6,1.5,2021-03-02T14:30:00Z
"""


@pytest.fixture(autouse=True)
def home(clean_environment: pytest.MonkeyPatch, tmp_path: Path) -> None:
    clean_environment.setenv("PAPERDESK_HOME", str(tmp_path / "home"))


def replay_portfolio(api: Harness) -> int:
    """SPY and AAPL replayed from 2021-03-01, that day's bar processed."""
    settings = RunConfig(
        symbols=("SPY", "AAPL"),
        source=SourceConfig("replay", replay_from=date(2021, 3, 1)),
        **QUIET,
    )
    portfolios = api.services.portfolios
    portfolio = portfolios.create_portfolio("plans", Decimal(100_000), settings=settings)
    portfolios.tick(portfolio, "SPY")
    portfolios.tick(portfolio, "AAPL")
    return portfolio


def plan_body(text: str = PLAN, **options: Any) -> dict[str, Any]:
    return {"plan": text, **options}


# ------------------------------------------------------------------------------------ filter


def test_filter_keeps_what_the_cap_allows_as_the_service_does(api: Harness, tmp_path: Path) -> None:
    # CONSERVATIVE ranks SPY (strength 0.8) before AAPL (0.6); with a 3% cap on 100,000
    # (3,000) SPY's 10 x 389.58 = 3,895.80 does not fit, AAPL's 20 x 127.79 = 2,555.80 does
    body = plan_body(mode="conservative", capital="100000", exposure_cap="0.03")
    response = api.post("/plans/filter", body, token=api.reader)
    assert response.status_code == 200, response.text
    answer = response.json()
    assert [(row["row"], row["ticker"], row["qty"]) for row in answer["rows"]] == [
        (2, "AAPL", "20")
    ]
    decisions = {row["row"]: row["decision"] for row in answer["audit"]["rows"]}
    assert decisions == {1: "dropped", 2: "kept"}
    assert answer["audit"]["exposure_used"] == "2555.80"
    # the same plan through the service, from a file as the CLI reads it
    path = tmp_path / "trade_plan.csv"
    path.write_text(PLAN, encoding="utf-8")
    settings = PlanSettings(exposure_cap=Decimal("0.03"))
    expected = api.services.plans.filter(
        path, mode=ExecutionMode.CONSERVATIVE, capital=Decimal(100_000), settings=settings
    ).audit()
    assert {**answer["audit"], "plan": None} == {**expected, "plan": None}


def test_filter_reads_a_json_plan_exactly(api: Harness) -> None:
    # JSON numbers keep their digits (never a float): 0.1 + 0.2 of a strength stays 0.3 exact
    plan = (
        '[{"ticker": "SPY", "side": "long", "qty": 3, "entry_price": 389.58, '
        '"strength": 0.3, "etth_days": 1.5, "entry_datetime": "2021-03-02"}]'
    )
    response = api.post("/plans/filter", plan_body(plan, format="json", mode="fast"))
    assert response.status_code == 200, response.text
    (row,) = response.json()["rows"]
    assert (row["side"], row["qty"], row["entry_price"], row["strength"]) == (
        "buy", "3", "389.58", "0.3",
    )  # fmt: skip
    (decision,) = response.json()["audit"]["rows"]
    assert decision["score"] == "0.2"  # fast: strength / etth_days = 0.3 / 1.5


def test_a_bad_plan_names_every_row_and_field(api: Harness) -> None:
    bad = PLAN + "SPY,buy,-5,389.58,,,0.5,1,2021-03-02\nSPY,buy,1,389.58,,390,0.5,1,2021-03-02\n"
    response = api.post("/plans/filter", plan_body(bad, mode="fast"), token=api.reader)
    assert response.status_code == 422, response.text
    body = response.json()
    assert body["code"] == "invalid_plan"
    assert [(p["row"], p["field"]) for p in body["problems"]] == [(3, "qty"), (4, "stop_loss")]
    assert "row 3, qty: '-5'" in body["message"]
    assert body["message"].startswith("trade plan upload refused, nothing filtered (2 problems)")


@pytest.mark.parametrize(
    ("text", "field", "expected"),
    [
        ("ticker,side,qty\nSPY,buy,1\n", "entry_price", "a required column is missing"),
        ("ticker,side,qty,entry_price,stoploss\nSPY,buy,1,10,9\n", "stoploss", "stop_loss"),
        ("ticker,side,qty,entry_price\nMSFT,buy,1,10\n", "ticker", "not a ticker the ledger"),
    ],
)
def test_problems_of_the_file_are_listed(
    api: Harness, text: str, field: str, expected: str
) -> None:
    response = api.post("/plans/filter", plan_body(text))
    assert response.status_code == 422, response.text
    problems = response.json()["problems"]
    assert any(p["field"] == field and expected in p["expected"] for p in problems), problems


def test_bad_options_are_refused_with_their_name(api: Harness) -> None:
    cases = [
        ({"mode": "hasty"}, "mode"),
        ({"exposure_cap": "1.5"}, "exposure_cap"),
        ({"exposure_cap": 0.5}, "exposure_cap"),  # a float: its exact text is lost
        ({"format": "xml"}, "format"),
    ]
    for options, named in cases:
        response = api.post("/plans/filter", plan_body(**options))
        assert response.status_code == 422, (options, response.text)
        assert named in response.json()["message"], (options, response.text)


# ----------------------------------------------------------------------------------- execute


def test_execute_places_the_plan_as_brackets(api: Harness) -> None:
    portfolio = replay_portfolio(api)
    response = api.post(f"/portfolios/{portfolio}/plans", plan_body())
    assert response.status_code == 200, response.text
    answer = response.json()
    assert (answer["plan_date"], answer["placed"]) == ("2021-03-02", 2)
    assert [(r["row"], r["status"], r["client_order_id"]) for r in answer["rows"]] == [
        (1, "placed", "plan-20210302-r1"),
        (2, "placed", "plan-20210302-r2"),
    ]
    orders = api.services.portfolios.orders(portfolio)
    entries = {o.client_order_id: o for o in orders if o.role is OrderRole.ENTRY}
    spy = entries["plan-20210302-r1"]
    assert (spy.symbol, spy.order_type, spy.limit_price, spy.quantity) == (
        "SPY", OrderType.LIMIT, Decimal("389.58"), Decimal(10),
    )  # fmt: skip
    children = {o.role: o for o in orders if o.parent_id == spy.order_id}
    assert children[OrderRole.STOP_LOSS].stop_price == Decimal(380)
    assert children[OrderRole.TAKE_PROFIT].limit_price == Decimal(400)
    assert answer["rows"][0]["order_ids"][0] == spy.order_id


def test_execute_twice_places_nothing_twice(api: Harness) -> None:
    portfolio = replay_portfolio(api)
    assert api.post(f"/portfolios/{portfolio}/plans", plan_body()).status_code == 200
    before = api.dump()
    again = api.post(f"/portfolios/{portfolio}/plans", plan_body())
    assert again.status_code == 200, again.text
    assert again.json()["placed"] == 0
    assert [r["status"] for r in again.json()["rows"]] == ["already placed", "already placed"]
    assert api.dump() == before


def test_execute_with_an_idempotency_key_answers_the_first_response(api: Harness) -> None:
    portfolio = replay_portfolio(api)
    path = f"/portfolios/{portfolio}/plans"
    first = api.post(path, plan_body(), **{"Idempotency-Key": "plan-1"})
    assert first.status_code == 200, first.text
    before = api.dump()
    replay = api.post(path, plan_body(), **{"Idempotency-Key": "plan-1"})
    assert replay.status_code == 200
    assert replay.headers.get("Idempotent-Replayed") == "true"
    assert replay.json() == first.json()  # "placed" both times: the first answer, replayed
    assert api.dump() == before
    other = api.post(path, plan_body(mode="fast"), **{"Idempotency-Key": "plan-1"})
    assert_refused(api, other, 422, "idempotency_key_reused", before=before)


def test_the_same_plan_sent_at_once_is_placed_once(api: Harness) -> None:
    # four clients send the plan together (a retry storm): the portfolio lock serialises
    # them, one places both rows, the others find them already placed
    portfolio = replay_portfolio(api)
    senders = 4

    def send(_: int) -> Any:
        return api.post(f"/portfolios/{portfolio}/plans", plan_body())

    with ThreadPoolExecutor(senders) as pool:
        answers = list(pool.map(send, range(senders)))
    assert [a.status_code for a in answers] == [200] * senders, [a.text for a in answers]
    assert sorted(a.json()["placed"] for a in answers) == [0] * (senders - 1) + [2]
    orders = api.services.portfolios.orders(portfolio)
    entries = [o.client_order_id for o in orders if o.role is OrderRole.ENTRY]
    assert sorted(entries) == ["plan-20210302-r1", "plan-20210302-r2"]


@pytest.mark.parametrize(
    ("line", "field"),
    [
        ("MSFT,buy,1,10,,,0.5,1,2021-03-02", "ticker"),  # not a symbol of the portfolio
        ("SPY,buy,-5,389.58,,,0.5,1,2021-03-02", "qty"),
        ("SPY,buy,1,389.58,,390,0.5,1,2021-03-02", "stop_loss"),  # a stop above a long's entry
        ("SPY,buy,1,389.58,,,0.5,1,2021-03-10", "entry_datetime"),  # not the next day's plan
        ("AAPL,sell,5,127.79,,,0.5,1,2021-03-02", "order"),  # a short sale in a long-only book
    ],
)
def test_a_bad_plan_places_nothing(api: Harness, line: str, field: str) -> None:
    portfolio = replay_portfolio(api)
    before = api.dump()
    response = api.post(f"/portfolios/{portfolio}/plans", plan_body(PLAN + line + "\n"))
    assert_refused(api, response, 422, "invalid_plan", "nothing placed", before=before)
    assert [(p["row"], p["field"]) for p in response.json()["problems"]] == [(3, field)]


def test_execute_needs_a_trade_key_and_a_visible_portfolio(api: Harness) -> None:
    portfolio = replay_portfolio(api)
    before = api.dump()
    path = f"/portfolios/{portfolio}/plans"
    read_only = api.post(path, plan_body(), token=api.reader)
    assert_refused(api, read_only, 403, "insufficient_scope", before=before)
    other = api.services.portfolios.create_portfolio("other", Decimal(1000))
    limited = api.services.api_keys.create("limited", "trade", [other]).token
    before = api.dump()
    hidden = api.post(path, plan_body(), token=limited)
    assert_refused(api, hidden, 404, "not_found", before=before)
    missing = api.post("/portfolios/999999/plans", plan_body())
    assert_refused(api, missing, 404, "not_found", before=before)


# --------------------------------------------------------------------------------- reconcile


def test_reconcile_marks_the_portfolio_and_appends_a_point(api: Harness) -> None:
    portfolio = replay_portfolio(api)
    points = len(api.services.portfolios.equity_curve(portfolio))
    response = api.post(f"/portfolios/{portfolio}/reconcile")
    assert response.status_code == 200, response.text
    answer = response.json()
    summary = api.services.portfolios.show(portfolio).summary
    assert Decimal(answer["equity"]) == summary.equity
    assert Decimal(answer["cash"]) + Decimal(answer["positions_value"]) == Decimal(answer["equity"])
    assert answer["equity"] == "100000"  # nothing traded yet: the starting cash
    assert answer["closed"] == []  # no plan row held (tests/unit/service/test_service_plans.py)
    assert len(api.services.portfolios.equity_curve(portfolio)) == points + 1


def test_reconcile_needs_a_trade_key(api: Harness) -> None:
    portfolio = replay_portfolio(api)
    before = api.dump()
    response = api.post(f"/portfolios/{portfolio}/reconcile", token=api.reader)
    assert_refused(api, response, 403, "insufficient_scope", before=before)
    missing = api.post("/portfolios/999999/reconcile")
    assert_refused(api, missing, 404, "not_found", before=before)


def test_the_openapi_document_lists_the_plan_operations(api: Harness) -> None:
    paths = api.client.get(f"{API}/openapi.json").json()["paths"]
    for path, method in [
        ("/api/v1/plans/filter", "post"),
        ("/api/v1/portfolios/{portfolio_id}/plans", "post"),
        ("/api/v1/portfolios/{portfolio_id}/reconcile", "post"),
        ("/api/v1/simulations", "post"),
        ("/api/v1/jobs/{job_id}", "get"),
        ("/api/v1/plans/filter/upload", "post"),
        ("/api/v1/portfolios/{portfolio_id}/plans/upload", "post"),
        ("/api/v1/simulations/upload", "post"),
    ]:
        assert method in paths[path], path


# ------------------------------------------------------------------------- multipart uploads


def upload(api: Harness, path: str, name: str, data: bytes, options: str, token: str) -> Any:
    return api.client.post(
        API + path,
        files={"file": (name, data, "text/csv")},
        data={"options": options},
        headers=api.headers(token),
    )


def test_an_uploaded_file_is_filtered_as_the_json_body(api: Harness) -> None:
    options = '{"mode": "conservative", "exposure_cap": "0.03"}'
    uploaded = upload(api, "/plans/filter/upload", "today.csv", PLAN.encode(), options, api.reader)
    assert uploaded.status_code == 200, uploaded.text
    body = plan_body(mode="conservative", exposure_cap="0.03", name="today.csv")
    assert uploaded.json() == api.post("/plans/filter", body, token=api.reader).json()
    assert uploaded.json()["audit"]["plan"] == "today.csv"


def test_an_uploaded_json_file_is_read_as_json(api: Harness) -> None:
    plan = b'[{"ticker": "SPY", "side": "buy", "qty": 2, "entry_price": 389.58}]'
    response = upload(api, "/plans/filter/upload", "plan.json", plan, "{}", api.reader)
    assert response.status_code == 200, response.text
    assert [(r["ticker"], r["qty"], r["entry_price"]) for r in response.json()["rows"]] == [
        ("SPY", "2", "389.58")
    ]


def test_an_uploaded_plan_is_executed_once(api: Harness) -> None:
    portfolio = replay_portfolio(api)
    path = f"/portfolios/{portfolio}/plans/upload"
    first = upload(api, path, "plan.csv", PLAN.encode(), "{}", api.trader)
    assert first.status_code == 200, first.text
    assert first.json()["placed"] == 2
    before = api.dump()
    again = upload(api, path, "plan.csv", PLAN.encode(), "{}", api.trader)
    assert [r["status"] for r in again.json()["rows"]] == ["already placed", "already placed"]
    assert api.dump() == before
    read_only = upload(api, path, "plan.csv", PLAN.encode(), "{}", api.reader)
    assert_refused(api, read_only, 403, "insufficient_scope", before=before)


def test_bad_uploads_are_refused_naming_what_is_wrong(api: Harness) -> None:
    portfolio = replay_portfolio(api)
    path = f"/portfolios/{portfolio}/plans/upload"
    before = api.dump()
    latin = upload(api, path, "plan.csv", "ticker\nSPÿ\n".encode("latin-1"), "{}", api.trader)
    assert_refused(api, latin, 422, "invalid_plan", "UTF-8", before=before)
    options = upload(api, path, "plan.csv", PLAN.encode(), '{"mode": "hasty"}', api.trader)
    assert_refused(api, options, 422, "validation_error", "options.mode", before=before)
    broken = upload(api, path, "plan.csv", PLAN.encode(), "{mode", api.trader)
    assert_refused(api, broken, 422, "validation_error", "options", before=before)
    bad = PLAN + "SPY,buy,-5,389.58,,,0.5,1,2021-03-02\n"
    rows = upload(api, path, "plan.csv", bad.encode(), "{}", api.trader)
    assert_refused(api, rows, 422, "invalid_plan", "plan.csv", before=before)
    assert [(p["row"], p["field"]) for p in rows.json()["problems"]] == [(3, "qty")]
