"""An unknown strategy's refusal tells an API user who adds a strategy (the server's operator,
as an installed package), not the file path and option the API refuses
(``server_path_refused``); the command line keeps its hint (``test_strategy_plugins.py``)."""

from __future__ import annotations

from api_fixtures import Harness, api, assert_refused

__all__ = ["api"]

REFUSED_HINTS = ("strategy_path", "--strategy-path", "path/to/file.py", "load_strategy_path")
API_HINT = "installed on the server by its operator"


def test_an_unknown_strategy_on_create_and_edit_names_no_path_the_api_refuses(
    api: Harness,
) -> None:
    portfolio = api.create_portfolio()
    before = api.dump()
    created = api.post("/portfolios", {"name": "x", "cash": "1000", "strategies": ["nope"]})
    assert_refused(
        api, created, 422, "unknown_name", "unknown strategy 'nope'", API_HINT, before=before
    )
    edited = api.client.patch(
        f"/api/v1/portfolios/{portfolio}",
        json={"strategies": ["nope"]},
        headers=api.headers(api.trader),
    )
    assert_refused(
        api, edited, 422, "unknown_name", API_HINT, "'paperdesk.strategies'", before=before
    )
    for answer in (created, edited):
        for hint in REFUSED_HINTS:
            assert hint not in answer.json()["message"]
