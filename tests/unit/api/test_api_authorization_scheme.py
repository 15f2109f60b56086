"""A key sent in an Authorization header of another scheme (``Basic``, or the bare key without
``Bearer``) is refused saying so, never quoting the header's value (it may be the key)."""

from __future__ import annotations

import pytest
from api_fixtures import API, Harness, api

__all__ = ["api"]


@pytest.mark.parametrize("scheme", ["Basic", "Token", ""])
def test_an_authorization_header_without_the_bearer_scheme_is_named(
    api: Harness, scheme: str
) -> None:
    value = f"{scheme} {api.trader}".strip()
    answer = api.client.get(f"{API}/me", headers={"Authorization": value})
    assert answer.status_code == 401, answer.text
    body = answer.json()
    assert body["code"] == "missing_api_key"
    assert body["message"].endswith(
        "; the Authorization header sent does not use the Bearer scheme"
    )
    assert api.trader not in answer.text
    assert api.trader[:12] not in answer.text
    without = api.client.get(f"{API}/me")
    assert without.json()["message"] == "an API key is required (Authorization: Bearer KEY)"
