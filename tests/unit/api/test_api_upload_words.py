"""The upload endpoints say what is wrong with an upload itself: an empty one is "empty" (it
read "the upload is not a zip archive"), and a body that is not ``multipart/form-data`` (a JSON
body, a form without the file) names the content type and the file field to send (it read
``body.archive: Field required``); nothing changes. SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from api_fixtures import API, Harness, api, assert_refused

__all__ = ["api"]


def test_an_empty_import_upload_says_it_is_empty(api: Harness) -> None:
    before = api.dump()
    response = api.client.post(
        f"{API}/portfolios/import",
        files={"archive": ("export.zip", b"", "application/zip")},
        headers=api.headers(api.trader),
    )
    named = "the upload is empty (0 bytes)"
    assert_refused(api, response, 422, "invalid_archive", named, before=before)
    assert "not a zip" not in response.json()["message"]


@pytest.mark.parametrize(
    ("path", "field"),
    [("/portfolios/import", "'archive'"), ("/market-data/import", "'file'")],
)
def test_an_upload_sent_as_json_names_multipart_and_the_file_field(
    api: Harness, path: str, field: str
) -> None:
    before = api.dump()
    headers = api.headers(api.admin)
    sent_json = api.client.post(API + path, json={"archive": "UEsDBA=="}, headers=headers)
    named = (
        f"send the body as multipart/form-data with the file field {field} "
        "(this request's Content-Type: 'application/json')"
    )
    assert_refused(api, sent_json, 422, "validation_error", named, before=before)
    assert sent_json.json()["errors"][0]["field"] == "body"
    assert "Field required" not in sent_json.text
    bare = api.client.post(API + path, headers=headers)
    assert_refused(
        api, bare, 422, "validation_error", "(this request's Content-Type: none)", before=before
    )
    # a urlencoded form (it cannot carry a file): how to send it, then each field's problem
    form = api.client.post(API + path, data={"name": "x"}, headers=headers)
    named = "(this request's Content-Type: 'application/x-www-form-urlencoded'); body."
    assert_refused(api, form, 422, "validation_error", "multipart/form-data", named, before=before)
    # multipart without the file keeps FastAPI's words, naming the missing field
    form = api.client.post(
        API + path, data={"name": "x"}, files={"other": ("a", b"1")}, headers=headers
    )
    assert form.status_code == 422, form.text
    assert "body." in form.json()["message"]
    assert "Field required" in form.json()["message"]
    assert api.dump() == before
