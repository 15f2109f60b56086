"""The webhooks resource through the real application: create (the secret shown once), list,
delete; every refusal names what is wrong and changes nothing; a webhook created over the API
gets the portfolio's fills, signed, from the container's dispatcher."""

from __future__ import annotations

from api_fixtures import Harness, api, assert_refused

from webhook_fixtures import Clock, replay_portfolio, round_trip
from webhook_receiver import running_receiver

__all__ = ["api"]

HOOK = {"url": "https://hooks.example.com/paperdesk", "events": ["fills", "errors"]}


def path(portfolio: int) -> str:
    return f"/portfolios/{portfolio}/webhooks"


def test_create_list_and_delete_a_webhook(api: Harness) -> None:
    portfolio = api.create_portfolio()
    created = api.post(path(portfolio), {**HOOK, "secret": "s3cret-of-sixteen+"})
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["secret"] == "s3cret-of-sixteen+"
    assert body["events"] == ["account.cash_overdrawn", "account.margin_called", "order.filled"]
    assert (body["status"], body["attempts"], body["last_error"]) == ("active", 0, None)
    generated = api.post(path(portfolio), {"url": "http://127.0.0.1:9/x"}).json()
    assert generated["secret"].startswith("whsec_")
    assert len(generated["secret"]) > 40
    assert {"order.filled", "position.closed"} <= set(generated["events"])

    listed = api.get(path(portfolio), api.trader)
    assert listed.status_code == 200
    assert [w["id"] for w in listed.json()] == [body["id"], generated["id"]]
    assert all("secret" not in w for w in listed.json())
    assert "s3cret-of-sixteen+" not in listed.text

    removed = api.delete(f"{path(portfolio)}/{body['id']}")
    assert (removed.status_code, removed.json()["url"]) == (200, HOOK["url"])
    assert [w["id"] for w in api.get(path(portfolio)).json()] == [generated["id"]]


def test_a_retried_create_with_an_idempotency_key_registers_once(api: Harness) -> None:
    portfolio = api.create_portfolio()
    first = api.post(path(portfolio), HOOK, **{"Idempotency-Key": "hook-1"})
    again = api.post(path(portfolio), HOOK, **{"Idempotency-Key": "hook-1"})
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    assert len(api.get(path(portfolio)).json()) == 1


BAD_INPUT: list[tuple[dict[str, object], str, str]] = [
    ({**HOOK, "url": "ftp://hooks.example.com/x"}, "invalid_input", "url"),
    ({**HOOK, "url": "http://user:pw@example.com/"}, "invalid_input", "url"),
    ({**HOOK, "url": "http://exa mple.com/"}, "invalid_input", "url"),
    ({**HOOK, "url": "http://-bad-.example/"}, "invalid_input", "url"),
    ({**HOOK, "url": "http://example.com:99999/"}, "invalid_input", "url"),
    ({**HOOK, "url": "/relative/path"}, "invalid_input", "url"),
    ({**HOOK, "events": ["fills", "everything"]}, "invalid_input", "events"),
    ({**HOOK, "events": []}, "validation_error", "events"),
    ({**HOOK, "events": ["fills", "x" * 65]}, "validation_error", "events.1"),
    ({**HOOK, "secret": "short"}, "validation_error", "secret"),
    ({**HOOK, "secret": "has a space in it!!"}, "invalid_input", "secret"),
    ({**HOOK, "colour": "red"}, "validation_error", "colour"),
    ({"events": ["fills"]}, "validation_error", "url"),
]


def test_bad_input_is_refused_naming_the_field_and_changes_nothing(api: Harness) -> None:
    portfolio = api.create_portfolio()
    before = api.dump()
    for body, code, named in BAD_INPUT:
        response = api.post(path(portfolio), body)
        assert (response.status_code, response.json()["code"]) == (422, code), response.text
        assert named in response.json()["message"]
    assert api.dump() == before  # one comparison for all: no refusal wrote anything


def test_unknown_unseen_and_archived_portfolios_and_unknown_webhooks_are_refused(
    api: Harness,
) -> None:
    portfolio = api.create_portfolio()
    other = api.create_portfolio(name="other")
    hook = api.post(path(other), HOOK).json()
    limited = api.services.api_keys.create("limited", "trade", [portfolio]).token
    archived = api.create_portfolio(name="archived")
    assert api.post(f"/portfolios/{archived}/archive").status_code == 200
    before = api.dump()
    assert_refused(api, api.post(path(999), HOOK), 404, "not_found", "999", before=before)
    refused = api.post(path(other), HOOK, token=limited)
    assert_refused(api, refused, 404, "not_found", str(other), before=before)
    refused = api.get(path(other), token=limited)
    assert_refused(api, refused, 404, "not_found", before=before)
    refused = api.delete(f"{path(other)}/{hook['id']}", token=limited)
    assert_refused(api, refused, 404, "not_found", before=before)
    refused = api.delete(f"{path(portfolio)}/{hook['id']}")  # another portfolio's webhook
    assert_refused(api, refused, 404, "not_found", "webhook", before=before)
    refused = api.delete(f"{path(portfolio)}/0")
    assert_refused(api, refused, 422, "validation_error", "webhook_id", before=before)
    refused = api.post(path(archived), HOOK)
    assert_refused(api, refused, 409, "portfolio_archived", before=before)
    assert_refused(api, api.post(path(portfolio), HOOK, token=api.reader), 403,
                   "insufficient_scope", before=before)  # fmt: skip
    refused = api.get(path(portfolio), token=api.reader)
    assert_refused(api, refused, 403, "insufficient_scope", before=before)
    refused = api.client.get(f"/api/v1{path(portfolio)}")
    assert_refused(api, refused, 401, "missing_api_key", before=before)


def test_a_webhook_made_over_the_api_gets_the_fills_signed(api: Harness) -> None:
    portfolio = replay_portfolio(api.services)
    with running_receiver() as receiver:
        created = api.post(path(portfolio), {"url": receiver.url, "events": ["fills"]}).json()
        round_trip(api.services, portfolio)
        report = api.services.webhook_dispatcher.deliver_due(Clock().now)
    assert (report.delivered, report.failed) == (2, 0)
    fills = api.get(f"/portfolios/{portfolio}/fills").json()["items"]
    received = [r.document["data"]["fill"] for r in receiver.accepted()]
    assert [(f["side"], f["price"]) for f in received] == [(f["side"], f["price"]) for f in fills]
    assert all(r.signed_with(created["secret"]) for r in receiver.accepted())
    [listed] = api.get(path(portfolio)).json()
    assert listed["last_delivered_at"] is not None
