"""PATCH /portfolios/{id} (rename and the edits `paperdesk portfolio edit` allows) and
POST /portfolios/{id}/unarchive; a refused edit names the field and changes nothing, not even
the name sent with it."""

from __future__ import annotations

from typing import Any

from api_fixtures import API, Harness, api, assert_refused

__all__ = ["api"]


def patch(api: Harness, portfolio: int, body: Any, token: str | None = None) -> Any:
    headers = api.headers(token or api.trader)
    return api.client.patch(f"{API}/portfolios/{portfolio}", json=body, headers=headers)


def test_rename_and_edit_settings_in_one_request(api: Harness) -> None:
    portfolio = api.create_portfolio(strategies=["sma-cross"], params=["fast=5", "slow=20"])
    body = {
        "name": "  renamed desk ",
        "params": ["slow=30"],
        "settings": {"size-pct": "10", "commission": "per-share:0.005:min=1"},
    }
    response = patch(api, portfolio, body)
    assert response.status_code == 200, response.text
    result = response.json()
    changes = {c["key"]: (c["before"], c["after"]) for c in result["changes"]}
    assert changes == {
        "name": ("api", "renamed desk"),
        "sizing.percent": ("80", "10"),
        "execution.commission": ("none", "per-share:0.005:min=1"),
        "strategies": (
            [{"name": "sma-cross", "params": {"fast": 5, "slow": 20}}],
            [{"name": "sma-cross", "params": {"fast": 5, "slow": 30}}],
        ),
    }
    stored = api.services.portfolios.show(portfolio)
    assert stored.summary.name == "renamed desk"
    assert stored.settings.to_json() == result["portfolio"]["settings"]
    assert stored.settings.sizing.percent == 10
    kinds = [entry.kind for entry in api.services.portfolios.audit(portfolio)]
    assert "portfolio.renamed" in kinds
    assert len(kinds) == 3  # created, settings changed, renamed


def test_strategies_and_symbols_replace_the_lists(api: Harness) -> None:
    portfolio = api.create_portfolio()
    body = {"strategies": ["rsi-divergence", "sma-cross"], "symbols": ["spy", "aapl"]}
    response = patch(api, portfolio, body)
    assert response.status_code == 200, response.text
    settings = api.services.portfolios.settings(portfolio)
    assert [s.name for s in settings.strategies] == ["rsi-divergence", "sma-cross"]
    assert settings.symbols == ("SPY", "AAPL")


def test_an_edit_that_changes_nothing_reports_no_change(api: Harness) -> None:
    portfolio = api.create_portfolio()
    before = api.dump()
    response = patch(api, portfolio, {"name": "api", "settings": {"size_pct": "80"}})
    assert response.status_code == 200, response.text
    assert response.json()["changes"] == []
    assert api.dump() == before


REFUSED_EDITS: list[tuple[dict[str, Any], str, str]] = [
    ({"settings": {"size_pct": "-3"}}, "invalid_option", "settings.size_pct"),
    ({"settings": {"colour": "red"}}, "invalid_option", "settings.colour"),
    ({"settings": {"timeframe": "7x"}}, "invalid_option", "settings.timeframe"),
    ({"name": "ok", "settings": {"exposure_cap": "lots"}}, "invalid_option", "exposure_cap"),
    ({"strategies": ["nope"]}, "unknown_name", "nope"),
    ({"params": ["fast=1", "slowness=3"]}, "invalid_input", "slowness"),
    ({"symbols": ["NOSUCH"]}, "unknown_name", "NOSUCH"),
    ({"name": ""}, "validation_error", "body.name"),
    ({"name": "   "}, "invalid_input", "name"),
    ({"name": "a\tb"}, "invalid_input", "printable"),
    ({"colour": "red"}, "validation_error", "body.colour"),
    ({"settings": {"factor_file": "/etc/hosts"}}, "server_path_refused", "factor_file"),
    ({"strategies": ["/tmp/evil.py:Evil"]}, "server_path_refused", "strategies[0]"),
]


