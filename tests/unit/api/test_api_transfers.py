"""GET /portfolios/{id}/export (the files of `paperdesk export`, as one zip) and
POST /portfolios/import (such a zip, restored as `paperdesk import` restores a folder); a bad
archive is 422 ``invalid_archive`` naming the problem, and nothing changes."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from api_fixtures import API, Harness, api, assert_refused
from portfolio_scenario import traded_portfolio

from paperdesk.service.exports import export_portfolio

__all__ = ["api"]

AUDIT_FILES = {"orders.csv", "fills.csv", "positions.csv", "pnl_ledger.csv", "state.json"}


def members(content: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def zipped(files: dict[str, bytes], *, manifest: bool = True) -> bytes:
    """A zip of ``files``, with a MANIFEST.json vouching for them unless told otherwise."""
    contents = dict(files)
    if manifest:
        old = json.loads(contents["MANIFEST.json"])
        old["files"] = {
            name: {"sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}
            for name, data in sorted(contents.items())
            if name != "MANIFEST.json"
        }
        contents["MANIFEST.json"] = json.dumps(old, indent=2).encode()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in contents.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def upload(api: Harness, content: bytes, token: str | None = None, **form: str) -> Any:
    return api.client.post(
        f"{API}/portfolios/import",
        files={"archive": ("export.zip", content, "application/zip")},
        data=form,
        headers=api.headers(token or api.trader),
    )


def test_export_is_the_cli_export_as_a_zip_and_imports_back(api: Harness, tmp_path: Path) -> None:
    portfolio = traded_portfolio(api)
    response = api.get(f"/portfolios/{portfolio}/export", api.reader)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/zip"
    assert "attachment" in response.headers["content-disposition"]
    files = members(response.content)
    assert set(files) == AUDIT_FILES | {"MANIFEST.json"}
    manifest = json.loads(files["MANIFEST.json"])
    for name, entry in manifest["files"].items():  # the manifest vouches for every file
        assert hashlib.sha256(files[name]).hexdigest() == entry["sha256"]
    # the same files the CLI's export writes (state.json differs only in when it was made)
    folder = tmp_path / "cli"
    export_portfolio(api.services.database, portfolio, folder, now=datetime.now(UTC))
    for name in AUDIT_FILES - {"state.json"}:
        assert files[name] == (folder / name).read_bytes(), name
    ours, theirs = json.loads(files["state.json"]), json.loads((folder / "state.json").read_text())
    ours.pop("exported_at", None)
    theirs.pop("exported_at", None)
    assert ours == theirs

    imported = upload(api, response.content, name="restored")
    assert imported.status_code == 201, imported.text
    report = imported.json()
    original = api.get(f"/portfolios/{portfolio}").json()["summary"]
    assert (report["name"], report["source_id"]) == ("restored", portfolio)
    assert report["cash"] == original["cash"]
    assert (report["fills"], report["trades"]) == (2, 1)
    copy = api.get(f"/portfolios/{report['id']}").json()["summary"]
    assert (copy["cash"], copy["realized_pnl"]) == (original["cash"], original["realized_pnl"])
    old_trades = api.get(f"/portfolios/{portfolio}/trades").json()["items"]
    new_trades = api.get(f"/portfolios/{report['id']}/trades").json()["items"]
    assert new_trades == old_trades


def test_bad_archives_are_refused_and_change_nothing(api: Harness) -> None:
    portfolio = traded_portfolio(api, bars=2)
    good = members(api.get(f"/portfolios/{portfolio}/export").content)
    state = json.loads(good["state.json"])
    state["settings"]["source"]["factor_file"] = "/etc/passwd"
    outside = {**good, "state.json": json.dumps(state).encode()}
    tampered = dict(good)
    tampered["fills.csv"] = good["fills.csv"].replace(b"321.36", b"121.36")
    truncated = zipped(good)[:-40]
    state = json.loads(good["state.json"])
    state["settings"]["strategy_paths"] = ["antigravity:Strategy"]  # importing runs a module
    module_path = {**good, "state.json": json.dumps(state).encode()}
    cases: list[tuple[bytes, str]] = [
        (b"this is not a zip", "not a zip archive"),
        (zipped({**good, "../evil.csv": b"x"}), "'../evil.csv' is not a safe relative path"),
        (zipped({**good, "/etc/cron.d/x": b"x"}), "not a safe relative path"),
        (zipped({**good, "plugins/evil.py": b"import os"}), "does not run uploaded code"),
        (zipped({k: v for k, v in good.items() if k != "MANIFEST.json"}, manifest=False), "no "),
        (zipped(tampered, manifest=False), "fills.csv"),
        (zipped(outside), "factor"),
        (zipped(module_path), "strategy code"),
        (truncated, "zip"),
        (zipped({}, manifest=False), "empty"),
        (zipped({**good, "orders.csv/x": b"x"}, manifest=False), "orders.csv/x"),
    ]
    before = api.dump()
    for content, named in cases:
        response = upload(api, content)
        assert response.status_code == 422, (named, response.text)
        assert response.json()["code"] == "invalid_archive", response.json()
        assert named in response.json()["message"], response.json()
        assert "root:" not in response.text  # /etc/passwd's contents never appear
        assert "/tmp/" not in response.json()["message"]  # nor the server's work folder
    assert api.dump() == before  # a change by any of them would still be there


def test_transfer_refusals(api: Harness) -> None:
    portfolio = api.create_portfolio()
    other = api.create_portfolio(name="other")
    limited = api.services.api_keys.create("limited", "trade", portfolio_ids=[other]).token
    content = api.get(f"/portfolios/{portfolio}/export").content
    before = api.dump()
    assert_refused(api, api.get("/portfolios/999/export"), 404, "not_found", before=before)
    hidden = api.get(f"/portfolios/{portfolio}/export", limited)
    assert_refused(api, hidden, 404, "not_found", before=before)
    read_only = upload(api, content, api.reader)
    assert_refused(api, read_only, 403, "insufficient_scope", before=before)
    assert_refused(api, upload(api, content, limited), 403, "insufficient_scope", before=before)
    no_file = api.client.post(
        f"{API}/portfolios/import", data={"name": "x"}, headers=api.headers(api.trader)
    )
    assert_refused(api, no_file, 422, "validation_error", "archive", before=before)
    long_name = upload(api, content, name="n" * 201)
    assert_refused(api, long_name, 422, "validation_error", "name", before=before)
    blank_name = upload(api, content, name="   ")
    assert_refused(api, blank_name, 422, "invalid_input", "name", before=before)
