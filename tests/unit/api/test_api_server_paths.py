"""The API never opens a server path a client names: every option that could name a file
(a data file per symbol, quotes, the factor file, benchmark data, a plug-in strategy path or a
strategy named by its file) is refused with 422 ``server_path_refused`` naming the option, on
create and on update, and nothing of the file reaches the response."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from api_fixtures import API, Harness, api

__all__ = ["api"]

SECRET = Path("/etc/passwd")
PATH_SETTINGS = [
    {"data": str(SECRET)},
    {"data": {"SPY": str(SECRET)}},
    {"data": [f"SPY={SECRET}"]},
    {"quotes": str(SECRET)},
    {"factor_file": str(SECRET)},
    {"factor-file": str(SECRET)},
    {"benchmark_data": str(SECRET)},
    {"strategy_path": str(SECRET)},
    {"strategy-path": [f"{SECRET}:Evil"]},
]
PATH_STRATEGIES = [[str(SECRET)], ["sma-cross", f"{SECRET}.py:Evil"], ["..\\etc\\passwd"]]


def refused(response: Any, named: str) -> None:
    """422 ``server_path_refused`` naming ``named`` (that nothing changed is proven once, after
    every request: a change would stay in the tables)."""
    assert response.status_code == 422, response.text
    assert response.json()["code"] == "server_path_refused", response.json()
    assert named in response.json()["message"], response.json()


def _leaks(response: Any) -> list[str]:
    """Lines of the secret file that appear in the response."""
    lines = [line for line in SECRET.read_text().splitlines() if len(line) > 8]
    return [line for line in lines if line in response.text]


def test_every_path_option_is_refused_on_create_and_nothing_of_the_file_appears(
    api: Harness,
) -> None:
    assert SECRET.read_text().strip()  # the file exists and is not empty: a leak would show
    portfolio = api.create_portfolio()
    before = api.dump()
    patch_headers = api.headers(api.trader)
    for settings in PATH_SETTINGS:
        [option] = settings
        body = {"name": "leak", "cash": "1000", "symbols": ["SPY"], "settings": settings}
        created = api.post("/portfolios", body)
        refused(created, f"settings.{option}")
        assert _leaks(created) == [], option
        updated = api.client.patch(
            f"{API}/portfolios/{portfolio}", json={"settings": settings}, headers=patch_headers
        )
        refused(updated, f"settings.{option}")
        assert _leaks(updated) == [], option
    for strategies in PATH_STRATEGIES:
        index = len(strategies) - 1
        body = {"name": "leak", "cash": "1000", "symbols": ["SPY"], "strategies": strategies}
        created = api.post("/portfolios", body)
        refused(created, f"strategies[{index}]")
        assert _leaks(created) == []
        updated = api.client.patch(
            f"{API}/portfolios/{portfolio}", json={"strategies": strategies}, headers=patch_headers
        )
        refused(updated, f"strategies[{index}]")
        assert _leaks(updated) == []
    assert api.dump() == before


def test_values_that_are_not_paths_never_echo_a_file(api: Harness) -> None:
    """A path where a symbol, a source or a benchmark goes is a plain invalid value: refused,
    quoting at most the text sent, never what the file holds."""
    before = api.dump()
    for body in (
        {"name": "x", "cash": "1", "symbols": [str(SECRET)]},
        {"name": "x", "cash": "1", "symbols": ["SPY"], "settings": {"source": str(SECRET)}},
        {"name": "x", "cash": "1", "symbols": ["SPY"], "settings": {"benchmark": str(SECRET)}},
        {"name": "x", "cash": "1", "symbols": ["SPY"], "params": [f"fast={SECRET}"]},
    ):
        response = api.post("/portfolios", body)
        assert response.status_code == 422, response.text
        assert _leaks(response) == []
    assert api.dump() == before