def test_a_refused_edit_names_the_field_and_changes_nothing(api: Harness) -> None:
    """Each case on the same portfolio: the refusal names the field, and no table changed
    (not the name, not the settings, not the audit log)."""
    portfolio = api.create_portfolio(strategies=["sma-cross"])
    before = api.dump()
    for body, code, named in REFUSED_EDITS:
        response = patch(api, portfolio, body)
        assert response.status_code == 422, (body, response.text)
        assert response.json()["code"] == code, (body, response.json())
        assert named in response.json()["message"], (body, response.json())
    assert api.dump() == before  # a change by any of them would still be there


def test_a_symbol_still_held_cannot_be_dropped(api: Harness) -> None:
    portfolio = api.create_portfolio(symbols=["SPY", "AAPL"])
    order = {"symbol": "SPY", "side": "buy", "quantity": "1"}
    assert api.post(f"/portfolios/{portfolio}/orders", order).status_code == 201
    before = api.dump()
    response = patch(api, portfolio, {"symbols": ["AAPL"], "name": "dropped"})
    assert_refused(api, response, 422, "invalid_option", "SPY", before=before)


def test_archived_unknown_hidden_and_read_only(api: Harness) -> None:
    portfolio = api.create_portfolio()
    archived = api.create_portfolio(name="old")
    assert api.post(f"/portfolios/{archived}/archive").status_code == 200
    limited = api.services.api_keys.create("limited", "trade", portfolio_ids=[archived]).token
    before = api.dump()
    edit = {"settings": {"size_pct": "5"}}
    assert_refused(api, patch(api, archived, edit), 409, "portfolio_archived", before=before)
    assert_refused(api, patch(api, 999, edit), 404, "not_found", before=before)
    assert_refused(api, patch(api, portfolio, edit, limited), 404, "not_found", before=before)
    assert_refused(
        api, patch(api, portfolio, edit, api.reader), 403, "insufficient_scope", before=before
    )
    unarchive_active = api.post(f"/portfolios/{portfolio}/unarchive")
    assert_refused(api, unarchive_active, 409, "portfolio_not_archived", before=before)
    read_only = api.post(f"/portfolios/{archived}/unarchive", token=api.reader)
    assert_refused(api, read_only, 403, "insufficient_scope", before=before)
    assert_refused(api, api.post("/portfolios/999/unarchive"), 404, "not_found", before=before)


def test_unarchive_makes_the_portfolio_active_again(api: Harness) -> None:
    portfolio = api.create_portfolio()
    api.post(f"/portfolios/{portfolio}/archive")
    response = api.post(
        f"/portfolios/{portfolio}/unarchive", None, None, **{"Idempotency-Key": "u-1"}
    )
    assert response.status_code == 200, response.text
    assert response.json()["summary"]["status"] == "active"
    listed = [p["id"] for p in api.get("/portfolios").json()]
    assert portfolio in listed
    edited = patch(api, portfolio, {"settings": {"size_pct": "5"}})
    assert edited.status_code == 200, edited.text


ODD_SETTINGS: list[dict[str, object]] = [
    {"commission": 5},
    {"timeframe": []},
    {"source": {"kind": "replay", "files": {"SPY": "/etc/passwd"}}},
    {"source": "carrier-pigeon"},
    {"replay_from": "yesterday"},
    {"slippage_bps": -1},
    {"size_pct": "1e400"},
    {"fill": "whenever"},
    {"leverage": "0"},
    {"allowed_symbols": "SPY"},
    {"benchmark": "NOSUCH"},
]


def test_odd_settings_values_never_reach_the_catch_all(api: Harness) -> None:
    """The test client re-raises a server error, so a 500 would fail here."""
    portfolio = api.create_portfolio()
    before = api.dump()
    for settings in ODD_SETTINGS:
        response = patch(api, portfolio, {"settings": settings})
        assert response.status_code == 422, (settings, response.text)
        assert response.json()["code"] in {"invalid_option", "invalid_input", "unknown_name"}
    assert api.dump() == before
