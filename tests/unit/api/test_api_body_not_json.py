"""A body the API cannot read as JSON is refused naming the body and the reason: where the
JSON breaks, or the Content-Type that kept it from being read as JSON (FastAPI's own words,
``body.16: JSON decode error`` and ``Input should be a valid dictionary``, named neither)."""

from __future__ import annotations

import pytest
from api_fixtures import API, Harness, api, assert_refused

__all__ = ["api"]

ORDER = b'{"symbol": "SPY", "side": "buy", "quantity": "1", "type": "market"}'


@pytest.mark.parametrize(
    ("body", "where", "reason"),
    [
        (b'{"symbol": "SPY",}', "line 1, column 18", "Expecting property name"),
        (b'{\n  "symbol": "SPY"\n  "side": "buy"}', "line 3, column 3", "Expecting ','"),
        (b'{"symbol": ', "line 1, column 12", "Expecting value"),
    ],
)
def test_a_body_that_is_not_json_names_the_body_the_reason_and_where(
    api: Harness, body: bytes, where: str, reason: str
) -> None:
    portfolio = api.create_portfolio()
    before = api.dump()
    response = api.client.post(
        f"{API}/portfolios/{portfolio}/orders",
        content=body,
        headers=api.headers(api.trader, **{"Content-Type": "application/json"}),
    )
    assert_refused(
        api, response, 422, "validation_error", "body: the body is not valid JSON", before=before
    )
    problem = response.json()["errors"]
    assert [entry["field"] for entry in problem] == ["body"]
    assert reason in problem[0]["message"]
    assert problem[0]["message"].endswith(f"at {where}")


@pytest.mark.parametrize(
    ("content_type", "named"),
    [
        ("text/plain", "(this request's Content-Type: 'text/plain')"),
        ("application/x-www-form-urlencoded", "'application/x-www-form-urlencoded'"),
        (None, "(this request's Content-Type: none)"),
    ],
)
def test_a_json_body_sent_without_the_json_content_type_says_which_header_to_send(
    api: Harness, content_type: str | None, named: str
) -> None:
    portfolio = api.create_portfolio()
    headers = api.headers(api.trader)
    if content_type is not None:
        headers["Content-Type"] = content_type
    before = api.dump()
    response = api.client.post(
        f"{API}/portfolios/{portfolio}/orders", content=ORDER, headers=headers
    )
    assert_refused(
        api,
        response,
        422,
        "validation_error",
        "body: send the body as a JSON object with the header Content-Type: application/json",
        named,
        before=before,
    )
    # a JSON document sent as JSON that is not an object keeps FastAPI's words
    not_an_object = api.post(f"/portfolios/{portfolio}/orders", ["SPY"])
    assert not_an_object.json()["errors"] == [
        {
            "field": "body",
            "message": "Input should be a valid dictionary or object to extract fields from",
        }
    ]
